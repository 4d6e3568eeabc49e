import type { FastifyInstance } from 'fastify';
import { pingRedis, routerHeartbeatKey } from '@aduan/queue';
import { metricsAuth, metricsRegistry, refreshDataDiskGauges, type DataDirs } from '@aduan/telemetry';
import type { GatewayDeps } from '../deps.ts';
import { refreshOverdueGauge } from '../overdue/overdue-metrics.ts';
import { refreshPublicNumberGauge } from './public-number-metrics.ts';
import { refreshQueueGauges } from './queue-metrics.ts';
import { refreshRedisMemoryGauges } from './redis-memory-metrics.ts';

/** The directories whose disk fills when Redis does not take complaints (the spool) and with every photo (attachments). */
const dataDirs = (deps: GatewayDeps): DataDirs => ({ spool: deps.config.SPOOL_DIR, attachments: deps.config.ATTACHMENT_DIR });

/** Liveness, readiness (Redis reachable, a router alive) and Prometheus metrics (with the queues' depths, the OPDs' overdue complaints, Redis's memory, whether a WhatsApp service serves WHATSAPP_PUBLIC_NUMBER, and the data disks). */
export async function health(app: FastifyInstance, deps: GatewayDeps): Promise<void> {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const redis = await pingRedis(deps.redis);
    let router = false;
    if (deps.routerAlive) router = deps.routerAlive();
    else if (redis) router = (await deps.redis.exists(routerHeartbeatKey(deps.prefix)).catch(() => 0)) === 1;
    // A spool that cannot be read is not an empty one: said (null, and why), not counted as 0.
    // It does not make the gateway unready: with Redis up, complaints are queued without it.
    let spooled: number | null = null;
    let spoolError: string | undefined;
    try {
      spooled = await deps.spool.pendingCount();
    } catch (err) {
      spoolError = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    }
    const ready = redis && router;
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks: { redis, router, spooled, ...(spoolError ? { spoolError } : {}) } });
  });

  app.get('/metrics', { schema: { hide: true }, onRequest: metricsAuth(deps.config.METRICS_TOKEN) }, async (_req, reply) => {
    // Side by side: a Redis that does not answer costs the scrape one deadline, not one per read.
    await Promise.all([refreshQueueGauges(deps), refreshOverdueGauge(deps), refreshRedisMemoryGauges(deps), refreshPublicNumberGauge(deps), refreshDataDiskGauges(metricsRegistry, dataDirs(deps), deps.logger)]);
    return reply.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
  });
}
