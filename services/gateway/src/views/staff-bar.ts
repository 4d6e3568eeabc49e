import { passwordChangePath } from '../auth/require-role.ts';
import type { Role } from '../auth/user-store.ts';
import { html, raw, type RawHtml } from './html.ts';

/**
 * The bar atop every staff page: who is logged in (and for whom: `of`, an OPD's name), links to
 * the role's other pages and to the change of one's own password (none on the change page
 * itself: `passwordLink: false`), and the logout button, which brings the next login back to `next`.
 */
export function staffBar(o: { username: string; of?: string; links: [href: string, label: string][]; next: string; id?: string; passwordLink?: boolean }): RawHtml {
  const links: [href: string, label: string][] = o.passwordLink === false ? o.links : [...o.links, [passwordChangePath(o.next), 'Ganti kata sandi']];
  return html`<form method="post" action="/logout" class="card"${o.id ? html` id="${o.id}"` : raw('')} style="display:flex;gap:12px;align-items:center;justify-content:space-between;flex-wrap:wrap;padding:10px 16px"><input type="hidden" name="next" value="${o.next}"><span>Masuk sebagai <strong>${o.username}</strong>${o.of ? ` (${o.of})` : ''}${links.map(([href, label]) => html` · <a href="${href}">${label}</a>`)}</span><button type="submit" class="secondary">Keluar</button></form>`;
}

/** The admins' pages, each linked from the others' bars. */
export const ADMIN_PAGES: [href: string, label: string][] = [
  ['/admin/triage', 'Triase aduan'],
  ['/admin/rekap', 'Rekap bulanan'],
  ['/admin/akun', 'Akun petugas'],
];

/** Each role's pages, as the change of password's bar links them. */
export const ROLE_PAGES: Record<Role, [href: string, label: string][]> = {
  admin: ADMIN_PAGES,
  operator: [['/desk', 'Meja radio']],
  opd: [
    ['/opd', 'Kotak masuk'],
    ['/opd/rekap', 'Rekap bulanan'],
  ],
};

/** An admin page's bar: the other admin pages linked. */
export const adminBar = (username: string, here: string, id?: string): RawHtml =>
  staffBar({ username, links: ADMIN_PAGES.filter(([href]) => href !== here), next: here, ...(id ? { id } : {}) });
