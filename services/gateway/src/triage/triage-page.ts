import type { Directory } from '@aduan/routing/directory';
import { wibDateTime, type RoutedComplaint } from '@aduan/schema';
import { html, raw, type RawHtml } from '../views/html.ts';
import { layout } from '../views/layout.ts';
import { adminBar } from '../views/staff-bar.ts';
import type { OverdueGroup } from '../overdue/overdue-list.ts';
import { overdueSection } from './overdue-section.ts';
import { attachmentList, locationLine } from './complaint-parts.ts';
import { additionsSection, followsNotice } from './additions-section.ts';
import { NO_ADDITIONS, type TriageAdditions } from './triage-additions.ts';

const pct = (x: number) => `${Math.round(x * 100)}%`;
/** The abbreviation first ("Dishub — Dinas Perhubungan"): admins type it to jump in the list, and most names begin "Dinas". */
const optionLabel = (o: { name: string; shortName: string }) => (o.shortName === o.name ? o.name : `${o.shortName} — ${o.name}`);

/** Where it came in, as the desk names it: a radio call by its station. */
const channelLabel = (c: RoutedComplaint) => ({ whatsapp: 'WhatsApp', instagram: 'Instagram', webform: 'formulir web', radio: c.source.account })[c.channel];

type Choice = { code: string; name: string; shortName: string };

/** The OPDs an admin can assign to: the directory's, and 'external' ("Di luar kewenangan ...") once, wherever the directory lists it. */
export function assignChoices(dir: Directory): Choice[] {
  return dir.opds.some((o) => o.code === 'external') ? dir.opds : [...dir.opds, { code: 'external', name: 'Di luar kewenangan Pemkot (instansi lain)', shortName: 'Instansi lain' }];
}

/** What an assignment form sends (POST /admin/triage/:id/assign), and how it reads. */
export interface AssignFormView {
  /** The complaint. */
  id: string;
  /** The OPD selected; one the list does not offer (or '') selects "— Pilih dinas —". */
  opd: string;
  note: string;
  /** The routing revision decided on; absent: no such field (the form decides on whatever is current). */
  revision?: number;
  /** The item after it on the page, where the admin goes on. */
  next?: string;
  /** "Teruskan ke" / "Alihkan ke". */
  label: string;
  button: string;
  /** The form the admin came back to (a restored or refused decision): its OPD list has the focus. */
  autofocus: boolean;
  /** The id of the text the note field refers to (a confidential reporter's warning). */
  describedBy?: string;
}

/**
 * A complaint's assignment form: the triage page's, and the same form again after an assignment
 * failed (assign-retry-page.ts), so that both send the same fields to the same place.
 */
export function assignmentForm(choices: Choice[], f: AssignFormView): RawHtml {
  // A code the list does not offer (a forged draft) selects nothing: "— Pilih dinas —" stays
  // selected, so that the browser does not fall back to the list's first OPD.
  const chosen = choices.some((o) => o.code === f.opd) ? f.opd : '';
  return html`<form method="post" action="/admin/triage/${f.id}/assign">
${f.revision !== undefined ? html`<input type="hidden" name="revision" value="${String(f.revision)}">` : ''}
${f.next ? html`<input type="hidden" name="next" value="${f.next}">` : ''}
<label for="opd-${f.id}">${f.label}</label>
<select id="opd-${f.id}" name="opd" required${f.autofocus ? raw(' autofocus') : raw('')}>${chosen ? '' : html`<option value="" selected>— Pilih dinas —</option>`}${choices.map((o) => html`<option value="${o.code}"${o.code === chosen ? raw(' selected') : raw('')}>${optionLabel(o)}</option>`)}</select>
<label for="note-${f.id}">Catatan (boleh dikosongkan)</label>
<input type="text" id="note-${f.id}" name="note" maxlength="2000"${f.note ? html` value="${f.note}"` : ''}${f.describedBy ? html` aria-describedby="${f.describedBy}"` : ''}>
<p><button type="submit">${f.button}</button></p>
</form>`;
}

export interface TriagePageOptions {
  username: string;
  /** How many complaints wait in triage; `items` are the oldest of them. */
  waiting: number;
  /** The complaint just assigned, where it went, and the item that followed it on the page (the confirmation stands there). */
  /** `additions`: the tickets of the complaint's additions that are with the same OPD now (they went with it). */
  done?: { ticket: string; opdName?: string; before?: string; noteUnsent?: boolean; additions?: string[] };
  error?: string;
  /** A ticket looked up (`?tiket=`): the complaint as it is now, waiting or already routed, or none found. */
  search?: { query: string; found?: RoutedComplaint; prefill?: Prefill };
  /**
   * A decision sent after the admin's session had expired, restored once they logged in again:
   * the complaint as it is now, with their OPD and note filled in, to confirm. `meanwhile`: it
   * was decided by someone else in between.
   */
  restored?: { complaint: RoutedComplaint; draft: Prefill; meanwhile: boolean; next?: string };
  /** The complaints OPDs left unanswered past their deadline (listOverdue), and that deadline in working days; absent: deadlines are off, or another view. */
  /** `unread`: the late OPDs with no inbox account and no API key. */
  overdue?: { groups: OverdueGroup[]; days: number; unread: ReadonlySet<string> };
  /** What the page says of additions, for the complaints it shows (readAdditions); absent: nothing. */
  additions?: TriageAdditions;
}

/** What the admin had chosen and typed in a complaint's form. */
export interface Prefill {
  /** The OPD to select; absent: as the complaint is now. */
  opd?: string;
  /** The OPD the admin had chosen, said above the form (their choice was made on an older state). */
  earlier?: string;
  note: string;
  revision: number;
}

/**
 * What happened to a complaint while the admin was deciding (their form's revision is older):
 * said as it is, since an OPD's return is not "another admin".
 */
export function changedMeanwhile(r: RoutedComplaint['routing']): string {
  if (r.triage && r.decidedBy === 'opd') return `Aduan ini baru saja dikembalikan oleh ${r.opdName}: menurut dinas itu, bukan kewenangannya. Keadaannya sekarang ada di bawah; silakan pilih dinas lagi.`;
  if (r.decidedBy === 'admin') return 'Aduan ini baru saja diteruskan oleh admin lain. Keadaannya sekarang ada di bawah; alihkan hanya bila perlu.';
  return 'Keadaan aduan ini baru saja berubah. Keadaannya sekarang ada di bawah; periksa, lalu putuskan lagi.';
}

/** The admin's triage desk: complaints the router was not sure about, one form each; any ticket can be looked up to re-assign it. */
export function triagePage(dir: Directory, items: RoutedComplaint[], opts: TriagePageOptions): string {
  const choices = assignChoices(dir);
  const { done, search, restored } = opts;
  const additions = opts.additions ?? NO_ADDITIONS;
  // Where the assigned item was, so the admin goes on from there (`#diteruskan`); at the top when it was the last.
  const confirmation = done ? html`<div class="card" role="status" id="diteruskan" style="scroll-margin-top:16px">Aduan <strong>${done.ticket}</strong> sudah diteruskan${done.opdName ? html` ke <strong>${done.opdName}</strong>` : ''}${done.additions?.length ? html`, bersama tambahan dari pelapor yang sama: ${done.additions.map((t, i) => html`${i ? ', ' : ''}<strong>${t}</strong>`)}` : ''}.${done.noteUnsent ? html` <strong>Catatan Anda tidak ikut terkirim</strong>: aduan ini sudah ada di dinas tersebut sebelumnya. Bila catatan itu penting, sampaikan langsung kepada dinasnya.` : ''}</div>` : '';
  const list = restored
    ? html`<div class="card" role="status" id="dipulihkan">${restored.meanwhile
      ? html`Sesi Anda tadi berakhir sebelum aduan <strong>${restored.complaint.ticket}</strong> diteruskan. ${changedMeanwhile(restored.complaint.routing)}`
      : html`Sesi Anda tadi berakhir sebelum aduan <strong>${restored.complaint.ticket}</strong> diteruskan. Pilihan dinas dan catatan Anda sudah dipulihkan; periksa, lalu tekan <strong>${restored.complaint.routing.triage ? 'Teruskan' : 'Alihkan'}</strong>.`}</div>
${item(restored.complaint, choices, additions, { ...(restored.next ? { next: restored.next } : {}), prefill: restored.draft })}<p><a href="/admin/triage">Kembali ke daftar triase</a></p>`
    : search
    ? html`${search.found ? item(search.found, choices, additions, search.prefill ? { prefill: search.prefill } : {}) : html`<div class="card" role="alert"><p>Tiket <strong>${search.query}</strong> tidak ditemukan.</p></div>`}<p><a href="/admin/triage">Kembali ke daftar triase</a></p>`
    : html`<p><strong>${String(opts.waiting)}</strong> aduan menunggu triase.${opts.waiting > items.length ? ` Yang tampil ${items.length} paling lama; sisanya muncul setelah ini diteruskan, atau cari tiketnya.` : ''}</p>
${items.map((c, i) => html`${done?.before === c.id ? confirmation : ''}${item(c, choices, additions, items[i + 1] ? { next: items[i + 1]!.id } : {})}`)}`;
  // Said at the top (the list itself is below the triage items, which come first).
  const overdueTotal = opts.overdue?.groups.reduce((n, g) => n + g.total, 0) ?? 0;
  const body = html`
<h1>Triase aduan</h1>
${adminBar(opts.username, '/admin/triage', 'triage-logout')}
<p class="muted">Aduan di bawah belum cukup jelas bagi sistem untuk diteruskan otomatis. Pilih dinas yang tepat; koreksi Anda juga dipakai untuk memperbaiki sistem. <a href="/api/v1/triage/corrections">Unduh data koreksi (JSONL)</a></p>
<form method="get" action="/admin/triage" role="search" class="card">
<label for="cari-tiket" style="margin-top:0">Cari tiket</label>
<p class="hint" id="cari-hint">Juga aduan yang sudah diteruskan, untuk dialihkan ke dinas lain.</p>
<div style="display:flex;gap:8px"><input type="text" id="cari-tiket" name="tiket" value="${search?.query ?? ''}" aria-describedby="cari-hint" autocomplete="off" autocapitalize="characters" spellcheck="false"><button type="submit">Cari</button></div>
</form>
${overdueTotal > 0 ? html`<p id="ada-terlambat"><a href="#batas-tanggapan"><strong>${String(overdueTotal)}</strong> aduan</a> belum ditanggapi dinas melewati batas waktu (daftarnya di bawah).</p>` : ''}
${done && !items.some((c) => c.id === done.before) ? confirmation : ''}
${opts.error ? html`<div class="summary" role="alert" style="margin-bottom:16px">${opts.error}</div>` : ''}
${!search && items.length === 0 ? html`<div class="card"><p>Tidak ada aduan yang menunggu triase.</p></div>` : ''}
${list}
${opts.overdue ? overdueSection(opts.overdue.groups, opts.overdue.days, opts.overdue.unread) : ''}`;
  return layout('Triase aduan', body);
}

/**
 * One complaint and its form; `next` is the item after it on the page, where the admin goes on.
 * With it, the additions the same citizen sent after it. An addition that follows a complaint in
 * triage says so instead of the router's guess (made on our words, not the citizen's), and its
 * form is folded away: deciding it alone is still possible, and it then stays where it was sent.
 */
function item(c: RoutedComplaint, choices: Choice[], additions: TriageAdditions, { next, prefill }: { next?: string; prefill?: Prefill }) {
  const r = c.routing;
  const followed = additions.follows.get(c.id);
  const own = additions.of.get(c.id);
  // Confidence 0: no word was recognised and the router's OPD is only its fallback, not a guess to
  // confirm with Enter. A routed complaint's OPD is where it is now.
  const guessed = !r.triage || r.confidence > 0;
  // An OPD sent it back ("bukan kewenangan kami"): who, for the admin; its OPD is not a guess
  // (confidence 0: nothing preselected), though the admin may assign it back there.
  const back = r.triage && r.decidedBy === 'opd' ? (choices.find((o) => o.code === r.opd) ?? { name: r.opdName, shortName: r.opdName }) : undefined;
  const returned = back ? optionLabel(back) : undefined;
  // What the admin had chosen (a restored decision), else the router's guess or where it is now.
  // An addition's guess is made on our words: nothing preselected.
  const chosen = prefill?.opd ?? (guessed && !followed ? r.opd : '');
  const earlier = choices.find((o) => o.code === prefill?.earlier);
  const form = assignmentForm(choices, {
    id: c.id,
    opd: chosen,
    note: prefill?.note ?? '',
    revision: prefill?.revision ?? r.revision,
    ...(next ? { next } : {}),
    label: r.triage ? 'Teruskan ke' : 'Alihkan ke',
    button: r.triage ? 'Teruskan' : 'Alihkan',
    autofocus: prefill !== undefined,
    ...(c.reporter?.confidential ? { describedBy: `rahasia-${c.id}` } : {}),
  });
  return html`<article class="card" aria-labelledby="t-${c.id}">
<h2 id="t-${c.id}" style="margin:0 0 4px;font-size:1.1rem">${c.ticket} <span class="muted" style="font-weight:400">· ${channelLabel(c)} · ${wibDateTime(c.receivedAt)}</span></h2>
${c.reporter?.confidential ? html`<p id="rahasia-${c.id}"><strong>Rahasia:</strong> dinas tidak menerima nama dan nomor pelapor. Jangan menuliskannya di catatan.</p>` : ''}
${followed ? followsNotice(c.id, followed) : ''}
<p style="white-space:pre-wrap">${c.text}</p>
${locationLine(c.location)}
${attachmentList(c.id, c.ticket, c.attachments)}
${own ? additionsSection(c, own) : ''}
${followed
  ? ''
  : returned
  ? html`<p id="kembali-${c.id}"><strong>Dikembalikan oleh ${returned}</strong>: menurut dinas ini, aduan ini bukan kewenangannya.${r.note ? html`<br>Alasan dari dinas: ${r.note}` : ''}</p>`
  : !r.triage
  ? html`<p>Sudah diteruskan ${r.decidedBy === 'admin' ? 'oleh admin' : 'oleh sistem'} ke <strong>${r.opdName}</strong>.${r.note ? html` Catatan: ${r.note}` : ''}</p>`
  : guessed
    ? html`<p class="muted">Tebakan sistem: <strong>${r.opdName}</strong> (${pct(r.confidence)})${r.alternatives.length ? html`; alternatif: ${r.alternatives.map((a) => `${a.opdName} (${pct(a.confidence)})`).join(', ')}` : ''}</p>`
    : html`<p class="muted">Sistem tidak punya tebakan; pilih sendiri dinas yang tepat.</p>`}
${r.triage && !returned && !followed && r.note ? html`<p id="catatan-${c.id}">${r.note}</p>` : ''}
${r.decidedBy !== 'admin' && !returned && !followed && r.reasons.length ? html`<ul class="muted">${r.reasons.map((x) => html`<li>${x}</li>`)}</ul>` : ''}
${earlier ? html`<p id="pilihan-${c.id}">Pilihan Anda tadi: <strong>${optionLabel(earlier)}</strong>.${prefill?.note ? ' Catatan Anda masih ada di formulir.' : ''}</p>` : ''}
${followed
  ? html`<details id="sendiri-${c.id}"${prefill ? raw(' open') : raw('')}>
<summary style="cursor:pointer;color:#0b5394;font-weight:600">Putuskan tersendiri</summary>
<p class="hint">Hanya bila tambahan ini perlu ke dinas lain. Setelah diputuskan tersendiri, tambahan ini tetap di dinas yang Anda pilih dan tidak lagi ikut aduan ${followed.ticket}.</p>
${form}
</details>`
  : form}
</article>`;
}
