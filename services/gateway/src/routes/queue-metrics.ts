import { Gauge } from 'prom-client';
import { answerWithin, queueDepths } from '@aduan/queue';
import { metricsRegistry } from '@aduan/telemetry';
import type { GatewayDeps } from '../deps.ts';
import { contractQueues } from '../contract-queues.ts';

/**
 * How long a scrape waits for each of its Redis reads (queue depths, memory): a Redis that
 * stopped answering (overloaded, paused, a network that drops packets) would otherwise hold
 * /metrics for the connection's 3 s command timeout, and Prometheus's scrape with it.
 */
export const SCRAPE_REDIS_MS = 1_000;

interface QueueGauges {
  jobs: Gauge<'queue' | 'state'>;
  oldest: Gauge<'queue'>;
  spooled: Gauge;
}

let gauges: QueueGauges | undefined;
function queueGauges(): QueueGauges {
  gauges ??= {
    jobs: new Gauge({ name: 'aduan_queue_jobs', help: 'Jobs in each queue of the queue contract by state (waiting, active, delayed, failed), read at scrape time', labelNames: ['queue', 'state'], registers: [metricsRegistry] }),
    oldest: new Gauge({ name: 'aduan_queue_oldest_waiting_seconds', help: 'How long the oldest waiting job of each queue has waited (0: none waits), read at scrape time', labelNames: ['queue'], registers: [metricsRegistry] }),
    spooled: new Gauge({ name: 'aduan_gateway_spooled_complaints', help: "Complaints in this gateway's spool (SPOOL_DIR), waiting for Redis", registers: [metricsRegistry] }),
  };
  return gauges;
}

/**
 * Sets the queue and spool gauges just before /metrics is read: what an operator alerts on
 * (intake piling up behind a slow router, failed notifications, a spool that does not drain).
 * With Redis away, or not answering within SCRAPE_REDIS_MS, the queue gauges are emptied rather
 * than left stale; the spool's still counts.
 */
export async function refreshQueueGauges(deps: GatewayDeps): Promise<void> {
  const g = queueGauges();
  // Unreadable: NaN, not a reassuring 0 (/readyz says why).
  g.spooled.set(await deps.spool.pendingCount().catch(() => Number.NaN));
  g.jobs.reset();
  g.oldest.reset();
  try {
    for (const d of await answerWithin(queueDepths(deps.redis, deps.prefix, contractQueues(deps.directory)), SCRAPE_REDIS_MS)) {
      for (const state of ['waiting', 'active', 'delayed', 'failed'] as const) g.jobs.set({ queue: d.queue, state }, d[state]);
      g.oldest.set({ queue: d.queue }, d.oldestWaitingSeconds);
    }
  } catch (err) {
    deps.logger.debug({ err: (err as Error).message }, 'queue gauges not read: Redis unreachable or slow');
  }
}
