import { wibDateTime } from '@aduan/schema';
import type { OverdueGroup } from '../overdue/overdue-list.ts';
import { html, type RawHtml } from '../views/html.ts';

/**
 * The triage page's list of complaints the OPDs have not answered in time (listOverdue): per
 * OPD, the oldest first, each linked to its ticket's look-up on this page, where the admin sees
 * it and can re-assign it. `days`: OPD_RESPONSE_DAYS. An OPD in `unread` has no inbox account
 * and no API key: the admin is told so, with a link to the accounts page's form, this OPD chosen.
 */
export function overdueSection(groups: OverdueGroup[], days: number, unread: ReadonlySet<string> = new Set()): RawHtml {
  return html`<section class="card" aria-labelledby="terlambat" id="batas-tanggapan">
<h2 id="terlambat" style="margin:0 0 4px;font-size:1.1rem">Aduan yang belum ditanggapi dinas melewati batas</h2>
<p class="muted">Dinas diharapkan menanggapi aduan dalam ${String(days)} hari kerja (Senin–Jumat, di luar hari libur) sejak hari berikutnya setelah aduan diteruskan: memproses, menyelesaikan, menolak, atau mengembalikannya.</p>
${groups.length === 0
  ? html`<p>Tidak ada aduan yang melewati batas tanggapan.</p>`
  : groups.map((g) => html`<h3 style="font-size:1rem;margin:12px 0 4px">${g.opdName} <span class="muted" style="font-weight:400">· ${String(g.total)} aduan</span></h3>
${unread.has(g.opd) ? html`<p class="error" id="tanpa-pembaca-${g.opd}">Belum ada akun kotak masuk maupun kunci API untuk dinas ini. Bila dinas ini tidak mengambil aduannya langsung dari antrean, tidak ada yang membacanya: <a href="/admin/akun?instansi=${encodeURIComponent(g.opd)}#tambah">buatkan akun kotak masuk untuk stafnya</a>.</p>` : ''}
<ul>${g.items.map((c) => html`<li><a href="/admin/triage?tiket=${encodeURIComponent(c.ticket)}">${c.ticket}</a> · terlambat ${String(c.daysLate)} hari kerja · diteruskan ${wibDateTime(c.routedAt)}</li>`)}</ul>
${g.total > g.items.length ? html`<p class="muted">Dan ${String(g.total - g.items.length)} aduan lain dari dinas ini.</p>` : ''}`)}
</section>`;
}
