import type { Queue } from 'bullmq';
import { RoutedComplaint } from '@aduan/schema';

/**
 * How many revisions are looked for when a complaint's first decision is gone from `routed`
 * and the caller gives no bound: more re-assignments than any complaint has had.
 */
const DEFAULT_MAX_REVISION = 10;

/**
 * The latest routing publication of a complaint on `routed`: its first decision (jobId `<id>`)
 * or its last re-assignment (`<id>.r<n>`). Null when it was never routed, or when `routed` no
 * longer keeps any of its decisions (30 days).
 *
 * `routed` drops a decision 30 days after it was consumed, so a complaint routed long ago and
 * re-assigned lately has lost `<id>` but not `<id>.r<n>`: then its revisions are looked for, up
 * to `maxRevision` (a caller that read the status history knows how many there can be; default
 * 10), and read on from the first one kept. Only a complaint whose first decision is gone (or
 * never made) costs those look-ups.
 */
export async function latestRouted(routedQueue: Queue, id: string, opts: { maxRevision?: number } = {}): Promise<RoutedComplaint | null> {
  let job = await routedQueue.getJob(id);
  let rev = 0;
  if (!job) {
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
  return RoutedComplaint.parse(job.data);
}
