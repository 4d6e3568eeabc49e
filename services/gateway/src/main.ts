import { parseEnv } from '@aduan/config';
import { checkRedisDurability } from '@aduan/queue';
import { createLogger } from '@aduan/telemetry';
import { buildApp } from './app.ts';
import { GatewayEnv } from './config.ts';
import { createGatewayDeps } from './deps.ts';

/** The gateway alone (multi-process deployments); `pnpm start` at the root runs it with the router. */
const config = parseEnv(GatewayEnv);
const logger = createLogger({ service: 'gateway', level: config.LOG_LEVEL });
const deps = await createGatewayDeps(config, logger, { redisUrl: config.REDIS_URL ?? 'redis://127.0.0.1:6379' });
for (const problem of (await checkRedisDurability(deps.redis)).problems) logger.error({ durability: false }, `REDIS IS NOT DURABLE: ${problem}`);
const app = await buildApp(deps);
await app.listen({ port: config.PORT, host: config.HOST });

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, async () => {
    logger.info({ signal }, 'shutting down: no new requests, finishing in-flight ones');
    await app.close();
    await deps.close();
    process.exit(0);
  });
}
