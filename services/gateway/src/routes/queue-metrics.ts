import { Gauge } from 'prom-client';
import { answerWithin, failedSince, queueDepths } from '@aduan/queue';
import { metricsRegistry } from '@aduan/telemetry';
import type { GatewayDeps } from '../deps.ts';
import { contractQueues } from '../contract-queues.ts';
import { DIGEST_JOB_ID_PREFIX } from '../opd-inbox/digest.ts';

/**
 * How long a scrape waits for each of its Redis reads (queue depths, memory): a Redis that
 * stopped answering (overloaded, paused, a network that drops packets) would otherwise hold
 * /metrics for the connection's 3 s command timeout, and Prometheus's scrape with it.
 */
export const SCRAPE_REDIS_MS = 1_000;

const HOUR_MS = 3_600_000;

interface QueueGauges {
  jobs: Gauge<'queue' | 'state'>;
  failedNotices: Gauge<'queue' | 'audience'>;
  oldest: Gauge<'queue'>;
  spooled: Gauge;
}

let gauges: QueueGauges | undefined;
function queueGauges(): QueueGauges {
  gauges ??= {
    jobs: new Gauge({ name: 'aduan_queue_jobs', help: 'Jobs in each queue of the queue contract by state (waiting, active, delayed, failed), read at scrape time', labelNames: ['queue', 'state'], registers: [metricsRegistry] }),
    failedNotices: new Gauge({
      name: 'aduan_queue_notices_failed_last_hour',
      help: 'Jobs of each notify queue that failed for good in the last hour, by whom they were for: staff (the OPD inbox digest) or citizen (every other notice), read at scrape time',
      labelNames: ['queue', 'audience'],
      registers: [metricsRegistry],
    }),
    oldest: new Gauge({ name: 'aduan_queue_oldest_waiting_seconds', help: 'How long the oldest waiting job of each queue has waited (0: none waits), read at scrape time', labelNames: ['queue'], registers: [metricsRegistry] }),
    spooled: new Gauge({ name: 'aduan_gateway_spooled_complaints', help: "Complaints in this gateway's spool (SPOOL_DIR), waiting for Redis", registers: [metricsRegistry] }),
  };
  return gauges;
}

/**
 * Sets the queue and spool gauges just before /metrics is read: what an operator alerts on
 * (intake piling up behind a slow router, failed notifications, a spool that does not drain).
 * Failed notices are also counted over the last hour by whom they were for, from the failed
 * sets' last entries only (failedSince): the alerts on them need no delta of a 30-day count.
 * With Redis away, or not answering within SCRAPE_REDIS_MS, the queue gauges are emptied rather
 * than left stale; the spool's still counts.
 */
export async function refreshQueueGauges(deps: GatewayDeps): Promise<void> {
  const g = queueGauges();
  // Unreadable: NaN, not a reassuring 0 (/readyz says why).
  g.spooled.set(await deps.spool.pendingCount().catch(() => Number.NaN));
  g.jobs.reset();
  g.failedNotices.reset();
  g.oldest.reset();
  try {
    const queues = contractQueues(deps.directory);
    const notify = queues.filter((q) => q.startsWith('notify.'));
    const [depths, failed] = await answerWithin(Promise.all([queueDepths(deps.redis, deps.prefix, queues), failedSince(deps.redis, deps.prefix, notify, Date.now() - HOUR_MS)]), SCRAPE_REDIS_MS);
    for (const d of depths) {
      for (const state of ['waiting', 'active', 'delayed', 'failed'] as const) g.jobs.set({ queue: d.queue, state }, d[state]);
      g.oldest.set({ queue: d.queue }, d.oldestWaitingSeconds);
    }
    for (const [queue, ids] of failed) {
      // A digest is known by its jobId: its failure left staff without a reminder (their inbox
      // still lists everything), not a citizen without news, and must not page as one.
      const staff = ids.filter((id) => id.startsWith(DIGEST_JOB_ID_PREFIX)).length;
      g.failedNotices.set({ queue, audience: 'citizen' }, ids.length - staff);
      g.failedNotices.set({ queue, audience: 'staff' }, staff);
    }
  } catch (err) {
    deps.logger.debug({ err: (err as Error).message }, 'queue gauges not read: Redis unreachable or slow');
  }
}
