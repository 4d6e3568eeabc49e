import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { GatewayEnv } from '../config.ts';
import { buildApp } from '../app.ts';
import { createGatewayDeps, type GatewayDeps } from '../deps.ts';
import type { Logger } from '@aduan/telemetry';

/**
 * A real gateway for tests: real Redis (the caller's URL and prefix), a temporary spool and
 * attachment directory, the repository's routing directory. Nothing is mocked.
 */
export async function createTestGateway(opts: { redisUrl: string; prefix: string; logger: Logger; env?: Record<string, string>; routerAlive?: () => boolean }): Promise<{ app: FastifyInstance; deps: GatewayDeps; dir: string; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'aduan-gw-'));
  const config = Object.freeze(
    GatewayEnv.parse({
      QUEUE_PREFIX: opts.prefix,
      SPOOL_DIR: join(dir, 'spool'),
      ATTACHMENT_DIR: join(dir, 'attachments'),
      STATUS_TOKEN_SECRET: 'test-secret-0123456789',
      RATE_LIMIT_PER_MINUTE: '0',
      LOGIN_RATE_LIMIT_PER_MINUTE: '0',
      QUEUE_ADD_TIMEOUT_MS: '500',
      ...opts.env,
    }),
  );
  const deps = await createGatewayDeps(config, opts.logger, { redisUrl: opts.redisUrl, ...(opts.routerAlive ? { routerAlive: opts.routerAlive } : {}), producerOptions: { drainIntervalMs: 100 }, readyTimeoutMs: 5_000 });
  const app = await buildApp(deps);
  await app.ready();
  return {
    app,
    deps,
    dir,
    close: async () => {
      await app.close();
      await deps.close();
    },
  };
}

/**
 * Builds a multipart/form-data body by hand (what a browser sends), for app.inject(): `fields`,
 * then `files`, then `fieldsAfter` (the form's fields below its photo input, sent after them).
 */
export function multipartBody(fields: Record<string, string>, files: { name: string; filename: string; type: string; data: Buffer }[] = [], fieldsAfter: Record<string, string> = {}): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----aduan${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  const field = ([k, v]: [string, string]) => chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  Object.entries(fields).forEach(field);
  for (const f of files) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.name}"; filename="${f.filename}"\r\nContent-Type: ${f.type}\r\n\r\n`));
    chunks.push(f.data, Buffer.from('\r\n'));
  }
  Object.entries(fieldsAfter).forEach(field);
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** A real 1x1 PNG. */
export const PNG_1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
