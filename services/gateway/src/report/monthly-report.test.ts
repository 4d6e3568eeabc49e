import { describe, expect, it } from 'vitest';
import type { HistoryEntry, StatusRecord } from '@aduan/queue';
import { ResponseDeadline, type Channel, type ComplaintState } from '@aduan/schema';
import { monthBounds, monthOf, monthlyReport, shiftMonth } from './monthly-report.ts';
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
/** A complaint received at `steps[0].at`, its record as the steps leave it. */
function complaint(channel: Channel, steps: [ComplaintState, string, string?][]): { record: StatusRecord; history: HistoryEntry[] } {
  const history: HistoryEntry[] = steps.map(([state, at, opd]) => ({ state, at, ...(opd ? { opd } : {}) }));
  const last = history.at(-1)!;
  const opd = last.state === 'triage' || last.state === 'external' ? undefined : history.findLast((h) => h.opd)?.opd;
  const record: StatusRecord = { id: `C${++n}`, ticket: `ADU-${n}`, channel, state: last.state, receivedAt: history[0]!.at, updatedAt: last.at, ...(opd ? { opd, opdName: `${opd} (as routed)` } : {}) };
  return { record, history };
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
    complaint('whatsapp', [['received', wib(2, 9)], ['routed', wib(2, 10), 'dishub'], ['in_progress', wib(3, 9), 'dishub']]),
    // Answered after 18 days: late (its deadline: Tuesday 10 Nov, 00.00 WIB).
    complaint('webform', [['received', wib(2, 9)], ['routed', wib(2, 10), 'dishub'], ['resolved', wib(20, 10), 'dishub']]),
    // Never answered, deadline gone: overdue.
    complaint('radio', [['received', wib(2, 9)], ['routed', wib(2, 10), 'dishub']]),
    // Routed yesterday: waiting, not overdue.
    complaint('webform', [['received', wib(24, 9)], ['routed', wib(24, 10), 'dishub']]),
    // First given to satpolpp, which answered; re-assigned to dishub, which answered a day later:
    // counted for dishub, timed from its own routing (24 hours), not satpolpp's answer.
    complaint('instagram', [['received', wib(4, 8)], ['routed', wib(4, 9), 'satpolpp'], ['in_progress', wib(4, 10), 'satpolpp'], ['routed', wib(5, 10), 'dishub'], ['in_progress', wib(6, 10), 'dishub']]),
    complaint('whatsapp', [['received', wib(6, 8)], ['routed', wib(6, 9), 'satpolpp'], ['rejected', wib(6, 11), 'satpolpp']]),
    complaint('whatsapp', [['received', wib(7, 8)], ['triage', wib(7, 8)]]),
    complaint('webform', [['received', wib(7, 8)]]),
    complaint('radio', [['received', wib(8, 8)], ['external', wib(8, 9), 'external']]),
    // No longer kept.
    null,
  ];

  it('counts each complaint for the OPD it is with now, by state, with on-time answers, overdue ones and the median response', () => {
    const report = monthlyReport('2026-11', complaints, { deadline, nowMs: NOW, names });
    expect(report).toMatchObject({ month: '2026-11', from: '2026-10-31T17:00:00.000Z', to: '2026-11-30T17:00:00.000Z', responseDays: 5, total: 9, inTriage: 2, external: 1, byChannel: { whatsapp: 3, instagram: 1, webform: 3, radio: 2 } });
    expect(report.opds).toEqual([
      { opd: 'dishub', opdName: 'Dinas Perhubungan', opdShortName: 'Dishub', total: 5, waiting: 2, inProgress: 2, resolved: 1, rejected: 0, answered: 3, answeredOnTime: 2, overdue: 1, medianResponseHours: 24 },
      { opd: 'satpolpp', opdName: 'Satuan Polisi Pamong Praja', opdShortName: 'Satpol PP', total: 1, waiting: 0, inProgress: 0, resolved: 0, rejected: 1, answered: 1, answeredOnTime: 1, overdue: 0, medianResponseHours: 2 },
    ]);
  });

  it('with deadlines off, says nothing of on time or overdue; an OPD not in the directory keeps the name it was routed under', () => {
    const report = monthlyReport('2026-11', complaints, { deadline: undefined, nowMs: NOW, names: new Map() });
    expect(report.responseDays).toBeNull();
    expect(report.opds[0]).toMatchObject({ opd: 'dishub', opdName: 'dishub (as routed)', opdShortName: 'dishub (as routed)', answered: 3, answeredOnTime: null, overdue: null });
  });

  it('as CSV: a byte order mark, semicolons, decimal commas, formulas kept as text, and the rows not with an OPD', () => {
    const report = monthlyReport('2026-11', complaints, { deadline, nowMs: NOW, names: new Map([['dishub', { name: '=HYPERLINK("http://x";"Dinas")', shortName: 'D' }]]) });
    report.opds[0]!.medianResponseHours = 23.46;
    const csv = reportCsv(report);
    expect(csv.startsWith('\uFEFFKode dinas;Dinas;Aduan;')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines[1]).toBe(`dishub;"'=HYPERLINK(""http://x"";""Dinas"")";5;2;2;1;0;3;2;1;23,5`);
    expect(lines.slice(-4)).toEqual(['triase;Belum diteruskan (menunggu triase);2;;;;;;;;', 'luar;Di luar kewenangan Pemkot;1;;;;;;;;', 'jumlah;Jumlah;9;2;2;1;1;4;3;1;', '']);
  });
});
