import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedis, freePort, startLocalRedis, untilReady } from '@aduan/queue';
import { verifyStatusToken } from '@aduan/schema';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { GatewayEnv } from './config.ts';
import { createGatewayDeps, secretCopyPath } from './deps.ts';

/** A fail-fast connection, connected. */
async function connected(redisUrl: string) {
  const redis = createRedis(redisUrl, 'client');
  expect(await untilReady(redis, 5_000)).toBe(true);
  return redis;
}

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

describe('the generated status-token secret', () => {
  const complaint = { request: { text: 'Sampah menumpuk di TPS dekat Pasar Templek belum diangkut' }, attachments: [], channel: 'webform' as const, account: 'web', intake: { transport: 'http' as const } };

  it('is kept in Redis and copied to the spool directory, so a restart while Redis is away starts and spools, and a Redis that lost its data gets it back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aduan-gw-secret-'));
    const config = GatewayEnv.parse({ QUEUE_PREFIX: 'aduan', SPOOL_DIR: join(dir, 'spool'), ATTACHMENT_DIR: join(dir, 'attachments') });
    const key = 'aduan:secret:status-token';
    let own = await startLocalRedis({ dir: join(dir, 'redis-1') });
    try {
      // First start: a secret is generated, kept in Redis, and copied (readable by the owner only).
      const first = await createGatewayDeps(config, mem.logger, { redisUrl: own.url });
      const secret = first.statusSecret();
      const given = await first.intake.submit(complaint);
      await first.close();
      const redis = await connected(own.url);
      expect(await redis.get(key)).toBe(secret);
      redis.disconnect();
      expect(readFileSync(secretCopyPath(config.SPOOL_DIR), 'utf8').trim()).toBe(secret);
      expect(statSync(secretCopyPath(config.SPOOL_DIR)).mode & 0o777).toBe(0o600);
      // The spool directory it made holds complaints later: the service's user only.
      expect(statSync(config.SPOOL_DIR).mode & 0o777).toBe(0o700);

      // Redis away: the gateway starts with its copy and accepts complaints into the spool,
      // with tokens the same secret verifies.
      await own.stop();
      const away = await createGatewayDeps(config, mem.logger, { redisUrl: `redis://127.0.0.1:${await freePort()}`, readyTimeoutMs: 300 });
      try {
        expect(away.statusSecret()).toBe(secret);
        const spooled = await away.intake.submit(complaint);
        expect(spooled.outcome).toBe('spooled');
        expect(verifyStatusToken(spooled.id, spooled.statusToken, secret)).toBe(true);
      } finally {
        await away.close();
      }

      // A new, empty Redis (its data lost): the copy becomes Redis's secret again, so the token
      // given out at the first start still verifies.
      own = await startLocalRedis({ dir: join(dir, 'redis-2') });
      const again = await createGatewayDeps(config, mem.logger, { redisUrl: own.url });
      try {
        expect(again.statusSecret()).toBe(secret);
        expect(verifyStatusToken(given.id, given.statusToken, again.statusSecret())).toBe(true);
        const check = await connected(own.url);
        expect(await check.get(key)).toBe(secret);
        check.disconnect();
      } finally {
        await again.close();
      }
    } finally {
      await own.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a new gateway (no copy) starts on a Redis that is full but holds the secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aduan-gw-secret-'));
    const config = GatewayEnv.parse({ QUEUE_PREFIX: 'aduan', SPOOL_DIR: join(dir, 'spool'), ATTACHMENT_DIR: join(dir, 'attachments') });
    const own = await startLocalRedis({ dir: join(dir, 'redis') });
    const admin = await connected(own.url);
    try {
      await admin.set('aduan:secret:status-token', 'the-secret-every-replica-uses');
      // At maxmemory: reads answered, every write refused (OOM).
      await admin.config('SET', 'maxmemory', '1');
      const deps = await createGatewayDeps(config, mem.logger, { redisUrl: own.url });
      await deps.close();
      expect(deps.statusSecret()).toBe('the-secret-every-replica-uses');
    } finally {
      admin.disconnect();
      await own.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);

  it("a Redis's own secret wins over a different copy, and the copy follows it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aduan-gw-secret-'));
    const config = GatewayEnv.parse({ QUEUE_PREFIX: prefix, SPOOL_DIR: join(dir, 'spool'), ATTACHMENT_DIR: join(dir, 'attachments') });
    const redis = await connected(url);
    await redis.set(`${prefix}:secret:status-token`, 'the-secret-every-replica-uses');
    try {
      mkdirSync(config.SPOOL_DIR, { recursive: true });
      writeFileSync(secretCopyPath(config.SPOOL_DIR), 'an-old-copy-from-another-redis\n');
      const deps = await createGatewayDeps(config, mem.logger, { redisUrl: url });
      await deps.close();
      expect(deps.statusSecret()).toBe('the-secret-every-replica-uses');
      expect(readFileSync(secretCopyPath(config.SPOOL_DIR), 'utf8').trim()).toBe('the-secret-every-replica-uses');
    } finally {
      redis.disconnect();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
