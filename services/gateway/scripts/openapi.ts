/**
 * Writes services/gateway/openapi.json from the routes' zod schemas (`generate`), or fails
 * when the committed file differs (`check`, run in CI). Needs no Redis: the app is built
 * against an address nothing listens on and never serves a request.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@aduan/telemetry';
import { buildApp } from '../src/app.ts';
import { GatewayEnv } from '../src/config.ts';
import { createGatewayDeps } from '../src/deps.ts';

const file = join(import.meta.dirname, '..', 'openapi.json');
const dir = mkdtempSync(join(tmpdir(), 'aduan-openapi-'));
const config = Object.freeze(GatewayEnv.parse({ STATUS_TOKEN_SECRET: 'openapi-generation-only', SPOOL_DIR: join(dir, 'spool'), ATTACHMENT_DIR: join(dir, 'att') }));
const deps = await createGatewayDeps(config, createLogger({ service: 'openapi', level: 'silent' }), { redisUrl: 'redis://127.0.0.1:1', readyTimeoutMs: 0 });
const app = await buildApp(deps);
await app.ready();
const text = `${JSON.stringify(app.swagger(), null, 2)}\n`;
// No close(): nothing ever connected, and BullMQ's close would wait for a connection. The
// spool and attachment folders were never written to.
rmSync(dir, { recursive: true, force: true });

if (process.argv[2] === 'check') {
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
    console.error(`stale: ${file} (run: pnpm openapi:generate)`);
    process.exit(1);
  }
  console.log('openapi.json is current');
} else {
  writeFileSync(file, text);
  console.log(`wrote ${file}`);
}
process.exit(0);
