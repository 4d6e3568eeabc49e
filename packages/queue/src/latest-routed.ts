import type { Queue } from 'bullmq';
import { RoutedComplaint } from '@aduan/schema';

/**
 * The latest routing publication of a complaint on `routed`: its first decision (jobId `<id>`)
 * or its last re-assignment (`<id>.r<n>`). Null when it was never routed.
 */
export async function latestRouted(routedQueue: Queue, id: string): Promise<RoutedComplaint | null> {
  let job = await routedQueue.getJob(id);
  if (!job) return null;
  for (let rev = 1; rev < 100; rev++) {
    const next = await routedQueue.getJob(`${id}.r${rev}`);
    if (!next) break;
    job = next;
  }
  return RoutedComplaint.parse(job.data);
}
