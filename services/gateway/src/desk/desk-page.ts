import type { Directory } from '@aduan/routing/directory';
import { displayPhone } from '@aduan/schema';
import { passwordChangePath, type AuthUser } from '../auth/index.ts';
import { html, raw, type RawHtml } from '../views/html.ts';
import { NO_FAVICON } from '../views/layout.ts';
import { STATE_LABELS } from '../views/messages-id.ts';
import { DESK_CSS } from './desk-style.ts';

export interface DeskPageData {
  user: AuthUser;
  lastProgram?: string;
  hintDays: number;
  /** WHATSAPP_PUBLIC_NUMBER (E.164): the operator tells a caller who gave a number to check there. */
  whatsappNumber?: string | undefined;
  /** TICKET_PREFIX, for the examples. */
  ticketPrefix: string;
  /** DESK_UTC_OFFSET_MINUTES: call times are the station's, whatever time zone the desk computer is set to. */
  utcOffsetMinutes: number;
  /** The server's clock when the page was made (epoch ms): the desk computer's own may be minutes off. */
  now: number;
}

/** JSON for a <script type="application/json"> block: "<" escaped so no value can close the tag. */
const jsonForScript = (v: unknown) => raw(JSON.stringify(v).replace(/</g, '\\u003c'));

function field(id: string, label: string, input: RawHtml, hint?: string): RawHtml {
  return html`<div class="field" id="field-${id}">
<label for="${id}">${label}</label>
${hint ? html`<p class="hint" id="hint-${id}">${hint}</p>` : ''}
${input}
<p class="error" id="err-${id}" hidden></p>
</div>`;
}

function combo(id: string, name: string, placeholder: string): RawHtml {
  return html`<div class="combo"><input type="text" id="${id}" name="${name}" autocomplete="off" role="combobox" aria-autocomplete="list" aria-expanded="false" aria-controls="${id}-list" aria-describedby="err-${id}" placeholder="${placeholder}">
<ul class="listbox" id="${id}-list" role="listbox" aria-label="Pilihan" hidden></ul></div>`;
}

/** Shortcuts: listed on the page and implemented in desk.js (keep the two in step). */
export const SHORTCUTS: [string, string][] = [
  ['Enter', 'kirim aduan (dari kolom mana pun)'],
  ['Shift+Enter', 'baris baru di kolom isi aduan'],
  ['↓ / ↑ lalu Enter', 'pilih dari daftar kategori, kelurahan atau patokan; bila kategori/kelurahan tinggal satu pilihan, cukup Enter'],
  ['Esc', 'tutup daftar pilihan'],
  ['F2', 'tautkan penelepon ke aduan serupa teratas (bukan aduan baru)'],
  ['Alt+1 … Alt+5', 'tautkan ke aduan serupa nomor 1–5'],
  ['Alt+N', 'kosongkan formulir, mulai penelepon baru'],
  ['Alt+C', 'cek status tiket (penelepon menanyakan aduannya)'],
];

/**
 * The radio desk (Bahasa Indonesia), keyboard first. Needs JS: it is an operator tool. Other
 * operators' waiting entries (#others) are told above the form, not by "Belum terkirim" under it:
 * there they were below the fold at login.
 *
 * Until desk.js runs (loading on a slow link, failed to load, JavaScript off) its forms are
 * disabled and #loading says why: a form sent without the script went to GET /desk, putting the
 * caller's name, number and words in the URL and the shared computer's history and filing nothing.
 * They are POST forms besides, so that nothing could ever send them by GET. The header says
 * "Terhubung" only once the script has heard from the gateway.
 */
export function deskPage(dir: Directory, d: DeskPageData): string {
  const data = {
    user: d.user,
    lastProgram: d.lastProgram ?? '',
    hintDays: d.hintDays,
    stateLabels: STATE_LABELS,
    whatsapp: d.whatsappNumber ? displayPhone(d.whatsappNumber) : '',
    ticketPrefix: d.ticketPrefix,
    utcOffsetMinutes: d.utcOffsetMinutes,
    now: d.now,
    categories: dir.categories.map((c) => ({ value: c.label, label: c.label })),
    kelurahan: dir.kecamatan.flatMap((k) => k.kelurahan.map((kel) => ({ value: kel.name, label: `${kel.name} (Kec. ${k.name})` }))),
    landmarks: dir.kecamatan.flatMap((k) => k.kelurahan.flatMap((kel) => kel.landmarks.map((l) => ({ value: l, label: `${l} — ${kel.name}`, kelurahan: kel.name })))),
  };
  return html`<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${raw(NO_FAVICON)}
<title>Meja Radio · Aduan Kota Blitar</title>
<style>${raw(DESK_CSS)}</style>
<noscript><style>#loading{display:none}</style></noscript>
</head>
<body>
<header class="bar">
<span><strong>Meja Radio</strong> · ${d.user.station}</span>
<span id="net" class="net pending" role="status">Memuat…</span>
</header>
<main class="desk">
<section class="entry" aria-labelledby="entry-title">
<h1 id="entry-title">Catat penelepon</h1>
<p id="loading" class="notice info" role="status">Meja radio sedang dimuat; formulir bisa diisi sebentar lagi. Bila pesan ini tidak hilang, muat ulang halaman (F5).</p>
<noscript><p class="notice">JavaScript di browser ini mati, dan meja radio memerlukannya: tanpa itu tidak ada aduan yang bisa dicatat di sini. Nyalakan JavaScript, lalu muat ulang halaman.</p></noscript>
<div id="notice" class="notice" role="alert" hidden></div>
<section id="others" class="outbox others" aria-labelledby="others-title" hidden>
<h2 id="others-title">Aduan operator lain belum terkirim</h2>
<ul id="others-list"></ul>
<p>Tersimpan di komputer ini dari giliran sebelumnya. Kirim sekarang atas nama Anda: aduan yang ternyata sudah sampai tidak tercatat dua kali, dan yang ditolak pindah ke daftar "Belum terkirim" Anda untuk diperbaiki.</p>
<p id="others-elsewhere" class="warn" hidden></p>
<p><button type="button" id="others-send">Kirim sekarang atas nama saya</button></p>
</section>
<form id="entry" method="post" novalidate autocomplete="off">
<fieldset class="needs-script" disabled>
${field('caller-name', 'Nama penelepon', html`<input type="text" id="caller-name" name="reporter.name" maxlength="120" aria-describedby="err-caller-name" autofocus>`)}
${field('caller-phone', 'Nomor HP (boleh kosong)', html`<input type="tel" id="caller-phone" name="reporter.phone" inputmode="tel" aria-describedby="hint-caller-phone err-caller-phone">`, 'Disimpan sebagai +62…')}
<div class="check"><input type="checkbox" id="anonymous" name="reporter.anonymous" checked><label for="anonymous">Anonim di udara (nama tidak dibacakan)</label></div>
<div class="check"><input type="checkbox" id="consent" name="reporter.contactConsent"><label for="consent">Penelepon bersedia dihubungi kembali</label></div>
<div class="row">
${field('program', 'Nama acara', html`<input type="text" id="program" name="program" maxlength="120" aria-describedby="err-program">`)}
${field('call-time', 'Jam telepon (JJ:MM)', html`<input type="text" id="call-time" name="callTime" inputmode="numeric" pattern="[0-2]?[0-9][:.][0-5][0-9]" placeholder="sekarang" aria-describedby="hint-call-time err-call-time">`, 'Terisi otomatis saat mulai mengetik')}
</div>
${field('text', 'Isi aduan', html`<textarea id="text" name="text" maxlength="5000" rows="4" aria-describedby="hint-text err-text"></textarea>`, 'Minimal 10 huruf. Shift+Enter untuk baris baru.')}
<p id="emergency-hint" class="emergency" role="status"></p>
${field('category', 'Kategori', combo('category', 'category', 'ketik untuk mencari, mis. parkir'))}
<div class="row">
${field('kelurahan', 'Kelurahan', combo('kelurahan', 'location.kelurahan', 'ketik nama kelurahan'))}
${field('landmark', 'Patokan / lokasi', combo('landmark', 'location.description', 'mis. Pasar Legi, depan SDN 1'))}
</div>
<p class="actions"><button type="submit" id="submit">Kirim aduan (Enter)</button></p>
</fieldset>
</form>
<section id="outbox" class="outbox" aria-labelledby="outbox-title" hidden>
<h2 id="outbox-title">Belum terkirim</h2>
<p class="muted">Tersimpan di komputer ini dan dikirim otomatis begitu jaringan kembali.</p>
<ul id="outbox-list"></ul>
</section>
</section>
<aside class="side">
<div id="result" class="result" role="status" aria-live="assertive" hidden>
<p id="result-caption" class="caption"></p>
<p id="ticket" class="ticket-big"></p>
<p id="result-detail" class="muted"></p>
</div>
<section id="late" class="late" aria-labelledby="late-title" hidden>
<h2 id="late-title">Aduan tertunda yang kini terkirim</h2>
<p class="muted">Untuk penelepon yang sudah lewat, bukan yang sedang diketik.</p>
<ul id="late-list" aria-live="polite"></ul>
</section>
<section id="lookup" aria-labelledby="lookup-title">
<h2 id="lookup-title">Cek status tiket</h2>
<form id="lookup-form" method="post" novalidate autocomplete="off">
<fieldset class="needs-script lookup" disabled>
<label for="lookup-ticket" class="visually-hidden">Nomor tiket</label>
<input type="text" id="lookup-ticket" name="ticket" maxlength="40" placeholder="mis. ${d.ticketPrefix}-7K3M-9Q2X" aria-describedby="lookup-error">
<button type="submit" class="secondary">Cek (Alt+C)</button>
</fieldset>
</form>
<p id="lookup-error" class="error" role="alert" hidden></p>
<div id="lookup-result" aria-live="polite" hidden>
<p><span id="lookup-ticket-shown" class="hint-ticket"></span> — <strong id="lookup-state"></strong></p>
<p id="lookup-about" class="muted"></p>
<ol id="lookup-history" class="history"></ol>
</div>
</section>
<section id="hints" aria-labelledby="hints-title">
<h2 id="hints-title">Aduan serupa (${d.hintDays} hari terakhir)</h2>
<p id="hints-empty" class="muted">Belum ada yang mirip.</p>
<p id="link-warning" class="warn" hidden></p>
<ol id="hint-list" aria-live="polite"></ol>
</section>
<section id="board" aria-labelledby="board-title">
<h2 id="board-title">Hari ini di ${d.user.station}</h2>
<table>
<thead><tr><th scope="col">Jam</th><th scope="col">Tiket</th><th scope="col">Aduan</th><th scope="col">OPD</th><th scope="col" title="Pelapor tambahan">+</th></tr></thead>
<tbody id="board-rows"></tbody>
</table>
<p id="board-empty" class="muted">Belum ada aduan hari ini.</p>
</section>
<section aria-labelledby="keys-title">
<h2 id="keys-title">Pintasan keyboard</h2>
<dl class="keys">${SHORTCUTS.map(([k, v]) => html`<dt><kbd>${k}</kbd></dt><dd>${v}</dd>`)}</dl>
</section>
</aside>
</main>
<footer class="account" aria-label="Akun">
<form method="post" action="/logout" class="logout"><span>${d.user.username}</span> <a href="${passwordChangePath('/desk')}">Ganti kata sandi</a> <button type="submit" class="secondary">Keluar</button></form>
</footer>
<script type="application/json" id="desk-data">${jsonForScript(data)}</script>
<script src="/desk/desk.js" defer></script>
</body>
</html>`.value;
}
