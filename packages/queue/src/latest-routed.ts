import type { Queue } from 'bullmq';
import { RoutedComplaint } from '@aduan/schema';

/**
 * How many revisions are looked for when a complaint's first decision is gone from `routed`
 * and the caller gives no bound: more re-assignments than any complaint has had.
 */
const DEFAULT_MAX_REVISION = 10;

/** Where a complaint's routing is kept beyond `routed`: its routed copy (StatusStore.routedCopy, ADR 0013). */
export interface RoutedCopies {
  routedCopy(id: string): Promise<RoutedComplaint | null>;
}

/**
 * The latest routing publication of a complaint: its first decision (jobId `<id>`) or its last
 * re-assignment (`<id>.r<n>`) on `routed`, or its routed copy. Null when it was never routed,
 * or when neither `routed` (30 days) nor a copy (kept while the complaint is open, then 30
 * days) holds any of its decisions: routed before copies were kept.
 *
 * `routed` is read first: a decision is published there before the status step that writes the
 * copy, so it may hold a newer revision than the copy (published, not recorded yet: the router
 * died in between), which the router's retries and checks must see. `routed` drops a decision
 * 30 days after it was consumed, so a complaint routed long ago and re-assigned lately has lost
 * `<id>` but not `<id>.r<n>`: then the copy says where to read on from; without one, revisions
 * are looked for up to `maxRevision` (a caller that read the status history knows how many there
 * can be; default 10), and read on from the first one kept. Only a complaint whose first
 * decision is gone (or never made) costs those look-ups.
 */
export async function latestRouted(routedQueue: Queue, copies: RoutedCopies, id: string, opts: { maxRevision?: number } = {}): Promise<RoutedComplaint | null> {
  let job = await routedQueue.getJob(id);
  const copy = job ? null : await copies.routedCopy(id);
  let rev = copy?.routing.revision ?? 0;
  if (!job && !copy) {
    const bound = Math.min(opts.maxRevision ?? DEFAULT_MAX_REVISION, 99);
    for (rev = 1; rev <= bound && !job; rev++) job = await routedQueue.getJob(`${id}.r${rev}`);
    if (!job) return null;
    rev -= 1;
  }
  for (rev += 1; rev < 100; rev++) {
    const next = await routedQueue.getJob(`${id}.r${rev}`);
    if (!next) break;
    job = next;
  }
  return job ? RoutedComplaint.parse(job.data) : copy;
}
