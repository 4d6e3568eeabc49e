import { html, raw, type RawHtml } from '../views/html.ts';
import { layout } from '../views/layout.ts';
import { ROLE_PAGES, staffBar } from '../views/staff-bar.ts';
import type { PasswordField, PasswordProblem, PasswordProblems } from './password-change.ts';
import { PASSWORD_PAGE } from './require-role.ts';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, type AuthUser } from './user-store.ts';

export interface PasswordPageOptions {
  user: AuthUser;
  /** Where to go once it is done (safeNext). */
  next: string;
  /** Someone else chose the password: the account must change it before anything else. */
  due: boolean;
  problems?: PasswordProblems;
  /** A refusal of the whole form (the throttle's), said at the top. */
  notice?: string;
}

/** Each problem of each field in the page's words. */
const MESSAGES: Record<PasswordField, Partial<Record<PasswordProblem, string>>> = {
  current: { required: 'Tulis kata sandi Anda yang sekarang.', wrong_password: 'Kata sandi sekarang salah. Periksa lalu coba lagi.' },
  password: {
    required: 'Tulis kata sandi baru.',
    too_short: `Kata sandi baru minimal ${MIN_PASSWORD_LENGTH} karakter.`,
    too_long: `Kata sandi baru paling banyak ${MAX_PASSWORD_LENGTH} karakter.`,
    same_as_current: 'Kata sandi baru harus berbeda dari kata sandi sekarang.',
  },
  again: { required: 'Ketik ulang kata sandi baru.', mismatch: 'Kedua kata sandi baru tidak sama. Ketik ulang kata sandi baru.' },
};

const FIELDS: { field: PasswordField; label: string; autocomplete: string; hint?: string }[] = [
  { field: 'current', label: 'Kata sandi sekarang', autocomplete: 'current-password' },
  { field: 'password', label: 'Kata sandi baru', autocomplete: 'new-password', hint: `Minimal ${MIN_PASSWORD_LENGTH} karakter. Mudah Anda ingat, sulit ditebak orang lain: misalnya beberapa kata yang tidak biasa digabung. Jangan pakai kata sandi akun lain.` },
  { field: 'again', label: 'Ulangi kata sandi baru', autocomplete: 'new-password' },
];

const messageOf = (field: PasswordField, problems: PasswordProblems) => {
  const problem = problems[field];
  return problem ? (MESSAGES[field][problem] ?? problem) : undefined;
};

/** One password input with its label, hint and error; never filled in (a password is not sent back). */
function passwordInput(f: (typeof FIELDS)[number], problems: PasswordProblems, first: boolean): RawHtml {
  const error = messageOf(f.field, problems);
  const described = [f.hint ? `${f.field}-hint` : '', error ? `${f.field}-error` : ''].filter(Boolean).join(' ');
  return html`<label for="${f.field}">${f.label}</label>
${f.hint ? html`<p class="hint" id="${f.field}-hint">${f.hint}</p>` : ''}
${error ? html`<p class="error" id="${f.field}-error">${error}</p>` : ''}
<input type="password" id="${f.field}" name="${f.field}" autocomplete="${f.autocomplete}"${described ? html` aria-describedby="${described}"` : raw('')}${error ? raw(' aria-invalid="true" class="invalid"') : raw('')}${first ? raw(' autofocus') : raw('')}>`;
}

/** The staff bar of these pages: no other page linked while the change is due (they lead back here). */
const bar = (user: AuthUser, next: string, due: boolean) => staffBar({ username: user.username, links: due ? [] : ROLE_PAGES[user.role], next, passwordLink: false });

/** `/akun/sandi`: a staff member changes their own password. No JavaScript needed. */
export function passwordPage(o: PasswordPageOptions): string {
  const problems = o.problems ?? {};
  const listed = FIELDS.filter((f) => problems[f.field]);
  const summary = Boolean(o.notice) || listed.length > 0;
  const body = html`<h1>Ganti kata sandi</h1>
${bar(o.user, o.next, o.due)}
${o.due ? html`<div class="card" role="status" id="wajib-ganti"><strong>Buat kata sandi Anda sendiri dulu.</strong> Kata sandi akun ini dibuatkan oleh admin, jadi orang lain pernah mengetahuinya. Sebelum melanjutkan, ganti dengan kata sandi yang hanya Anda ketahui.</div>` : ''}
<div class="card">
<form method="post" action="${PASSWORD_PAGE}" novalidate>
<input type="hidden" name="next" value="${o.next}">
${summary
  ? html`<div class="summary" role="alert" id="error-summary" tabindex="-1" autofocus><strong>Kata sandi belum diganti.${o.notice ? html` ${o.notice}` : ' Mohon perbaiki:'}</strong>${listed.length ? html`<ul>${listed.map((f) => html`<li><a href="#${f.field}">${messageOf(f.field, problems)}</a></li>`)}</ul>` : ''}</div>`
  : ''}
<input type="text" name="username" value="${o.user.username}" autocomplete="username" readonly hidden>
${FIELDS.map((f, i) => passwordInput(o.due && f.field === 'current' ? { ...f, hint: 'Kata sandi yang Anda terima dari admin.' } : f, problems, i === 0 && !summary))}
<p class="muted">Setelah diganti, sesi akun ini di perangkat lain berakhir; di perangkat ini Anda tetap masuk.</p>
<p><button type="submit">Simpan kata sandi baru</button></p>
</form>
</div>`;
  return layout(summary ? 'Kata sandi belum diganti — Ganti kata sandi' : 'Ganti kata sandi', body);
}

/** The answer to a change that was made (after its redirect: a reload sends nothing again). */
export function passwordChangedPage(o: { user: AuthUser; next: string }): string {
  const body = html`${bar(o.user, o.next, false)}
<div class="card" role="status" id="sandi-diganti">
<h1>Kata sandi Anda sudah diganti</h1>
<p>Mulai sekarang, masuk dengan kata sandi baru Anda. Sesi akun ini di perangkat lain sudah berakhir; di perangkat ini Anda tetap masuk.</p>
<p>Jangan beri tahu siapa pun kata sandi Anda, termasuk admin.</p>
<p><a class="button" href="${o.next}">Lanjutkan</a></p>
</div>`;
  return layout('Kata sandi sudah diganti', body);
}
