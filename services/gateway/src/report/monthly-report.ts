import type { ReportEntry } from '@aduan/queue';
import { WIB_OFFSET_MS, type Channel, type ResponseDeadline } from '@aduan/schema';

/** A month as the report names it: `YYYY-MM`. */
export const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The month `YYYY-MM` (WIB) that `ms` falls in. */
export function monthOf(ms: number): string {
  const d = new Date(ms + WIB_OFFSET_MS);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The month `n` months after `month` (before, for a negative `n`). */
export function shiftMonth(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The month's first and the next month's first moment, 00.00 WIB (ms). */
export function monthBounds(month: string): { fromMs: number; toMs: number } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return { fromMs: Date.UTC(y, m - 1, 1) - WIB_OFFSET_MS, toMs: Date.UTC(y, m, 1) - WIB_OFFSET_MS };
}

/** One OPD's complaints of the month, by where they stand now. */
export interface OpdReportRow {
  opd: string;
  opdName: string;
  /** The directory's short name ("Dishub"); the name when it has none. */
  opdShortName: string;
  /** The month's complaints with this OPD now. */
  total: number;
  /** Routed to it, no response yet. */
  waiting: number;
  inProgress: number;
  resolved: number;
  rejected: number;
  /** Those the OPD responded to (in progress, resolved or rejected) since it got them. */
  answered: number;
  /** Of `answered`, those whose first response Aduan took before their deadline; null when deadlines are off. */
  answeredOnTime: number | null;
  /** Of `waiting`, those past their deadline now; null when deadlines are off. */
  overdue: number | null;
  /** The median time from routing to the OPD's first response (as Aduan took it), in hours; null when none was answered. */
  medianResponseHours: number | null;
  /**
   * How often in the month citizens said this OPD's resolution did not solve their complaint (ADR
   * 0014), whenever the complaint was received: counted as it happened, not from the month's complaints.
   */
  reopened: number;
}

export interface MonthlyReport {
  month: string;
  /** The month's bounds, 00.00 WIB on its first day and on the next month's. */
  from: string;
  to: string;
  generatedAt: string;
  /** OPD_RESPONSE_DAYS; null when deadlines are off. */
  responseDays: number | null;
  /** Every complaint received in the month (additions counted with their complaint, not apart). */
  total: number;
  byChannel: Record<Channel, number>;
  /** Not with an OPD yet: waiting for an admin in triage (or for the router's decision, after a failure). */
  inTriage: number;
  /** Assigned outside the city's remit (`external`): the citizen was told where to go. */
  external: number;
  /** Each OPD that has any of the month's complaints, or a reopen in it, the most complaints first. */
  opds: OpdReportRow[];
}

const median = (xs: number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/**
 * The month's report from its complaints' entries (StatusStore.reportEntries; a record no longer
 * kept is null and not counted), as things stand at `nowMs`. Pure.
 * - A complaint counts for the OPD it is with now (after a re-assignment or a return, the new
 *   one), its response time from when it was last routed there to when Aduan took that OPD's
 *   first report since (not the date the OPD gave the report: an OPD cannot date its way to
 *   "on time").
 * - `names`: an OPD's name and short name from the directory (a record carries the name it was
 *   routed under; an OPD no longer in the directory is named so).
 */
export function monthlyReport(
  month: string,
  complaints: (ReportEntry | null)[],
  opts: { deadline: ResponseDeadline | undefined; nowMs: number; names: ReadonlyMap<string, { name: string; shortName: string }>; reopened?: ReadonlyMap<string, number> },
): MonthlyReport {
  const { fromMs, toMs } = monthBounds(month);
  const byChannel: Record<Channel, number> = { whatsapp: 0, instagram: 0, webform: 0, radio: 0 };
  const rows = new Map<string, OpdReportRow & { hours: number[] }>();
  let total = 0;
  let inTriage = 0;
  let external = 0;
  const rowOf = (opd: string, opdName?: string) => {
    let row = rows.get(opd);
    if (!row) {
      const known = opts.names.get(opd);
      const name = known?.name ?? opdName ?? opd;
      row = { opd, opdName: name, opdShortName: known?.shortName ?? name, total: 0, waiting: 0, inProgress: 0, resolved: 0, rejected: 0, answered: 0, answeredOnTime: opts.deadline ? 0 : null, overdue: opts.deadline ? 0 : null, medianResponseHours: null, reopened: 0, hours: [] };
      rows.set(opd, row);
    }
    return row;
  };
  for (const [opd, n] of opts.reopened ?? []) rowOf(opd).reopened = n;
  for (const c of complaints) {
    if (!c) continue;
    const { record: rec, routedMs, answeredMs } = c;
    total++;
    if (rec.channel in byChannel) byChannel[rec.channel]++;
    if (rec.state === 'external') {
      external++;
      continue;
    }
    if (!rec.opd || rec.state === 'triage' || rec.state === 'received') {
      inTriage++;
      continue;
    }
    const row = rowOf(rec.opd, rec.opdName);
    row.total++;
    if (rec.state === 'routed') row.waiting++;
    else if (rec.state === 'in_progress') row.inProgress++;
    else if (rec.state === 'resolved') row.resolved++;
    else if (rec.state === 'rejected') row.rejected++;
    if (routedMs === undefined) continue;
    if (answeredMs !== undefined) {
      row.answered++;
      row.hours.push(Math.max(0, answeredMs - routedMs) / 3_600_000);
      if (opts.deadline && answeredMs < opts.deadline.respondBy(routedMs)) row.answeredOnTime!++;
    } else if (rec.state === 'routed' && opts.deadline && opts.nowMs >= opts.deadline.respondBy(routedMs)) {
      row.overdue!++;
    }
  }
  const opds = [...rows.values()]
    .map(({ hours, ...row }) => ({ ...row, medianResponseHours: median(hours) }))
    .sort((a, b) => b.total - a.total || a.opdName.localeCompare(b.opdName));
  return {
    month,
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    generatedAt: new Date(opts.nowMs).toISOString(),
    responseDays: opts.deadline?.days ?? null,
    total,
    byChannel,
    inTriage,
    external,
    opds,
  };
}

/** What an OPD sees of a month's report: its own row, with the month it is of; no other OPD's, no city totals. */
export type OpdMonthlyReport = Pick<MonthlyReport, 'month' | 'from' | 'to' | 'generatedAt' | 'responseDays'> & OpdReportRow;

/**
 * `opd`'s row of `report`, or zeros when none of the month's complaints is with it now (an OPD
 * with a quiet month has a report too: "0", not "not found"). Pure.
 */
export function opdMonthlyReport(report: MonthlyReport, opd: string, names: ReadonlyMap<string, { name: string; shortName: string }>): OpdMonthlyReport {
  const { month, from, to, generatedAt, responseDays } = report;
  const deadlines = responseDays === null ? null : 0;
  const known = names.get(opd);
  const row = report.opds.find((r) => r.opd === opd) ?? {
    opd,
    opdName: known?.name ?? opd,
    opdShortName: known?.shortName ?? known?.name ?? opd,
    total: 0,
    waiting: 0,
    inProgress: 0,
    resolved: 0,
    rejected: 0,
    answered: 0,
    answeredOnTime: deadlines,
    overdue: deadlines,
    medianResponseHours: null,
    reopened: 0,
  };
  return { month, from, to, generatedAt, responseDays, ...row };
}
