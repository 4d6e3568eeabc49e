import Fastify from 'fastify';
import { listenOrExit, parseEnvOrExit } from '@aduan/config';
import { checkRedisDurability, createRedis, exitIfRedisRefuses } from '@aduan/queue';
import { createLogger, metricsAuth, metricsRegistry, onShutdown } from '@aduan/telemetry';
import { createRouter, DEFAULT_TRIAGE_THRESHOLD, loadDirectoryOrExit } from '@aduan/routing';
import { RouterEnv } from './config.ts';
import { startRouterService } from './router-service.ts';

/** The router alone (multi-process deployments). `pnpm start` at the root runs it with the gateway. */
const env = parseEnvOrExit(RouterEnv);
const logger = createLogger({ service: 'router', level: env.LOG_LEVEL });
const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
await exitIfRedisRefuses(redisUrl, env.QUEUE_PREFIX);

const probe = createRedis(redisUrl, 'client');
const durability = await checkRedisDurability(probe);
for (const problem of durability.problems) logger.error({ durability: false }, `REDIS IS NOT DURABLE: ${problem}`);
probe.disconnect();

const service = await startRouterService({
  redisUrl,
  prefix: env.QUEUE_PREFIX,
  logger,
  concurrency: env.ROUTER_CONCURRENCY,
  hintDays: env.DESK_HINT_DAYS,
  // The rest of SHUTDOWN_TIMEOUT is the other steps' (and a margin): exit 0, not the deadline's 1.
  closeGraceMs: Math.max(1_000, Math.floor(env.SHUTDOWN_TIMEOUT / 2)),
  router: createRouter(loadDirectoryOrExit(env.ROUTING_DIRECTORY), { triageThreshold: env.TRIAGE_THRESHOLD ?? DEFAULT_TRIAGE_THRESHOLD }),
});

const http = Fastify({ logger: false });
http.get('/healthz', async () => ({ status: 'ok' }));
http.get('/readyz', async (_req, reply) => (service.alive() ? { status: 'ready' } : reply.code(503).send({ status: 'not ready' })));
http.get('/metrics', { onRequest: metricsAuth(env.METRICS_TOKEN) }, async (_req, reply) => reply.type(metricsRegistry.contentType).send(await metricsRegistry.metrics()));
await listenOrExit(http, env.PORT, env.HOST);
logger.info({ port: env.PORT, version: service.router.version }, 'router started');

onShutdown({
  logger,
  timeoutMs: env.SHUTDOWN_TIMEOUT,
  steps: [
    { name: 'http', run: () => http.close() },
    { name: 'router', run: () => service.close() },
  ],
});
