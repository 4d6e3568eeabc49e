import { wibDateTime, type ComplaintState, type RoutedComplaint, type StatusView } from '@aduan/schema';
import { html, raw, type RawHtml } from '../views/html.ts';
import { layout } from '../views/layout.ts';
import { passwordChangePath } from '../auth/index.ts';
import { staffBar } from '../views/staff-bar.ts';
import { attachmentList, locationText } from '../triage/complaint-parts.ts';
import { STATE_LABELS } from '../views/messages-id.ts';

/** A complaint with the OPD: as published to it, or (its routing no longer kept: OpdComplaints.find) its status alone. */
export interface InboxEntry {
  id: string;
  complaint: RoutedComplaint | null;
  status: StatusView;
  /** While unanswered: when it turns overdue (ISO). */
  respondBy?: string;
  /** While unanswered: 00.00 WIB of the last working day to answer on (ISO). */
  lastDay?: string;
}

/** How staff name the states in the inbox: what the OPD did, not what the citizen reads. */
const OPD_STATE_LABELS: Partial<Record<ComplaintState, string>> = {
  routed: 'Menunggu tanggapan',
  in_progress: 'Sedang diproses',
  resolved: 'Selesai',
  rejected: 'Tidak dapat ditindaklanjuti',
};

/** The states an OPD reports, as the form offers them. */
export const REPORT_CHOICES = [
  { state: 'in_progress', label: 'Sedang diproses', hint: 'Aduan sudah diterima dan sedang ditindaklanjuti.' },
  { state: 'resolved', label: 'Selesai', hint: 'Masalahnya sudah ditangani.' },
  { state: 'rejected', label: 'Tidak dapat ditindaklanjuti', hint: 'Tulis alasannya untuk pelapor.' },
  { state: 'returned', label: 'Bukan kewenangan kami', hint: 'Aduan dikembalikan ke admin untuk diteruskan ke instansi yang tepat. Tulis alasannya untuk admin; pelapor tidak melihatnya.' },
] as const;
export type ReportChoice = (typeof REPORT_CHOICES)[number]['state'];

const CHANNELS = { whatsapp: 'WhatsApp', instagram: 'Instagram', webform: 'formulir web', radio: 'radio' } as const;

/** "4 Des 2026". */
const wibDate = (iso: string) => wibDateTime(iso).split(',')[0] ?? '';

function deadlineLine(e: InboxEntry, nowMs: number): RawHtml | '' {
  if (!e.respondBy || !e.lastDay) return '';
  return Date.parse(e.respondBy) <= nowMs
    ? html`<p class="error">Melewati batas waktu (paling lambat ${wibDate(e.lastDay)}).</p>`
    : html`<p>Tanggapi paling lambat <strong>${wibDate(e.lastDay)}</strong>.</p>`;
}


/** The citizen said the OPD's resolution did not solve it (ADR 0014): why, in their words (masked for a confidential one, forOpd). */
const reopenedLine = (r: NonNullable<RoutedComplaint['routing']['reopened']>): RawHtml =>
  html`<p class="reopened" style="margin:6px 0"><strong>Dibuka kembali oleh warga</strong> ${wibDateTime(r.at)}${r.count > 1 ? ` (ke-${r.count})` : ''}: “${r.reason}”</p>`;

const snippet = (text: string) => (text.length > 200 ? `${text.slice(0, 200).trimEnd()}…` : text);

function listItem(e: InboxEntry, nowMs: number): RawHtml {
  const c = e.complaint;
  const where = c ? locationText(c.location) : '';
  const photos = c?.attachments.length ?? 0;
  return html`<li class="card" style="margin-bottom:12px">
<p style="margin:0"><a href="/opd/aduan/${e.id}"><strong class="code">${e.status.ticket}</strong></a> · ${OPD_STATE_LABELS[e.status.state] ?? e.status.state} · ${CHANNELS[e.status.channel]} · diterima ${wibDateTime(e.status.receivedAt)}</p>
${c ? html`<p style="margin:6px 0;white-space:pre-line">${snippet(c.text)}</p>` : html`<p class="muted" style="margin:6px 0">Isi aduan tidak lagi tersimpan (diteruskan lebih dari 30 hari lalu).</p>`}
${where ? html`<p class="muted" style="margin:0">Lokasi: ${where}</p>` : ''}${photos ? html`<p class="muted" style="margin:0">${String(photos)} lampiran</p>` : ''}
${c?.routing.reopened ? reopenedLine(c.routing.reopened) : ''}
${e.status.state === 'routed' ? deadlineLine(e, nowMs) : ''}
</li>`;
}

function section(id: string, title: string, entries: InboxEntry[], nowMs: number, empty: string, more = 0): RawHtml {
  return html`<section aria-labelledby="${id}">
<h2 id="${id}" style="font-size:1.15rem;margin:24px 0 8px">${title}</h2>
${entries.length === 0 ? html`<p class="muted">${empty}</p>` : html`<ul style="list-style:none;padding:0;margin:0">${entries.map((e) => listItem(e, nowMs))}</ul>`}
${more > 0 ? html`<p class="muted">Masih ada ${String(more)} aduan lain yang lebih baru; tanggapi yang di atas lebih dulu.</p>` : ''}
</section>`;
}

/** Who is logged in, for which OPD, a link to the inbox's other page (`to`), and the logout button. */
export const accountBar = (o: { username: string; opdName: string }, to: 'inbox' | 'report'): RawHtml =>
  staffBar({ username: o.username, of: o.opdName, links: [to === 'inbox' ? ['/opd', 'Kotak masuk'] : ['/opd/rekap', 'Rekap bulanan']], next: '/opd' });

export interface InboxPageOptions {
  username: string;
  opdName: string;
  nowMs: number;
  responseDays: number | null;
  awaiting: InboxEntry[];
  /** All the OPD has not answered, of which `awaiting` is the oldest. */
  awaitingTotal: number;
  inProgress: InboxEntry[];
  /** All the OPD reported in progress and has not closed, of which `inProgress` is the earliest routed. */
  inProgressTotal: number;
  done: InboxEntry[];
  /** A sentence above the lists (a report sent, a ticket not found). */
  notice?: { text: string; error?: boolean };
  /** The ticket searched for. */
  ticket?: string;
}

/** An OPD's inbox: what waits for its answer (oldest first), what it is working on, what it closed lately. */
export function inboxPage(o: InboxPageOptions): string {
  const body = html`
<h1>Kotak masuk ${o.opdName}</h1>
${accountBar(o, 'report')}
${o.notice ? html`<div class="${o.notice.error ? 'summary' : 'card'}" role="${o.notice.error ? 'alert' : 'status'}" id="pemberitahuan" style="margin-bottom:16px">${o.notice.text}</div>` : ''}
<form method="get" action="/opd" class="card" role="search">
<label for="tiket" style="margin-top:0">Cari tiket</label>
<p class="hint" id="tiket-hint">Nomor tiket aduan yang diteruskan ke instansi Anda, misalnya ADU-7K3M-9Q2X.</p>
<div style="display:flex;gap:8px"><input type="text" id="tiket" name="tiket" value="${o.ticket ?? ''}" aria-describedby="tiket-hint" autocomplete="off" style="flex:1;min-width:0"><button type="submit">Cari</button></div>
</form>
${o.responseDays !== null ? html`<p class="muted">Setiap aduan perlu ditanggapi dalam ${String(o.responseDays)} hari kerja sejak diteruskan: diproses, diselesaikan, dinyatakan tidak dapat ditindaklanjuti, atau dikembalikan ke admin bila bukan kewenangan instansi Anda.</p>` : ''}
${section('menunggu', `Menunggu tanggapan (${o.awaitingTotal})`, o.awaiting, o.nowMs, 'Tidak ada aduan yang menunggu tanggapan.', o.awaitingTotal - o.awaiting.length)}
${section('diproses', `Sedang diproses (${o.inProgressTotal})`, o.inProgress, o.nowMs, 'Tidak ada aduan yang sedang diproses.', o.inProgressTotal - o.inProgress.length)}
${section('selesai', 'Baru ditutup (selesai atau tidak dapat ditindaklanjuti)', o.done, o.nowMs, 'Belum ada aduan yang ditutup dalam 30 hari terakhir.')}`;
  return layout(`Kotak masuk ${o.opdName}`, body);
}

/** What the report form holds: sent back with the refused fields' messages. */
export interface ReportForm {
  state: ReportChoice | '';
  message: string;
  /** The form's own id: sent twice (a double click), it is one report. */
  updateId: string;
}

export interface ComplaintPageOptions {
  username: string;
  opdName: string;
  nowMs: number;
  entry: InboxEntry;
  form: ReportForm;
  errors?: { state?: string; message?: string };
  /** A sentence above it all: a report sent, or why it was not. */
  notice?: { text: string; error?: boolean };
  /** The citizen's later sends linked to it that are with this OPD too. */
  additions: { id: string; ticket: string }[];
  /** The directory's category label by code ("lalu-lintas" -> "Lalu lintas, rambu, angkutan umum"). */
  categoryLabel: (code: string) => string;
}

function reporterBlock(c: RoutedComplaint): RawHtml {
  const r = c.reporter;
  if (!r) return html`<p>Identitas pelapor <strong>dirahasiakan</strong> atas permintaan pelapor. Tanggapan Anda tetap sampai kepadanya lewat Aduan.</p>`;
  const lines: RawHtml[] = [];
  if (r.anonymous) lines.push(html`<li>Pelapor meminta namanya tidak disebut (anonim).</li>`);
  if (r.name) lines.push(html`<li>Nama: ${r.name}</li>`);
  if (r.phone) lines.push(html`<li>Telepon: <a href="tel:${r.phone}">${r.phone}</a></li>`);
  if (r.email) lines.push(html`<li>E-mail: <a href="mailto:${r.email}">${r.email}</a></li>`);
  if (r.handle) lines.push(html`<li>${c.channel === 'instagram' ? 'Instagram' : 'Akun'}: ${r.handle}</li>`);
  return lines.length ? html`<ul style="margin:0;padding-left:20px">${lines}</ul>` : html`<p class="muted">Pelapor tidak meninggalkan kontak.</p>`;
}


function complaintBlock(e: InboxEntry, categoryLabel: (code: string) => string): RawHtml {
  const c = e.complaint;
  if (!c) return html`<section class="card"><p>Isi aduan, lokasi, dan lampirannya tidak lagi tersimpan (aduan ini diteruskan ke instansi Anda lebih dari 30 hari lalu). Bila perlu, tanyakan isinya ke admin. Anda tetap dapat mengirim tanggapan.</p></section>`;
  const where = locationText(c.location);
  const map = c.location?.lat !== undefined && c.location.lon !== undefined ? `https://www.openstreetmap.org/?mlat=${c.location.lat}&mlon=${c.location.lon}#map=18/${c.location.lat}/${c.location.lon}` : '';
  const radio = c.channel === 'radio' ? [c.source.account, c.intake.program].filter(Boolean).join(', ') : '';
  return html`<section class="card" aria-labelledby="isi">
<h2 id="isi" style="margin:0 0 8px;font-size:1.1rem">Isi aduan</h2>
${c.routing.reopened ? reopenedLine(c.routing.reopened) : ''}
<p style="white-space:pre-line">${c.text}</p>
${c.category ? html`<p class="muted">Kategori: ${categoryLabel(c.category)}</p>` : ''}
${where || map ? html`<p>Lokasi: ${where}${map ? html`${where ? ' · ' : ''}<a href="${map}" target="_blank" rel="noopener">Lihat di peta</a>` : ''}</p>` : html`<p class="muted">Lokasi tidak disebutkan.</p>`}
${attachmentList(e.id, e.status.ticket, c.attachments, { hrefOf: (sha256) => `/opd/aduan/${e.id}/lampiran/${sha256}`, maxPx: 240, maxWidth: '100%' })}
${c.supporters > 0 ? html`<p><strong>${String(c.supporters)}</strong> warga lain melaporkan hal yang sama.</p>` : ''}
${c.routing.note ? html`<p>Catatan admin: ${c.routing.note}</p>` : ''}
<p class="muted">Masuk lewat ${CHANNELS[c.channel]}${radio ? ` (${radio})` : ''}, ${wibDateTime(c.receivedAt)} · diteruskan ke instansi Anda ${wibDateTime(c.routing.routedAt)}</p>
<h3 style="font-size:1rem;margin:16px 0 4px">Pelapor</h3>
${reporterBlock(c)}
</section>`;
}

function reportForm(id: string, f: ReportForm, errors: ComplaintPageOptions['errors'] = {}, returnable = true): RawHtml {
  const choices = REPORT_CHOICES.filter((c) => returnable || c.state !== 'returned');
  // The summary's links lead to the field: the first status choice, or the message.
  const errorList: [string, string][] = [...(errors.state ? [[`state-${choices[0]!.state}`, errors.state] as [string, string]] : []), ...(errors.message ? [['pesan', errors.message] as [string, string]] : [])];
  const messageIds = ['pesan-hint', errors.message ? 'pesan-error' : ''].filter(Boolean).join(' ');
  return html`<form method="post" action="/opd/aduan/${id}/tanggapan" class="card" novalidate>
<h2 style="margin:0 0 8px;font-size:1.1rem">Kirim tanggapan</h2>
${errorList.length ? html`<div class="summary" role="alert" id="error-summary" tabindex="-1" autofocus><strong>Tanggapan belum terkirim. Mohon perbaiki:</strong><ul>${errorList.map(([href, text]) => html`<li><a href="#${href}">${text}</a></li>`)}</ul></div>` : ''}
<input type="hidden" name="updateId" value="${f.updateId}">
<fieldset style="margin:0"${errors.state ? raw(' aria-describedby="status-error"') : raw('')}>
<legend>Status</legend>
${errors.state ? html`<p class="error" id="status-error">${errors.state}</p>` : ''}
${choices.map((c) => html`<div class="check"><input type="radio" id="state-${c.state}" name="state" value="${c.state}"${f.state === c.state ? raw(' checked') : raw('')} aria-describedby="state-${c.state}-hint"><div><label for="state-${c.state}">${c.label}</label><p class="hint" id="state-${c.state}-hint" style="margin:0">${c.hint}</p></div></div>`)}
${returnable ? '' : html`<p class="hint">Isi aduan ini tidak lagi tersimpan sehingga tidak dapat dikembalikan ke admin. Bila bukan kewenangan instansi Anda, pilih “Tidak dapat ditindaklanjuti” dan tulis instansi yang berwenang agar pelapor tahu.</p>`}
</fieldset>
<label for="pesan">Pesan</label>
<p class="hint" id="pesan-hint">Untuk pelapor: dikirim lewat WhatsApp atau Instagram bila aduannya dari sana, dan tampil di halaman status tiketnya. Bila aduan dikembalikan: alasannya untuk admin. Paling banyak 1.000 karakter.</p>
${errors.message ? html`<p class="error" id="pesan-error">${errors.message}</p>` : ''}
<textarea id="pesan" name="message" maxlength="1000" aria-describedby="${messageIds}"${errors.message ? raw(' class="invalid" aria-invalid="true"') : raw('')}>${f.message}</textarea>
<p><button type="submit">Kirim tanggapan</button></p>
</form>`;
}

function historyBlock(view: StatusView): RawHtml {
  return html`<section class="card" aria-labelledby="riwayat">
<h2 id="riwayat" style="margin:0 0 8px;font-size:1.1rem">Riwayat</h2>
<ol class="history">${view.history.map((h) => html`<li>${wibDateTime(h.at)}: ${STATE_LABELS[h.state]}${h.message ? html` — “${h.message}”` : ''}</li>`)}</ol>
</section>`;
}

/** One complaint of the OPD's, with the form to answer it. */
export function complaintPage(o: ComplaintPageOptions): string {
  const e = o.entry;
  const body = html`
<h1>Aduan <span class="code">${e.status.ticket}</span></h1>
${accountBar(o, 'inbox')}
${o.notice ? html`<div class="${o.notice.error ? 'summary' : 'card'}" role="${o.notice.error ? 'alert' : 'status'}" id="pemberitahuan" style="margin-bottom:16px">${o.notice.text}</div>` : ''}
<p><strong>${OPD_STATE_LABELS[e.status.state] ?? STATE_LABELS[e.status.state]}</strong></p>
${e.status.state === 'routed' ? deadlineLine(e, o.nowMs) : ''}
${complaintBlock(e, o.categoryLabel)}
${o.additions.length ? html`<section class="card"><h2 style="margin:0 0 8px;font-size:1.1rem">Kiriman tambahan dari pelapor</h2><ul>${o.additions.map((a) => html`<li><a href="/opd/aduan/${a.id}">${a.ticket}</a></li>`)}</ul></section>` : ''}
${reportForm(e.id, o.form, o.errors, e.complaint !== null)}
${historyBlock(e.status)}`;
  return layout(`Aduan ${e.status.ticket}`, body);
}

/** What a report that could not be sent says, and where its button leads (`back`: the complaint's page). */
const NOT_SENT: Record<'session' | 'password' | 'fault', { title: string; why: string; /** The step after copying the message (or the only one), a sentence's end. */ then: string; button: (back: string) => [href: string, label: string] }> = {
  session: { title: 'Sesi Anda sudah berakhir', why: '', then: 'masuk lagi, lalu kirim ulang dari halaman aduannya.', button: (back) => [`/login?next=${encodeURIComponent(back)}&expired=1`, 'Masuk lagi'] },
  password: { title: 'Tanggapan belum terkirim', why: ': Anda perlu membuat kata sandi sendiri dulu', then: 'ganti kata sandi, lalu kirim ulang dari halaman aduannya.', button: (back) => [passwordChangePath(back), 'Ganti kata sandi'] },
  fault: { title: 'Tanggapan belum terkirim', why: ' karena gangguan pada sistem', then: 'coba kirim ulang dari halaman aduannya beberapa saat lagi.', button: (back) => [back, 'Kembali ke aduan'] },
};

/**
 * A report that could not be sent (the session ended while the staff member typed, or its
 * password must be changed first; Redis away): not sent, and not lost either. The message is
 * given back to copy; the page asks Redis nothing.
 */
export function notSentPage(o: { id: string; message: string; reason: keyof typeof NOT_SENT }): string {
  const back = o.id ? `/opd/aduan/${o.id}` : '/opd';
  const r = NOT_SENT[o.reason];
  const [href, label] = r.button(back);
  const body = html`<div class="card" role="alert">
<h1>${r.title}</h1>
<p>Tanggapan Anda <strong>belum terkirim</strong>${r.why}. ${o.message ? `Salin pesan di bawah ini, ${o.reason === 'fault' ? 'lalu ' : ''}${r.then}` : `Silakan ${r.then}`}</p>
${o.message ? html`<label for="pesan-tersimpan">Pesan Anda</label><textarea id="pesan-tersimpan" readonly>${o.message}</textarea>` : ''}
<p><a class="button" href="${href}">${label}</a></p>
</div>`;
  return layout('Tanggapan belum terkirim', body);
}
