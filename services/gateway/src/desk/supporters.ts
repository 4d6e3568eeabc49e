import type { Queue } from 'bullmq';
import { QueueNames, latestRouted, type DurableProducer, type StatusStore, type SupporterEntry } from '@aduan/queue';
import type { Logger } from '@aduan/telemetry';

export interface SupporterDeps {
  status: StatusStore;
  producer: DurableProducer;
  /** Read access to `routed`, to find the latest publication of a complaint. */
  routedQueue: Queue;
  logger: Logger;
}

/** jobId of a supporter-count publication on `routed` (README-desk.md documents it). */
export const supportersJobId = (id: string, supporters: number) => `${id}.s${supporters}`;

/**
 * Makes the supporter count visible downstream: when the complaint was routed already, the
 * updated RoutedComplaint goes to `routed` again with jobId `<id>.s<n>`. Before routing there is
 * nothing to do: the router reads the count from the status store when it routes.
 */
export async function publishSupporters(deps: SupporterDeps, id: string, supporters: number): Promise<'published' | 'not_routed' | 'up_to_date'> {
  const routed = await latestRouted(deps.routedQueue, deps.status, id);
  if (!routed) return 'not_routed';
  if (routed.supporters >= supporters) return 'up_to_date';
  await deps.producer.add(QueueNames.routed, supportersJobId(id, supporters), { ...routed, supporters });
  return 'published';
}

/**
 * Records one more reporter on a complaint and publishes the new count. A link made while the
 * router is deciding could miss both paths (the router read the count before the link, the link
 * saw no routed job yet), so unrouted links are checked again a little later.
 */
export async function linkSupporter(deps: SupporterDeps, id: string, key: string, entry: SupporterEntry, recheckMs: number[] = [3_000, 30_000]): Promise<{ added: boolean; supporters: number; published: boolean }> {
  const { added, supporters } = await deps.status.addSupporter(id, key, entry);
  const outcome = await publishSupporters(deps, id, supporters);
  if (outcome === 'not_routed') {
    for (const ms of recheckMs) {
      setTimeout(() => {
        void deps.status
          .get(id)
          .then((rec) => (rec?.supporters ? publishSupporters(deps, id, rec.supporters) : undefined))
          .catch((err: Error) => deps.logger.warn({ complaintId: id, err: err.message }, 'supporter re-check failed'));
      }, ms).unref();
    }
  }
  deps.logger.info({ complaintId: id, supporters, added, outcome }, 'supporter linked');
  return { added, supporters, published: outcome === 'published' };
}
