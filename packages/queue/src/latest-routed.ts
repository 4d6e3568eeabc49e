import type { Queue } from 'bullmq';
import { RoutedComplaint } from '@aduan/schema';

/**
 * The latest routing publication of a complaint on `routed`: its first decision (jobId `<id>`)
 * or its last re-assignment (`<id>.r<n>`). Null when it was never routed, or when `routed` no
 * longer keeps any of its decisions (30 days).
 *
 * `maxRevision`: how many re-assignments there can have been (a caller that read the status
 * history knows). `routed` drops a decision 30 days after it was consumed, so a complaint
 * routed long ago and re-assigned lately has lost `<id>` but not `<id>.r<n>`: without the bound
 * it would read as never routed. With it, the revisions are looked for from the newest down.
 */
export async function latestRouted(routedQueue: Queue, id: string, opts: { maxRevision?: number } = {}): Promise<RoutedComplaint | null> {
  let job = await routedQueue.getJob(id);
  let rev = 0;
  if (!job) {
    for (rev = Math.min(opts.maxRevision ?? 0, 99); rev >= 1 && !job; rev--) job = await routedQueue.getJob(`${id}.r${rev}`);
    if (!job) return null;
    rev += 1;
  }
  for (rev += 1; rev < 100; rev++) {
    const next = await routedQueue.getJob(`${id}.r${rev}`);
    if (!next) break;
    job = next;
  }
  return RoutedComplaint.parse(job.data);
}
