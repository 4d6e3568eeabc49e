import { html, type RawHtml } from '../views/html.ts';
import { layout } from '../views/layout.ts';
import type { OpdMonthlyReport } from '../report/monthly-report.ts';
import { countingNotes, monthName, monthPicker, onTime, responseTime, type AskedMonth } from '../report/report-page.ts';
import { accountBar } from './inbox-page.ts';

/** The inbox's word for a rejection (its form's choice), here and in the notes. */
const REJECTED = 'Tidak dapat ditindaklanjuti';

export interface OpdReportPageOptions extends Omit<AskedMonth, 'month'> {
  username: string;
}

/**
 * An OPD's own row of the admins' monthly report (`/opd/rekap`), for its staff: the same figures
 * under the same names, read down a phone's screen rather than across a table of OPDs. No other
 * OPD's figures and no city totals.
 */
export function opdReportPage(r: OpdMonthlyReport, opts: OpdReportPageOptions): string {
  const { month } = r;
  const line = (label: string, value: string | number) => html`<tr style="border-top:1px solid #dde3ea"><th scope="row" style="text-align:left;padding:8px 8px 8px 0;font-weight:600">${label}</th><td style="text-align:right;padding:8px 0 8px 8px">${String(value)}</td></tr>`;
  const body: RawHtml = html`
<h1>Rekap bulanan ${r.opdName}</h1>
${accountBar({ username: opts.username, opdName: r.opdName }, 'inbox')}
${opts.error ? html`<div class="summary" role="alert" style="margin-bottom:16px">${opts.error}</div>` : ''}
${monthPicker('/opd/rekap', month, opts.current)}
<section class="card" aria-labelledby="ringkasan">
<h2 id="ringkasan" style="margin:0 0 8px;font-size:1.1rem">${monthName(month)}</h2>
<p id="jumlah-aduan">${r.total === 0
  ? html`Dari aduan yang diterima pada ${monthName(month)}, tidak ada yang ditangani ${r.opdName}.`
  : html`Dari aduan yang diterima pada ${monthName(month)}, <strong>${String(r.total)}</strong> ditangani ${r.opdName}; <strong>${String(r.answered)}</strong> di antaranya sudah ditanggapi.`}</p>
<table id="rekap-dinas" style="border-collapse:collapse;width:100%">
<caption class="muted" style="text-align:left;padding-bottom:6px">Aduan ${r.opdShortName}, menurut statusnya sekarang</caption>
<tbody>
${line('Aduan', r.total)}
${line('Menunggu', r.waiting)}
${line('Diproses', r.inProgress)}
${line('Selesai', r.resolved)}
${line(REJECTED, r.rejected)}
${line('Dibuka kembali oleh warga (bulan ini)', r.reopened)}
${line('Tepat waktu', onTime(r))}
${line('Lewat batas', r.overdue ?? '–')}
${line('Median waktu tanggapan', responseTime(r.medianResponseHours))}
</tbody>
</table>
</section>
${countingNotes(r, REJECTED.toLowerCase())}`;
  return layout(`Rekap ${monthName(month)} · ${r.opdName}`, body);
}
