import type { Opd } from '@aduan/routing/directory';
import { displayPhone, wibDateTime } from '@aduan/schema';
import type { StoredUser } from '../auth/index.ts';
import { html, raw, type RawHtml } from '../views/html.ts';
import { layout } from '../views/layout.ts';
import { adminBar } from '../views/staff-bar.ts';
import { ROLE_LABELS, type AddErrors, type AddField, type AddForm } from './account-form.ts';

/** An account as the pages show it: never its password hash. */
export type ListedAccount = Omit<StoredUser, 'passwordHash'>;

/** The abbreviation first, as on the triage page ("Dishub — Dinas Perhubungan"): admins know OPDs by it. */
export const opdLabel = (o: Pick<Opd, 'name' | 'shortName'>) => (o.shortName === o.name ? o.name : `${o.shortName} — ${o.name}`);

/** Where an account works: its OPD by the directory's name (its code when the directory no longer has it), or its station. */
export function placeOf(u: Pick<ListedAccount, 'role' | 'opd' | 'station'>, opdNames: ReadonlyMap<string, string>): string {
  if (u.role === 'opd') return opdNames.get(u.opd) ?? u.opd;
  return u.station;
}

/** "28 Nov 2026, 14.05"; "–" for an account made before it was recorded. */
export const createdLabel = (iso: string) => (iso && !Number.isNaN(Date.parse(iso)) ? wibDateTime(iso) : '–');

/** Stations operators work at, offered for an account's: one station, one spelling on every desk complaint. */
export const stationsInUse = (accounts: ListedAccount[]): string[] => [...new Set(accounts.filter((u) => u.role === 'operator' && u.station).map((u) => u.station))].sort();

export interface AccountsPageOptions {
  /** The admin looking. */
  username: string;
  accounts: ListedAccount[];
  /** The OPDs an account may belong to (accountOpds), for the form's list. */
  opds: Opd[];
  /** Every directory OPD's name by code, for the table. */
  opdNames: ReadonlyMap<string, string>;
  form: AddForm;
  errors?: AddErrors;
}

const th = (label: string) => html`<th scope="col" style="text-align:left;padding:6px 8px;vertical-align:bottom">${label}</th>`;
const td = (v: string | RawHtml) => html`<td style="padding:6px 8px;vertical-align:top">${v}</td>`;

function accountRow(u: ListedAccount, opdNames: ReadonlyMap<string, string>): RawHtml {
  return html`<tr style="border-top:1px solid #dde3ea">
<th scope="row" style="text-align:left;padding:6px 8px;vertical-align:top"><a href="/admin/akun/${u.username}">${u.username}</a></th>${td(ROLE_LABELS[u.role])}${td(placeOf(u, opdNames) || '–')}${td(u.whatsapp ? displayPhone(u.whatsapp) : '–')}${td(u.disabled ? html`<strong style="color:#b00020">Nonaktif</strong>` : 'Aktif')}${td(createdLabel(u.createdAt))}
</tr>`;
}

/** The field's input attributes: its hint and error, and whether it is refused. */
function described(field: AddField, errors: AddErrors, hint?: string): RawHtml {
  const ids = [hint, errors[field] ? `${field}-error` : ''].filter(Boolean).join(' ');
  return html`${ids ? html` aria-describedby="${ids}"` : ''}${errors[field] ? raw(' aria-invalid="true" class="invalid"') : raw('')}`;
}

const fieldError = (field: AddField, errors: AddErrors) => (errors[field] ? html`<p class="error" id="${field}-error">${errors[field]}</p>` : '');

const ROLE_HINTS: Record<keyof typeof ROLE_LABELS, string> = {
  admin: 'Triase aduan, rekap bulanan, dan akun petugas.',
  operator: 'Meja radio: mencatat aduan dari telepon pendengar satu stasiun.',
  opd: 'Kotak masuk aduan satu instansi: membaca dan menanggapi aduan.',
};

/** Each field's first input, where the error summary's links lead. */
const FIELD_TARGETS: Record<AddField, string> = { username: 'username', role: 'role-admin', station: 'station', opd: 'opd', whatsapp: 'whatsapp' };
const FIELD_ORDER: AddField[] = ['username', 'role', 'station', 'opd', 'whatsapp'];

/** "Tambah akun": the password is the server's, shown once on the answer (passwordPage). */
function addForm(o: AccountsPageOptions): RawHtml {
  const f = o.form;
  const errors = o.errors ?? {};
  const listed = FIELD_ORDER.filter((k) => errors[k]);
  const stations = stationsInUse(o.accounts);
  const chosenOpd = o.opds.some((x) => x.code === f.opd) ? f.opd : '';
  return html`<section class="card" aria-labelledby="tambah" style="scroll-margin-top:16px">
<h2 id="tambah" style="margin:0 0 8px;font-size:1.15rem">Tambah akun</h2>
<form method="post" action="/admin/akun" novalidate autocomplete="off">
${listed.length ? html`<div class="summary" role="alert" id="error-summary" tabindex="-1" autofocus><strong>Akun belum dibuat. Mohon perbaiki:</strong><ul>${listed.map((k) => html`<li><a href="#${FIELD_TARGETS[k]}">${errors[k]}</a></li>`)}</ul></div>` : ''}
<label for="username">Nama pengguna</label>
<p class="hint" id="username-hint">Dipakai untuk masuk, misalnya budi.dishub: huruf kecil, angka, titik, garis bawah atau tanda hubung, tanpa spasi.</p>
${fieldError('username', errors)}
<input type="text" id="username" name="username" value="${f.username}" maxlength="40" autocapitalize="none" autocorrect="off" spellcheck="false"${described('username', errors, 'username-hint')}>
<fieldset${errors.role ? raw(' aria-describedby="role-error"') : raw('')}>
<legend>Peran</legend>
${fieldError('role', errors)}
${(['admin', 'operator', 'opd'] as const).map((r) => html`<div class="check"><input type="radio" id="role-${r}" name="role" value="${r}"${f.role === r ? raw(' checked') : raw('')} aria-describedby="role-${r}-hint"><div><label for="role-${r}">${ROLE_LABELS[r]}</label><p class="hint" id="role-${r}-hint" style="margin:0">${ROLE_HINTS[r]}</p></div></div>`)}
</fieldset>
<label for="station">Stasiun radio (untuk operator)</label>
<p class="hint" id="station-hint">Tertulis pada setiap aduan yang dicatat operator ini, misalnya Radio Patria FM. Admin boleh dikosongkan.</p>
${fieldError('station', errors)}
<input type="text" id="station" name="station" value="${f.station}" maxlength="100"${stations.length ? raw(' list="stasiun"') : raw('')}${described('station', errors, 'station-hint')}>
${stations.length ? html`<datalist id="stasiun">${stations.map((s) => html`<option value="${s}">`)}</datalist>` : ''}
<label for="opd">Instansi (untuk staf instansi)</label>
${fieldError('opd', errors)}
<select id="opd" name="opd"${described('opd', errors)}><option value=""${chosenOpd ? raw('') : raw(' selected')}>Tidak ada</option>${o.opds.map((x) => html`<option value="${x.code}"${x.code === chosenOpd ? raw(' selected') : raw('')}>${opdLabel(x)}</option>`)}</select>
<label for="whatsapp">Nomor WhatsApp (untuk staf instansi, boleh dikosongkan)</label>
<p class="hint" id="whatsapp-hint">Ke nomor ini dikirim ringkasan aduan yang menunggu tanggapan, setiap pagi hari kerja.</p>
${fieldError('whatsapp', errors)}
<input type="tel" id="whatsapp" name="whatsapp" value="${f.whatsapp}" maxlength="30" placeholder="0812 3456 7890"${described('whatsapp', errors, 'whatsapp-hint')}>
<p class="muted">Kata sandi dibuat oleh sistem dan ditampilkan satu kali setelah akun dibuat.</p>
<p><button type="submit">Tambah akun</button></p>
</form>
</section>`;
}

/** `/admin/akun`: every staff account, and the form to add one. */
export function accountsPage(o: AccountsPageOptions): string {
  const body = html`
<h1>Akun petugas</h1>
${adminBar(o.username, '/admin/akun')}
<p><a href="#tambah">Tambah akun</a> · Pilih nama pengguna untuk mengatur ulang kata sandi, menonaktifkan akun, atau mengubah stasiun radio atau nomor WhatsApp.</p>
<section class="card" aria-labelledby="daftar-akun">
<h2 id="daftar-akun" style="margin:0 0 8px;font-size:1.15rem">Daftar akun (${String(o.accounts.length)})</h2>
${o.accounts.length === 0
  ? html`<p>Belum ada akun.</p>`
  : html`<div style="overflow-x:auto"><table id="akun" style="border-collapse:collapse;width:100%;font-size:.95rem">
<thead><tr>${th('Nama pengguna')}${th('Peran')}${th('Stasiun / instansi')}${th('WhatsApp')}${th('Status')}${th('Dibuat')}</tr></thead>
<tbody>${o.accounts.map((u) => accountRow(u, o.opdNames))}</tbody>
</table></div>`}
</section>
${addForm(o)}`;
  return layout(o.errors && Object.keys(o.errors).length ? 'Akun belum dibuat — Akun petugas' : 'Akun petugas', body, { wide: true });
}
