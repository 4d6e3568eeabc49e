import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { GatewayEnv } from './config.ts';
import { createGatewayDeps } from './deps.ts';

const url = testRedisUrl();
const prefix = uniquePrefix('gateway-deps');
const mem = memoryLogger('gateway');

afterAll(async () => {
  await deletePrefix(url, prefix);
});

describe('createGatewayDeps', () => {
  it('has both of its Redis connections up when it returns: a complaint right after is queued, not spooled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aduan-gw-deps-'));
    // With the secret given, nothing else waits for Redis before the first request.
    const config = GatewayEnv.parse({ QUEUE_PREFIX: prefix, SPOOL_DIR: join(dir, 'spool'), ATTACHMENT_DIR: join(dir, 'attachments'), STATUS_TOKEN_SECRET: 'test-secret-0123456789' });
    const deps = await createGatewayDeps(config, mem.logger, { redisUrl: url });
    try {
      const first = await deps.intake.submit({ request: { text: 'Lampu PJU di Jl. Merdeka mati sudah seminggu' }, attachments: [], channel: 'webform', account: 'web', intake: { transport: 'http' } });
      expect(first.outcome).toBe('queued');
      expect(await deps.status.idForTicket(first.ticket)).toBe(first.id);
    } finally {
      await deps.close();
    }
  });
});
