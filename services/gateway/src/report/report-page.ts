import { wibDateTime } from '@aduan/schema';
import { html, type RawHtml } from '../views/html.ts';
import { layout } from '../views/layout.ts';
import { adminBar } from '../views/staff-bar.ts';
import { MONTH_PATTERN, monthOf, shiftMonth, type MonthlyReport, type OpdReportRow } from './monthly-report.ts';

const MONTHS = ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus', 'September', 'Oktober', 'November', 'Desember'];

/** "November 2026". */
export function monthName(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return `${MONTHS[m - 1]} ${y}`;
}

/** A median response time as staff read it: "5 jam", "1,5 hari"; "–" for none. */
export function responseTime(hours: number | null): string {
  if (hours === null) return '–';
  if (hours < 1) return 'kurang dari 1 jam';
  if (hours < 48) return `${Math.round(hours)} jam`;
  return `${(Math.round((hours / 24) * 10) / 10).toString().replace('.', ',')} hari`;
}

/** "3 dari 4" for a share, "–" when deadlines are off or nothing was due. */
export const onTime = (row: Pick<OpdReportRow, 'answeredOnTime' | 'answered'>) => (row.answeredOnTime === null || row.answered === 0 ? '–' : `${row.answeredOnTime} dari ${row.answered}`);

const CHANNELS: [keyof MonthlyReport['byChannel'], string][] = [
  ['whatsapp', 'WhatsApp'],
  ['instagram', 'Instagram'],
  ['webform', 'formulir web'],
  ['radio', 'radio'],
];

/** The month a page shows, from its `bulan`: this month when none or not a month (then `error` says so). */
export interface AskedMonth {
  month: string;
  /** The month this calendar month is (the next-month link stops there). */
  current: string;
  /** A `bulan` that is not a month, said above the current month's report. */
  error?: string;
}

/** Reads a report page's `?bulan=`: a typo shows this month's report, and says why. */
export function askedMonth(bulan: unknown, nowMs: number): AskedMonth {
  const current = monthOf(nowMs);
  const asked = typeof bulan === 'string' ? bulan.trim() : '';
  if (MONTH_PATTERN.test(asked)) return { month: asked, current };
  if (!asked) return { month: current, current };
  return { month: current, current, error: `“${asked.slice(0, 20)}” tidak dikenali sebagai bulan. Tulis tahun dan bulan, misalnya ${current}. Ditampilkan rekap bulan ini.` };
}

/** The month field and the links to the months before and after (not past this one), for the report page at `path`. */
export function monthPicker(path: string, month: string, current: string): RawHtml {
  return html`<form method="get" action="${path}" class="card" role="search">
<label for="bulan" style="margin-top:0">Bulan</label>
<p class="hint" id="bulan-hint">Tahun dan bulan, misalnya 2026-11.</p>
<div style="display:flex;gap:8px"><input type="month" id="bulan" name="bulan" value="${month}" max="${current}" aria-describedby="bulan-hint" style="flex:1;min-width:0;padding:10px;font:inherit;border:1px solid #6b7785;border-radius:8px"><button type="submit">Tampilkan</button></div>
<p style="margin:12px 0 0"><a href="${path}?bulan=${shiftMonth(month, -1)}" rel="prev">‹ ${monthName(shiftMonth(month, -1))}</a>${month < current ? html` · <a href="${path}?bulan=${shiftMonth(month, 1)}" rel="next">${monthName(shiftMonth(month, 1))} ›</a>` : ''}</p>
</form>`;
}

/**
 * "Cara penghitungan": how the OPDs' figures are counted, under the admins' report and an OPD's
 * own. `rejected`: what the page calls a rejection (the inbox says "tidak dapat ditindaklanjuti").
 */
export function countingNotes(report: Pick<MonthlyReport, 'generatedAt' | 'responseDays'>, rejected = 'ditolak'): RawHtml {
  return html`<section class="card muted" aria-labelledby="cara-hitung">
<h2 id="cara-hitung" style="margin:0 0 8px;font-size:1rem">Cara penghitungan</h2>
<ul style="margin:0;padding-left:20px">
<li>Aduan dihitung menurut tanggal diterima (WIB), sekali per tiket; kiriman tambahan dari pelapor yang sama dihitung bersama aduannya.</li>
<li>Status aduan per ${wibDateTime(report.generatedAt)} WIB. Aduan yang dialihkan atau dikembalikan dihitung pada dinas yang menanganinya sekarang.</li>
${report.responseDays === null
  ? html`<li>Batas waktu tanggapan tidak dipakai (OPD_RESPONSE_DAYS=0).</li>`
  : html`<li>Dinas diharapkan menanggapi dalam ${String(report.responseDays)} hari kerja sejak aduan diteruskan. <em>Tepat waktu</em>: dari aduan yang sudah ditanggapi dinas, berapa yang tanggapan pertamanya (diproses, selesai, atau ${rejected}) kami terima sebelum batas itu. <em>Lewat batas</em>: belum ditanggapi dan batasnya sudah lewat.</li>`}
<li><em>Menunggu</em>: sudah diteruskan, belum ada tanggapan dari dinas.</li>
<li><em>Median waktu tanggapan</em>: separuh aduan ditanggapi lebih cepat dari ini, dihitung dari saat aduan diteruskan sampai tanggapan pertama dinas kami terima.</li>
</ul>
</section>`;
}

export interface ReportPageOptions extends Omit<AskedMonth, 'month'> {
  username: string;
}

/** The admins' monthly report: the month's complaints per OPD, by where they stand now. */
export function reportPage(report: MonthlyReport, opts: ReportPageOptions): string {
  const { month } = report;
  const th = (label: string) => html`<th scope="col" style="text-align:right;padding:6px 8px;vertical-align:bottom">${label}</th>`;
  const td = (v: string | number) => html`<td style="text-align:right;padding:6px 8px">${String(v)}</td>`;
  const row = (r: OpdReportRow) => html`<tr style="border-top:1px solid #dde3ea">
<th scope="row" style="text-align:left;padding:6px 8px;font-weight:600">${r.opdShortName === r.opdName ? r.opdName : html`<abbr title="${r.opdName}" style="text-decoration:none">${r.opdShortName}</abbr>`}</th>${td(r.total)}${td(r.waiting)}${td(r.inProgress)}${td(r.resolved)}${td(r.rejected)}${td(onTime(r))}${td(r.overdue ?? '–')}${td(responseTime(r.medianResponseHours))}${td(r.reopened)}
</tr>`;
  const sum = (k: 'total' | 'waiting' | 'inProgress' | 'resolved' | 'rejected' | 'reopened') => report.opds.reduce((n, r) => n + r[k], 0);
  const channels = CHANNELS.filter(([k]) => report.byChannel[k] > 0).map(([k, label]) => `${label} ${report.byChannel[k]}`);
  const body: RawHtml = html`
<h1>Rekap aduan bulanan</h1>
${adminBar(opts.username, '/admin/rekap')}
${opts.error ? html`<div class="summary" role="alert" style="margin-bottom:16px">${opts.error}</div>` : ''}
${monthPicker('/admin/rekap', month, opts.current)}
<section class="card" aria-labelledby="ringkasan">
<h2 id="ringkasan" style="margin:0 0 8px;font-size:1.1rem">${monthName(month)}</h2>
<p id="jumlah-aduan"><strong>${String(report.total)}</strong> aduan diterima${channels.length ? ` (${channels.join(', ')})` : ''}.${report.inTriage ? html` <strong>${String(report.inTriage)}</strong> belum diteruskan ke dinas (menunggu triase).` : ''}${report.external ? html` <strong>${String(report.external)}</strong> di luar kewenangan Pemkot (pelapor diberi tahu instansi yang berwenang).` : ''}</p>
${report.opds.length === 0
  ? html`<p>Tidak ada aduan ${monthName(month)} yang diteruskan ke dinas.</p>`
  : html`<div style="overflow-x:auto"><table id="rekap-opd" style="border-collapse:collapse;width:100%;font-size:.95rem">
<caption class="muted" style="text-align:left;padding-bottom:6px">Aduan per dinas, menurut statusnya sekarang</caption>
<thead><tr><th scope="col" style="text-align:left;padding:6px 8px;vertical-align:bottom">Dinas</th>${th('Aduan')}${th('Menunggu')}${th('Diproses')}${th('Selesai')}${th('Ditolak')}${th('Tepat waktu')}${th('Lewat batas')}${th('Median waktu tanggapan')}${th('Dibuka kembali')}</tr></thead>
<tbody>${report.opds.map(row)}</tbody>
<tfoot><tr style="border-top:2px solid #1b1f23"><th scope="row" style="text-align:left;padding:6px 8px">Jumlah di dinas</th>${td(sum('total'))}${td(sum('waiting'))}${td(sum('inProgress'))}${td(sum('resolved'))}${td(sum('rejected'))}${td(onTime({ answered: report.opds.reduce((n, r) => n + r.answered, 0), answeredOnTime: report.responseDays === null ? null : report.opds.reduce((n, r) => n + (r.answeredOnTime ?? 0), 0) }))}${td(report.responseDays === null ? '–' : report.opds.reduce((n, r) => n + (r.overdue ?? 0), 0))}${td('')}${td(sum('reopened'))}</tr></tfoot>
</table></div>`}
<p><a href="/api/v1/reports/monthly.csv?month=${month}" download>Unduh CSV (untuk Excel)</a></p>
</section>
${countingNotes(report)}`;
  return layout(`Rekap ${monthName(month)}`, body, { wide: true });
}
