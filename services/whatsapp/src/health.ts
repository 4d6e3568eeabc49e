import Fastify, { type FastifyInstance } from 'fastify';
import { metricsAuth, metricsRegistry, refreshDataDiskGauges, type DataDirs, type Logger } from '@aduan/telemetry';
import type { SessionStatus } from './session.ts';

export interface HealthSources {
  sessions: () => SessionStatus[];
  redisOk: () => Promise<boolean>;
  openConversations: () => Promise<number | null>;
  inboxSpooled: () => number;
  /** Reported on /metrics (aduan_data_disk_*_bytes{dir}): where messages wait while Redis is away, and the photos. */
  dataDirs: DataDirs;
  /** For a data disk that cannot be read (debug). */
  logger: Logger;
  /** METRICS_TOKEN: /metrics answers only a request that carries it. */
  metricsToken?: string | undefined;
}

/**
 * /healthz: 200 while the service can do its job (Redis answers, no number is in a fatal
 * state), 503 otherwise; the body shows each number's state and when its last message came.
 * Pairing and reconnecting are reported but stay 200: restarting the process would not help.
 */
export function buildHealthApp(src: HealthSources): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/healthz', async (_req, reply) => {
    const sessions = src.sessions();
    const redis = await src.redisOk();
    const fatal = sessions.some((s) => s.state === 'fatal');
    const allConnected = sessions.every((s) => s.state === 'connected');
    const status = !redis || fatal ? 'down' : allConnected ? 'ok' : 'degraded';
    const body = {
      status,
      redis: redis ? 'ok' : 'unreachable',
      openConversations: redis ? await src.openConversations().catch(() => null) : null,
      inboxSpooled: src.inboxSpooled(),
      sessions: sessions.map((s) => ({ ...s, connected: s.state === 'connected', pairing: s.state === 'pairing', loggedOut: s.state === 'logged_out' })),
    };
    return reply.code(status === 'down' ? 503 : 200).send(body);
  });
  app.get('/metrics', { onRequest: metricsAuth(src.metricsToken) }, async (_req, reply) => {
    await refreshDataDiskGauges(metricsRegistry, src.dataDirs, src.logger);
    reply.header('content-type', metricsRegistry.contentType);
    return metricsRegistry.metrics();
  });
  return app;
}
