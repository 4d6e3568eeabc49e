import { EXTERNAL_OPD, STATUS_KEEP_DAYS } from '@aduan/queue';
import { displayPhone, wibDateTime, type StatusView } from '@aduan/schema';
import { html, raw, type RawHtml } from './html.ts';
import { layout } from './layout.ts';
import { FORM_SCRIPT_PATH } from './page-reply.ts';
import { STATE_LABELS } from './messages-id.ts';

/** wa.me opens a chat with the city's number, "cek <ticket>" typed in, on a phone or WhatsApp Web. */
export const whatsappCheckLink = (e164: string, ticket: string) => `https://wa.me/${e164.slice(1)}?text=${encodeURIComponent(`cek ${ticket}`)}`;

/** The citizen's status page for one complaint: a link to keep. */
export const statusLink = (a: { ticket: string; statusToken: string }) => `/status?ticket=${encodeURIComponent(a.ticket)}&token=${encodeURIComponent(a.statusToken)}`;

/**
 * Where the citizen page sends a citizen once their complaint is accepted (the thank-you page,
 * GET /diterima). `whatsapp`: they left a phone number, so "cek" on WhatsApp can answer them.
 * `emergency`: their words tell of an emergency that may be happening now (mentionsEmergency).
 */
export const receivedLink = (a: { id: string; ticket: string; statusToken: string; whatsapp: boolean; emergency: boolean }) =>
  `/diterima?ticket=${encodeURIComponent(a.ticket)}&id=${a.id}&token=${encodeURIComponent(a.statusToken)}${a.whatsapp ? '&wa=1' : ''}${a.emergency ? '&darurat=1' : ''}`;

/** Said first, when a complaint's words tell of an emergency: a complaint waits for an office, 112 does not. */
export const EMERGENCY_NOW = html`<p class="emergency" id="emergency-now"><strong>Bila ini keadaan darurat yang sedang terjadi</strong>, jangan menunggu tindak lanjut aduan ini: segera telepon <a href="tel:112">112</a> (gratis, 24 jam).</p>`;

/**
 * The thank-you page (GET /diterima). `whatsapp`: the city's WhatsApp number
 * (WHATSAPP_PUBLIC_NUMBER), given only when the citizen left a phone number: "cek" on WhatsApp
 * answers that number alone. `emergency`: the 112 line first (receivedLink).
 */
export function successPage(a: { ticket: string; statusToken: string; whatsapp?: string | undefined; emergency?: boolean }): string {
  const link = statusLink(a);
  return layout(
    'Aduan terkirim',
    html`<div class="card" role="status" id="complaint-received">
<h1>Terima kasih, aduan Anda sudah kami terima</h1>
${a.emergency ? EMERGENCY_NOW : ''}
<p>Nomor tiket Anda:</p>
<p class="ticket" id="ticket">${a.ticket}</p>
<p>Kode akses: <strong id="status-token" class="code">${a.statusToken}</strong></p>
<p>Simpan nomor tiket dan kode akses ini, misalnya dengan tangkapan layar (screenshot). Untuk melihat perkembangan aduan, buka <a id="status-link" href="${link}">halaman status</a> (simpan tautannya) atau masukkan keduanya di halaman Cek Status.</p>
<p class="muted">Kode akses menjaga agar hanya Anda yang bisa melihat status aduan ini.</p>
${a.whatsapp ? html`<p id="whatsapp-check">Anda juga bisa memantaunya lewat WhatsApp: dari nomor HP yang Anda isi, kirim <strong>cek ${a.ticket}</strong> ke <a href="${whatsappCheckLink(a.whatsapp, a.ticket)}" rel="noopener">${displayPhone(a.whatsapp)}</a>. Setelah itu, kabar perkembangannya akan kami kirimkan ke WhatsApp Anda.</p>` : ''}
<p><a class="button" href="/">Kirim aduan lain</a></p>
</div>`,
    // The form's script forgets the complaint it kept in case this answer was lost.
    { scriptSrc: FORM_SCRIPT_PATH },
  );
}

/**
 * The citizen's status page. `whatsapp`: the complaint was filed on the web form or at the radio
 * desk with a phone number, and the city has a WhatsApp number: the page offers its news there
 * ("cek" from that phone), or says it comes there already (`following`).
 */
export function statusPage(opts: { ticket?: string; token?: string; view?: StatusView; notFound?: boolean; ticketPrefix?: string; whatsapp?: { number: string; following: boolean }; reopen?: ReopenForm; reopenSent?: boolean }): string {
  const v = opts.view;
  return layout(
    // Heard first by a screen reader: whether the look-up failed.
    opts.notFound ? 'Tiket tidak ditemukan — Cek status aduan' : 'Cek status aduan',
    html`<h1>Cek status aduan</h1>
${opts.notFound ? html`<div class="summary" role="alert">Tiket tidak ditemukan atau kode akses tidak cocok. Mohon periksa kembali.<br>Status aduan dapat dilihat sampai ${STATUS_KEEP_DAYS} hari setelah aduan dikirim.</div>` : ''}
${
  v
    ? html`<div class="card" role="status"><p>Tiket <span class="ticket">${v.ticket}</span></p>
<p><strong>Status:</strong> ${STATE_LABELS[v.state]}${v.opd && v.opd.code !== EXTERNAL_OPD ? html` — <strong>${v.opd.name}</strong>` : ''}</p>
<p class="muted">Diterima ${wibDateTime(v.receivedAt)} WIB · diperbarui ${wibDateTime(v.updatedAt)} WIB</p>
<h2>Riwayat</h2><ol class="history">${v.history.map((h) => html`<li>${wibDateTime(h.at)} WIB: ${STATE_LABELS[h.state]}${h.message ? html` — ${h.message}` : ''}</li>`)}</ol>
${
  opts.whatsapp
    ? opts.whatsapp.following
      ? html`<p id="whatsapp-follow">Kabar perkembangan aduan ini juga kami kirimkan ke WhatsApp Anda.</p>`
      : html`<p id="whatsapp-follow">Ingin kabar perkembangannya lewat WhatsApp? Kirim <strong>cek ${v.ticket}</strong> ke <a href="${whatsappCheckLink(opts.whatsapp.number, v.ticket)}" rel="noopener">${displayPhone(opts.whatsapp.number)}</a> dari nomor HP yang Anda isi.</p>`
    : ''
}</div>
${opts.reopenSent ? html`<div class="card" role="status" id="reopen-sent"><p><strong>Terima kasih, keterangan Anda sudah kami terima.</strong> Aduan ini kami teruskan kembali ke ${v.opd?.name ?? 'OPD yang menanganinya'} untuk ditindaklanjuti lagi.</p></div>` : ''}
${opts.reopen ? reopenForm(v, opts.reopen) : ''}`
    : ''
}
<form method="get" action="/status" class="card">
<label for="ticket">Nomor tiket</label>
<input type="text" id="ticket" name="ticket" required value="${opts.ticket ?? ''}" autocomplete="off" autocapitalize="characters" autocorrect="off" spellcheck="false" placeholder="${opts.ticketPrefix ?? 'ADU'}-XXXX-XXXX">
<label for="token">Kode akses</label>
<input type="text" id="token" name="token" required autocomplete="off" autocapitalize="characters" autocorrect="off" spellcheck="false" placeholder="XXXX-XXXX-XXXX" aria-describedby="token-hint" value="${opts.notFound ? (opts.token ?? '') : ''}">
<p class="muted" id="token-hint">Huruf besar atau kecil sama saja.</p>
<p><button type="submit">Cek status</button></p>
</form>`,
  );
}

/**
 * The status page's "Masalahnya belum selesai?" (ADR 0014): the form while the resolved complaint
 * may be reopened (`until`, its last moment), with what was typed and its error after a refused
 * post; or, once refused for good (`refused`), why.
 */
export interface ReopenForm {
  token: string;
  until?: number;
  value?: string;
  error?: string;
  refused?: string;
}

function reopenForm(v: StatusView, f: ReopenForm): RawHtml {
  if (f.refused) return html`<div class="summary" role="alert" id="reopen-refused">${f.refused}</div>`;
  return html`<form method="post" action="/status/belum-selesai" class="card" id="reopen">
<h2>Masalahnya belum selesai?</h2>
<p class="muted" id="reason-hint">Bila masalahnya ternyata belum beres, ceritakan keadaannya sekarang. Aduan akan kami teruskan kembali ke ${v.opd?.name ?? 'OPD yang menanganinya'}${f.until ? html` (paling lambat ${wibDateTime(new Date(f.until).toISOString())} WIB)` : ''}.</p>
<input type="hidden" name="ticket" value="${v.ticket}">
<input type="hidden" name="token" value="${f.token}">
<label for="reason">Apa yang belum selesai?</label>
${f.error ? html`<p class="error" id="reason-error">${f.error}</p>` : ''}
<textarea id="reason" name="reason" rows="4" maxlength="1000" required aria-describedby="reason-hint${f.error ? ' reason-error' : ''}"${f.error ? raw(' aria-invalid="true" autofocus') : ''}>${f.value ?? ''}</textarea>
<p><button type="submit">Kirim: belum selesai</button></p>
</form>`;
}

/** Where an error page leads back to: the citizen's form, or for staff pages their own. */
export interface BackLink {
  href: string;
  label: string;
}

const TO_THE_FORM: BackLink = { href: '/', label: 'Kembali ke formulir' };

/** An error page's way back for the page a request was for: staff (login, desk, triage, OPD inbox) stay among staff pages. */
export function backLinkFor(url: string): BackLink {
  const path = url.split('?')[0] ?? '';
  if (path === '/login' || path === '/logout') return { href: '/login', label: 'Kembali ke halaman masuk' };
  if (path === '/desk' || path.startsWith('/desk/')) return { href: '/desk', label: 'Kembali ke meja radio' };
  if (path.startsWith('/admin/')) return { href: '/admin/triage', label: 'Kembali ke triase' };
  if (path === '/opd' || path.startsWith('/opd/')) return { href: '/opd', label: 'Kembali ke kotak masuk' };
  return TO_THE_FORM;
}

export function errorPage(title: string, message: string, back: BackLink = TO_THE_FORM): string {
  return layout(title, html`<div class="card" role="alert"><h1>${title}</h1><p>${message}</p><p><a class="button" href="${back.href}">${back.label}</a></p></div>`);
}
