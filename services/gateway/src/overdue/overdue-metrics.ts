import { Gauge } from 'prom-client';
import { EXTERNAL_OPD, answerWithin } from '@aduan/queue';
import { metricsRegistry } from '@aduan/telemetry';
import type { GatewayDeps } from '../deps.ts';
import { SCRAPE_REDIS_MS } from '../routes/queue-metrics.ts';

let gauge: Gauge<'opd'> | undefined;
const overdueGauge = () =>
  (gauge ??= new Gauge({ name: 'aduan_opd_overdue_complaints', help: 'Complaints routed to each OPD and left unanswered past their response deadline (OPD_RESPONSE_DAYS working days), read at scrape time', labelNames: ['opd'], registers: [metricsRegistry] }));

/**
 * Sets `aduan_opd_overdue_complaints` just before /metrics is read: one ZCOUNT per OPD on its
 * awaiting index (StatusStore.overdueCounts), never a scan of the complaints. Every OPD of the
 * directory has a series (0 when none is late), so an alert on one resolves when it answers;
 * an OPD gone from the directory keeps one while it had complaints waiting. No series at all when
 * deadlines are off, or Redis cannot be read within SCRAPE_REDIS_MS (a stale count would be worse than none).
 */
export async function refreshOverdueGauge(deps: Pick<GatewayDeps, 'deadline' | 'directory' | 'status' | 'logger'>, nowMs = Date.now()): Promise<void> {
  const g = overdueGauge();
  g.reset();
  if (!deps.deadline) return;
  try {
    const counts = await answerWithin(deps.status.overdueCounts(deps.deadline.overdueBefore(nowMs), nowMs), SCRAPE_REDIS_MS);
    for (const o of deps.directory.opds) if (o.code !== EXTERNAL_OPD && !counts.has(o.code)) counts.set(o.code, 0);
    for (const [opd, n] of counts) g.set({ opd }, n);
  } catch (err) {
    deps.logger.debug({ err: (err as Error).message }, 'overdue gauge not read: Redis unreachable or slow');
  }
}
