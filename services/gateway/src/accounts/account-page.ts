import { displayPhone } from '@aduan/schema';
import { passwordChangePath, passwordGroups } from '../auth/index.ts';
import { html, raw, type RawHtml } from '../views/html.ts';
import { layout } from '../views/layout.ts';
import { adminBar } from '../views/staff-bar.ts';
import { ROLE_LABELS } from './account-form.ts';
import { createdLabel, placeOf, type ListedAccount } from './accounts-page.ts';
import { SHOWN_PASSWORD_TTL_MS } from './shown-passwords.ts';

export interface AccountPageOptions {
  /** The admin looking. */
  username: string;
  account: ListedAccount;
  opdNames: ReadonlyMap<string, string>;
  /** A sentence above it all: a change made, or why one was not. */
  notice?: { text: string; error?: boolean };
  /** The WhatsApp field as typed, and why it was refused. */
  whatsapp?: { value: string; error: string };
  /** The stations operators work at now, offered for an operator's or admin's (one spelling each). */
  stations: string[];
  /** The station field as typed, and why it was refused. */
  station?: { value: string; error: string };
}

const row = (label: string, value: string | RawHtml) => html`<tr style="border-top:1px solid #dde3ea"><th scope="row" style="text-align:left;padding:6px 8px 6px 0;vertical-align:top;width:40%">${label}</th><td style="padding:6px 0">${value}</td></tr>`;
const heading = (id: string, text: string) => html`<h2 id="${id}" style="margin:0 0 8px;font-size:1.1rem">${text}</h2>`;

/** `/admin/akun/<username>`: one account, and what an admin can do with it (each a small form). */
export function accountPage(o: AccountPageOptions): string {
  const u = o.account;
  const self = u.username === o.username;
  const base = `/admin/akun/${u.username}`;
  const wa = o.whatsapp;
  const st = o.station;
  const body = html`
<h1>Akun ${u.username}</h1>
${adminBar(o.username, base)}
${o.notice ? html`<div class="${o.notice.error ? 'summary' : 'card'}" role="${o.notice.error ? 'alert' : 'status'}" id="pemberitahuan" style="margin-bottom:16px">${o.notice.text}</div>` : ''}
<section class="card" aria-labelledby="rincian">
${heading('rincian', 'Rincian')}
<table style="border-collapse:collapse;width:100%"><tbody>
${row('Peran', ROLE_LABELS[u.role])}
${u.role === 'opd' ? row('Instansi', placeOf(u, o.opdNames)) : row('Stasiun radio', u.station || '–')}
${u.role === 'opd' ? row('WhatsApp', u.whatsapp ? displayPhone(u.whatsapp) : 'Tidak ada (tidak menerima ringkasan)') : ''}
${row('Status', u.disabled ? html`<strong style="color:#b00020">Nonaktif</strong>` : 'Aktif')}
${u.passwordChangeDue ? row('Kata sandi', `Dibuat oleh admin: ${u.username} diminta membuat kata sandinya sendiri saat masuk.`) : ''}
${row('Dibuat', createdLabel(u.createdAt))}
</tbody></table>
</section>
${u.role === 'opd'
  ? ''
  : html`<section class="card" aria-labelledby="stasiun-judul">
${heading('stasiun-judul', 'Stasiun radio')}
<form method="post" action="${base}/stasiun" novalidate>
<label for="stasiun" style="margin-top:0">Nama stasiun</label>
<p class="hint" id="stasiun-hint">${u.role === 'operator' ? 'Tertulis pada setiap aduan yang dicatat operator ini, mulai aduan berikutnya. Misalnya Radio Patria FM.' : 'Boleh dikosongkan: admin tanpa stasiun tidak mencatat aduan di meja radio.'}</p>
${st ? html`<p class="error" id="stasiun-error">${st.error}</p>` : ''}
<input type="text" id="stasiun" name="stasiun" maxlength="100" value="${st ? st.value : u.station}"${o.stations.length ? raw(' list="stasiun-pilihan"') : raw('')} aria-describedby="stasiun-hint${st ? ' stasiun-error' : ''}"${st ? html` aria-invalid="true" class="invalid" autofocus` : ''}>
${o.stations.length ? html`<datalist id="stasiun-pilihan">${o.stations.map((x) => html`<option value="${x}">`)}</datalist>` : ''}
<p><button type="submit">Simpan stasiun</button></p>
</form>
</section>`}
<section class="card" aria-labelledby="sandi">
${heading('sandi', 'Kata sandi')}
${self
  ? html`<p id="sandi-sendiri">Kata sandi Anda sendiri Anda ganti di halaman <a href="${passwordChangePath(base)}">Ganti kata sandi</a>.</p>`
  : html`<p>Bila ${u.username} lupa kata sandi, buat yang baru. Kata sandi lama dan semua sesi akun ini yang sedang berjalan langsung berhenti berlaku.</p>
<form method="post" action="${base}/sandi"><button type="submit" class="secondary">Atur ulang kata sandi</button></form>`}
</section>
<section class="card" aria-labelledby="status">
${heading('status', 'Status akun')}
${u.disabled
  ? html`<p>Akun ini nonaktif: tidak dapat dipakai untuk masuk. Aktifkan bila ${u.username} bertugas lagi.</p>
<form method="post" action="${base}/aktifkan"><button type="submit">Aktifkan</button></form>`
  : self
    ? html`<p id="bukan-diri-sendiri">Ini akun Anda sendiri. Anda tidak dapat menonaktifkannya; bila perlu, minta admin lain.</p>`
    : html`<p>Nonaktifkan akun petugas yang sudah tidak bertugas: ${u.username} tidak dapat masuk lagi dan sesinya yang sedang berjalan langsung berakhir. Akun dapat diaktifkan kembali kapan saja.</p>
<form method="post" action="${base}/nonaktifkan"><button type="submit" class="secondary">Nonaktifkan</button></form>`}
</section>
${u.role === 'opd'
  ? html`<section class="card" aria-labelledby="wa">
${heading('wa', 'Ringkasan lewat WhatsApp')}
<form method="post" action="${base}/whatsapp" novalidate>
<label for="nomor" style="margin-top:0">Nomor WhatsApp</label>
<p class="hint" id="nomor-hint">Setiap pagi hari kerja, ke nomor ini dikirim ringkasan aduan yang menunggu tanggapan instansinya.</p>
${wa ? html`<p class="error" id="nomor-error">${wa.error}</p>` : ''}
<input type="tel" id="nomor" name="nomor" maxlength="30" placeholder="0812 3456 7890" value="${wa ? wa.value : u.whatsapp ? displayPhone(u.whatsapp) : ''}" aria-describedby="nomor-hint${wa ? ' nomor-error' : ''}"${wa ? html` aria-invalid="true" class="invalid" autofocus` : ''}>
<p><button type="submit">Simpan nomor</button></p>
</form>
${u.whatsapp ? html`<form method="post" action="${base}/whatsapp"><input type="hidden" name="hapus" value="ya"><button type="submit" class="secondary">Hapus nomor</button></form>` : ''}
</section>`
  : ''}
<p><a href="/admin/akun">Kembali ke daftar akun</a></p>`;
  return layout(`Akun ${u.username}`, body);
}

/** What a destructive change asks before it is made: the same form again, confirmed (`yakin=ya`). */
export function confirmPage(o: { account: ListedAccount; action: 'sandi' | 'nonaktifkan' }): string {
  const u = o.account;
  const base = `/admin/akun/${u.username}`;
  const [title, text, button] =
    o.action === 'sandi'
      ? [`Atur ulang kata sandi ${u.username}?`, `Kata sandi ${u.username} yang sekarang berhenti berlaku, dan sesinya yang sedang berjalan langsung berakhir. Sistem akan membuat kata sandi baru untuk Anda serahkan kepadanya.`, 'Ya, buat kata sandi baru']
      : [`Nonaktifkan akun ${u.username}?`, `${u.username} tidak dapat masuk lagi, dan sesinya yang sedang berjalan langsung berakhir. Akun dapat diaktifkan kembali kapan saja.`, 'Ya, nonaktifkan'];
  const body = html`<div class="card" id="konfirmasi">
<h1>${title}</h1>
<p>${text}</p>
<form method="post" action="${base}/${o.action}"><input type="hidden" name="yakin" value="ya"><p><button type="submit">${button}</button></p></form>
<p><a href="${base}">Batal</a></p>
</div>`;
  return layout(title, body);
}

const TTL_MINUTES = String(SHOWN_PASSWORD_TTL_MS / 60_000);

/**
 * A password the page made (a new account's, or a reset's), shown after the form's redirect, for
 * SHOWN_PASSWORD_TTL_MS to the admin who made it (ShownPasswords). Redis keeps only its hash for
 * the login, so it is handed over now. An admin's own password is never made here: they change it
 * on /akun/sandi.
 */
export function passwordPage(o: { account: ListedAccount; password: string; placeName: string; added: boolean }): string {
  const u = o.account;
  const title = o.added ? `Akun ${u.username} dibuat` : `Kata sandi baru untuk ${u.username}`;
  const body = html`<div class="card" role="status" id="kata-sandi-baru">
<h1>${title}</h1>
<p>${ROLE_LABELS[u.role]}${o.placeName ? ` · ${o.placeName}` : ''}</p>
<p style="margin-bottom:4px">Nama pengguna: <strong class="code">${u.username}</strong></p>
<p style="margin-bottom:4px">Kata sandi:</p>
<p id="kata-sandi" class="code" style="font-size:1.5rem;font-weight:800;background:#fff8e1;padding:8px 12px;border-radius:8px;display:inline-block;white-space:normal;margin:0 0 12px">${passwordGroups(o.password).map((g) => html`<span style="display:inline-block;margin-right:.45em">${g}</span>`)}</p>
<p class="hint" style="margin-top:0">Huruf kecil semua, diketik tanpa spasi.</p>
<p><strong>Serahkan kata sandi ini kepada ${u.username} secara pribadi</strong>: bacakan langsung atau lewat telepon, atau kirim lewat pesan pribadi kepadanya saja, bukan di grup. Saat pertama kali masuk, ${u.username} diminta mengganti kata sandi ini dengan kata sandinya sendiri.</p>
<p>Halaman ini hanya dapat dibuka selama ${TTL_MINUTES} menit, dari perangkat ini. Sistem tidak menyimpan kata sandi ini dalam bentuk yang dapat dibaca, jadi setelah itu kata sandi ini tidak dapat dilihat lagi. Bila terlupa, atur ulang kata sandinya.</p>
<p>${o.added ? html`<a class="button" href="/admin/akun#tambah">Tambah akun lain</a> ` : ''}<a href="/admin/akun/${u.username}">Lihat akun ${u.username}</a> · <a href="/admin/akun">Daftar akun</a></p>
</div>`;
  return layout(title, body);
}

/** The password's page once it is no longer kept (SHOWN_PASSWORD_TTL_MS passed, or another session): says so, and what to do. */
export function passwordGonePage(o: { account: ListedAccount }): string {
  const u = o.account;
  const body = html`<div class="card" id="kata-sandi-lewat">
<h1>Kata sandi ini tidak dapat ditampilkan lagi</h1>
<p>Kata sandi yang dibuat sistem hanya dapat dilihat selama ${TTL_MINUTES} menit setelah dibuat, dan hanya oleh admin yang membuatnya, dari perangkat yang sama.</p>
<p>Bila kata sandi ${u.username} belum sempat diserahkan, atur ulang kata sandinya di halaman akun: sistem akan membuat kata sandi baru, dan yang lama tidak berlaku lagi.</p>
<p><a class="button" href="/admin/akun/${u.username}#sandi">Ke akun ${u.username}</a></p>
</div>`;
  return layout('Kata sandi tidak dapat ditampilkan lagi', body);
}
