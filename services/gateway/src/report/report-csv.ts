import type { MonthlyReport } from './monthly-report.ts';

/**
 * A field: quoted when it holds the separator, a quote or a line break; a text that a spreadsheet
 * would read as a formula (=, +, -, @ first) is kept as text with a leading apostrophe.
 */
function field(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v).replace('.', ',');
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[;"\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const HEADER = ['Kode dinas', 'Dinas', 'Aduan', 'Menunggu tanggapan', 'Diproses', 'Selesai', 'Ditolak', 'Ditanggapi', 'Ditanggapi tepat waktu', 'Lewat batas, belum ditanggapi', 'Median waktu tanggapan (jam)', 'Dibuka kembali oleh warga'];

/**
 * The monthly report as a CSV file for Excel as set up in Indonesia: a UTF-8 byte order mark (so
 * that Excel reads the names right), fields separated by semicolons and decimals written with a
 * comma, CRLF line ends. One row per OPD, their sums (`dinas`, as the page's "Jumlah di dinas"),
 * the complaints not with an OPD (`triase`, `luar`), and the month's total (`jumlah`). An empty field: no deadline, or nothing to measure.
 */
export function reportCsv(report: MonthlyReport): string {
  const rows: (string | number | null)[][] = [HEADER];
  for (const r of report.opds) {
    rows.push([r.opd, r.opdName, r.total, r.waiting, r.inProgress, r.resolved, r.rejected, r.answered, r.answeredOnTime, r.overdue, r.medianResponseHours === null ? null : Math.round(r.medianResponseHours * 10) / 10, r.reopened]);
  }
  const sum = (k: 'total' | 'waiting' | 'inProgress' | 'resolved' | 'rejected' | 'answered' | 'answeredOnTime' | 'overdue' | 'reopened') => (report.responseDays === null && (k === 'answeredOnTime' || k === 'overdue') ? null : report.opds.reduce((n, r) => n + (r[k] ?? 0), 0));
  rows.push(['dinas', 'Jumlah di dinas', sum('total'), sum('waiting'), sum('inProgress'), sum('resolved'), sum('rejected'), sum('answered'), sum('answeredOnTime'), sum('overdue'), null, sum('reopened')]);
  rows.push(['triase', 'Belum diteruskan (menunggu triase)', report.inTriage, null, null, null, null, null, null, null, null, null]);
  rows.push(['luar', 'Di luar kewenangan Pemkot', report.external, null, null, null, null, null, null, null, null, null]);
  rows.push(['jumlah', 'Semua aduan bulan ini', report.total, null, null, null, null, null, null, null, null, null]);
  return `\uFEFF${rows.map((row) => row.map(field).join(';')).join('\r\n')}\r\n`;
}
