import { describe, expect, it } from 'vitest';
import type { ReportEntry } from '@aduan/queue';
import { ResponseDeadline, type Channel, type ComplaintState } from '@aduan/schema';
import { monthBounds, monthOf, monthlyReport, opdMonthlyReport, shiftMonth } from './monthly-report.ts';
import { reportCsv } from './report-csv.ts';

/** 2026-11-02 is a Monday; `wib(2, 10)` is 10.00 WIB that day. */
const wib = (day: number, hour: number) => new Date(Date.UTC(2026, 10, day, hour - 7)).toISOString();
const names = new Map([
  ['dishub', { name: 'Dinas Perhubungan', shortName: 'Dishub' }],
  ['satpolpp', { name: 'Satuan Polisi Pamong Praja', shortName: 'Satpol PP' }],
]);
const deadline = new ResponseDeadline(5, new Set());
const NOW = Date.parse(wib(25, 12));

let n = 0;
/** A complaint received at `received`, where it stands now: with `opd` since `routed`, first answered at `answered`. */
function complaint(channel: Channel, state: ComplaintState, received: string, at: { opd?: string; routed?: string; answered?: string } = {}): ReportEntry {
  const record: ReportEntry['record'] = { id: `C${++n}`, channel, state, receivedAt: received, ...(at.opd ? { opd: at.opd, opdName: `${at.opd} (as routed)` } : {}) };
  return { record, ...(at.routed ? { routedMs: Date.parse(at.routed) } : {}), ...(at.answered ? { answeredMs: Date.parse(at.answered) } : {}) };
}

describe('the month of a moment, in WIB', () => {
  it('puts 00.30 WIB on 1 December in December, and bounds months at 00.00 WIB', () => {
    expect(monthOf(Date.parse('2026-11-30T17:30:00Z'))).toBe('2026-12');
    expect(monthOf(Date.parse('2026-11-30T16:59:59Z'))).toBe('2026-11');
    expect(monthBounds('2026-12')).toEqual({ fromMs: Date.parse('2026-11-30T17:00:00Z'), toMs: Date.parse('2026-12-31T17:00:00Z') });
    expect([shiftMonth('2026-01', -1), shiftMonth('2026-12', 1), shiftMonth('2026-11', 0)]).toEqual(['2025-12', '2027-01', '2026-11']);
  });
});

describe('monthly report', () => {
  const complaints = [
    // Answered the next morning: on time, 23 hours.
    complaint('whatsapp', 'in_progress', wib(2, 9), { opd: 'dishub', routed: wib(2, 10), answered: wib(3, 9) }),
    // Answered after 18 days: late (its deadline: Tuesday 10 Nov, 00.00 WIB).
    complaint('webform', 'resolved', wib(2, 9), { opd: 'dishub', routed: wib(2, 10), answered: wib(20, 10) }),
    // Never answered, deadline gone: overdue.
    complaint('radio', 'routed', wib(2, 9), { opd: 'dishub', routed: wib(2, 10) }),
    // Routed yesterday: waiting, not overdue.
    complaint('webform', 'routed', wib(24, 9), { opd: 'dishub', routed: wib(24, 10) }),
    // Re-assigned to dishub on the 5th, answered by it a day later: timed from its own routing.
    complaint('instagram', 'in_progress', wib(4, 8), { opd: 'dishub', routed: wib(5, 10), answered: wib(6, 10) }),
    complaint('whatsapp', 'rejected', wib(6, 8), { opd: 'satpolpp', routed: wib(6, 9), answered: wib(6, 11) }),
    // With an OPD, but its routing no longer known (an old record's history that lost it): counted, not timed.
    complaint('whatsapp', 'in_progress', wib(6, 8), { opd: 'satpolpp' }),
    complaint('whatsapp', 'triage', wib(7, 8)),
    complaint('webform', 'received', wib(7, 8)),
    complaint('radio', 'external', wib(8, 8), { opd: 'external' }),
    // No longer kept.
    null,
  ];

  it('counts each complaint for the OPD it is with now, by state, with on-time answers, overdue ones and the median response', () => {
    const report = monthlyReport('2026-11', complaints, { deadline, nowMs: NOW, names });
    expect(report).toMatchObject({ month: '2026-11', from: '2026-10-31T17:00:00.000Z', to: '2026-11-30T17:00:00.000Z', responseDays: 5, total: 10, inTriage: 2, external: 1, byChannel: { whatsapp: 4, instagram: 1, webform: 3, radio: 2 } });
    expect(report.opds).toEqual([
      { opd: 'dishub', opdName: 'Dinas Perhubungan', opdShortName: 'Dishub', total: 5, waiting: 2, inProgress: 2, resolved: 1, rejected: 0, answered: 3, answeredOnTime: 2, overdue: 1, medianResponseHours: 24, reopened: 0 },
      { opd: 'satpolpp', opdName: 'Satuan Polisi Pamong Praja', opdShortName: 'Satpol PP', total: 2, waiting: 0, inProgress: 1, resolved: 0, rejected: 1, answered: 1, answeredOnTime: 1, overdue: 0, medianResponseHours: 2, reopened: 0 },
    ]);
  });

  it('with deadlines off, says nothing of on time or overdue; an OPD not in the directory keeps the name it was routed under', () => {
    const report = monthlyReport('2026-11', complaints, { deadline: undefined, nowMs: NOW, names: new Map() });
    expect(report.responseDays).toBeNull();
    expect(report.opds[0]).toMatchObject({ opd: 'dishub', opdName: 'dishub (as routed)', opdShortName: 'dishub (as routed)', answered: 3, answeredOnTime: null, overdue: null });
  });

  it("gives an OPD its own row with the month, and zeros for an OPD none of the month's complaints is with", () => {
    const report = monthlyReport('2026-11', complaints, { deadline, nowMs: NOW, names });
    const month = { month: '2026-11', from: '2026-10-31T17:00:00.000Z', to: '2026-11-30T17:00:00.000Z', generatedAt: new Date(NOW).toISOString(), responseDays: 5 };
    expect(opdMonthlyReport(report, 'satpolpp', names)).toEqual({ ...month, ...report.opds[1] });
    const zeros = { total: 0, waiting: 0, inProgress: 0, resolved: 0, rejected: 0, answered: 0, answeredOnTime: 0, overdue: 0, medianResponseHours: null, reopened: 0 };
    const quiet = new Map([...names, ['dlh', { name: 'Dinas Lingkungan Hidup', shortName: 'DLH' }]]);
    expect(opdMonthlyReport(report, 'dlh', quiet)).toEqual({ ...month, opd: 'dlh', opdName: 'Dinas Lingkungan Hidup', opdShortName: 'DLH', ...zeros });
    // Deadlines off: nothing said of on time or overdue, as in the admins' rows.
    const off = monthlyReport('2026-11', complaints, { deadline: undefined, nowMs: NOW, names });
    expect(opdMonthlyReport(off, 'dlh', new Map())).toMatchObject({ opd: 'dlh', opdName: 'dlh', opdShortName: 'dlh', responseDays: null, total: 0, answeredOnTime: null, overdue: null });
  });

  it('as CSV: a byte order mark, semicolons, decimal commas, formulas kept as text, and the rows not with an OPD', () => {
    const report = monthlyReport('2026-11', complaints, { deadline, nowMs: NOW, names: new Map([['dishub', { name: '=HYPERLINK("http://x";"Dinas")', shortName: 'D' }]]) });
    report.opds[0]!.medianResponseHours = 23.46;
    const csv = reportCsv(report);
    expect(csv.startsWith('\uFEFFKode dinas;Dinas;Aduan;')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines[1]).toBe(`dishub;"'=HYPERLINK(""http://x"";""Dinas"")";5;2;2;1;0;3;2;1;23,5;0`);
    expect(lines.slice(-5)).toEqual(['dinas;Jumlah di dinas;7;2;3;1;1;4;3;1;;0', 'triase;Belum diteruskan (menunggu triase);2;;;;;;;;;', 'luar;Di luar kewenangan Pemkot;1;;;;;;;;;', 'jumlah;Semua aduan bulan ini;10;;;;;;;;;', '']);
  });

  it("counts the month's reopens against each OPD, also one none of the month's complaints is with", () => {
    const report = monthlyReport('2026-11', complaints, { deadline, nowMs: NOW, names, reopened: new Map([['dishub', 2], ['dlh', 1]]) });
    expect(report.opds.map((r) => [r.opd, r.total, r.reopened])).toEqual([['dishub', 5, 2], ['satpolpp', 2, 0], ['dlh', 0, 1]]);
  });
});
