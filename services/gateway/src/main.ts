import { listenOrExit, parseEnvOrExit } from '@aduan/config';
import { checkRedisDurability, exitIfRedisRefuses } from '@aduan/queue';
import { loadDirectoryOrExit } from '@aduan/routing/directory';
import { createLogger, onShutdown } from '@aduan/telemetry';
import { buildApp } from './app.ts';
import { GatewayEnv } from './config.ts';
import { createGatewayDeps } from './deps.ts';
import { loadResponseDeadlineOrExit } from './overdue/response-deadline.ts';

/** The gateway alone (multi-process deployments); `pnpm start` at the root runs it with the router. */
const config = parseEnvOrExit(GatewayEnv);
const logger = createLogger({ service: 'gateway', level: config.LOG_LEVEL });
const redisUrl = config.REDIS_URL ?? 'redis://127.0.0.1:6379';
await exitIfRedisRefuses(redisUrl, config.QUEUE_PREFIX);
const deps = await createGatewayDeps(config, logger, { redisUrl, directory: loadDirectoryOrExit(config.ROUTING_DIRECTORY), deadline: loadResponseDeadlineOrExit(config) });
for (const problem of (await checkRedisDurability(deps.redis)).problems) logger.error({ durability: false }, `REDIS IS NOT DURABLE: ${problem}`);
const app = await buildApp(deps);
await listenOrExit(app, config.PORT, config.HOST);

onShutdown({
  logger,
  timeoutMs: config.SHUTDOWN_TIMEOUT,
  steps: [
    { name: 'http', run: () => app.close() },
    { name: 'queues', run: () => deps.close() },
  ],
});
