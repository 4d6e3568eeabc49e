import type { GatewayDeps } from '../deps.ts';

/** How many complaints of one OPD the triage page lists at most: the oldest; the rest are counted. */
export const OVERDUE_SHOWN_PER_OPD = 10;

export interface OverdueComplaint {
  id: string;
  ticket: string;
  routedAt: string;
  /** Working days past the deadline (ResponseDeadline.workingDaysLate), 1 or more. */
  daysLate: number;
}

/** One OPD's complaints past their response deadline: the oldest few, and how many there are. */
export interface OverdueGroup {
  opd: string;
  opdName: string;
  total: number;
  items: OverdueComplaint[];
}

/**
 * The OPDs that have left complaints unanswered past their deadline at `nowMs`, the one with the
 * oldest such complaint first, each with its OVERDUE_SHOWN_PER_OPD oldest (the awaiting indexes:
 * a ZCOUNT per OPD, then a few records read). A record that no longer says "routed" to that OPD
 * (an index entry left by a router older than the indexes, during an upgrade) is left out.
 * Empty when deadlines are off.
 */
export async function listOverdue(deps: Pick<GatewayDeps, 'deadline' | 'status' | 'directory'>, nowMs = Date.now()): Promise<OverdueGroup[]> {
  const { deadline, status } = deps;
  if (!deadline) return [];
  const before = deadline.overdueBefore(nowMs);
  const late = [...(await status.overdueCounts(before, nowMs))].filter(([, n]) => n > 0);
  const groups = await Promise.all(
    late.map(async ([opd, total]): Promise<OverdueGroup> => {
      const entries = await status.overdueOf(opd, before, nowMs, OVERDUE_SHOWN_PER_OPD);
      const records = await Promise.all(entries.map((e) => status.get(e.id)));
      const items = entries.flatMap((e, i) => {
        const rec = records[i];
        if (rec?.state !== 'routed' || rec.opd !== opd) return [];
        return [{ id: e.id, ticket: rec.ticket, routedAt: new Date(e.routedMs).toISOString(), daysLate: deadline.workingDaysLate(e.routedMs, nowMs) }];
      });
      const opdName = records.find((r) => r?.opd === opd)?.opdName ?? deps.directory.opds.find((o) => o.code === opd)?.name ?? opd;
      return { opd, opdName, total, items };
    }),
  );
  return groups.filter((g) => g.items.length > 0).sort((a, b) => Date.parse(a.items[0]!.routedAt) - Date.parse(b.items[0]!.routedAt));
}
