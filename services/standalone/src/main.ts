import { EXIT_CONFIG, listenOrExit, parseEnvOrExit } from '@aduan/config';
import { buildApp, createGatewayDeps, loadResponseDeadlineOrExit } from '@aduan/gateway';
import { checkRedisDurability, createRedis, exitIfRedisRefuses, RedisServerMissingError } from '@aduan/queue';
import { startRouterService } from '@aduan/router';
import { createRouter, DEFAULT_TRIAGE_THRESHOLD, loadDirectoryOrExit } from '@aduan/routing';
import { createLogger, onShutdown } from '@aduan/telemetry';
import { StandaloneEnv } from './config.ts';
import { routeAfterIntake } from './intake-first.ts';
import { resolveRedis } from './resolve-redis.ts';

/**
 * `pnpm start`: the gateway and the router in one process, the small-city default. This is
 * the one composition root allowed to import services (docs/adr/0002-standalone-process.md).
 */
const config = parseEnvOrExit(StandaloneEnv);
const logger = createLogger({ service: 'aduan', level: config.LOG_LEVEL });

let redis: Awaited<ReturnType<typeof resolveRedis>>;
try {
  redis = await resolveRedis({ ...(config.REDIS_URL ? { url: config.REDIS_URL } : {}), dataDir: config.DATA_DIR, autostart: config.REDIS_AUTOSTART, logger });
} catch (err) {
  // Nothing to run on until something is installed or set: a configuration mistake (exit 78,
  // which the systemd units do not restart in a loop), said as every other one is.
  if (err instanceof RedisServerMissingError) {
    console.error(`Aduan cannot start: ${err.message}`);
    process.exit(EXIT_CONFIG);
  }
  throw err;
}
// A private redis-server never outlives this process, whatever ends it (a failure below at
// start, an uncaught error, the shutdown's deadline): SIGTERM, on which Redis writes its AOF
// and stops.
const owned = redis.owned;
if (owned) process.on('exit', () => owned.stopNow());
await exitIfRedisRefuses(redis.url, config.QUEUE_PREFIX);

const probe = createRedis(redis.url, 'client');
for (const problem of (await checkRedisDurability(probe)).problems) logger.error({ durability: false }, `REDIS IS NOT DURABLE: ${problem}`);
probe.disconnect();

// One OPD directory for both halves: loaded and validated once.
const directory = loadDirectoryOrExit(config.ROUTING_DIRECTORY);
const deadline = loadResponseDeadlineOrExit(config);
const router = await startRouterService({
  redisUrl: redis.url,
  prefix: config.QUEUE_PREFIX,
  logger: logger.child({ component: 'router' }),
  concurrency: config.ROUTER_CONCURRENCY,
  hintDays: config.DESK_HINT_DAYS,
  // The rest of SHUTDOWN_TIMEOUT is the other steps' (and a margin): exit 0, not the deadline's 1.
  closeGraceMs: Math.max(1_000, Math.floor(config.SHUTDOWN_TIMEOUT / 2)),
  router: createRouter(directory, { triageThreshold: config.TRIAGE_THRESHOLD ?? DEFAULT_TRIAGE_THRESHOLD }),
});
// Intake before routing: the router takes fewer jobs at once while the shared loop is busy.
const intakeFirst = routeAfterIntake(router, { max: config.ROUTER_CONCURRENCY });
const deps = await createGatewayDeps(config, logger.child({ component: 'gateway' }), { redisUrl: redis.url, routerAlive: router.alive, directory, deadline });
const app = await buildApp(deps);
await listenOrExit(app, config.PORT, config.HOST);
logger.info({ port: config.PORT, redis: owned ? 'private redis-server' : 'external' }, `Aduan is running: http://localhost:${config.PORT}/ (API docs at /docs)`);

onShutdown({
  logger,
  timeoutMs: config.SHUTDOWN_TIMEOUT,
  steps: [
    { name: 'http', run: () => app.close() },
    {
      name: 'router',
      run: () => {
        intakeFirst.stop();
        return router.close();
      },
    },
    { name: 'queues', run: () => deps.close() },
    // The private redis-server writes its AOF and stops; waited for, so a restart finds it all.
    { name: 'private redis-server', run: () => owned?.stop() },
  ],
});
