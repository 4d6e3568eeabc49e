import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRedis, type LocalRedis } from '@aduan/queue';
import { memoryLogger, timed, uniquePrefix } from '@aduan/testkit';
import { newPassword, serviceUserRules, SERVICE_USER, urlFor } from '../redis-acl/redis-users.ts';
import { createTestGateway } from '../testing/harness.ts';

/**
 * Redis runs with `noeviction`: at `maxmemory` it refuses every write and complaints go to the
 * spools. /metrics reports its memory so that an alert fires before that, read from INFO at
 * each scrape on a private redis-server with a small maxmemory (filled up to it here), as the
 * locked Redis's service user, and never holding the scrape when Redis stops answering.
 */
const MAXMEMORY = 4 * 1024 * 1024;
let redis: LocalRedis;
let admin: Redis;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aduan-redis-memory-'));
  redis = await startLocalRedis({ dir: join(dir, 'redis'), aof: false });
  admin = new Redis(redis.url);
  await admin.config('SET', 'maxmemory', String(MAXMEMORY));
});

afterAll(async () => {
  admin.disconnect();
  redis.process.kill('SIGCONT');
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** One sample's value on /metrics, or undefined when the series is absent. */
const sample = (text: string, series: string) => {
  const m = new RegExp(`^${series.replace(/[{}".]/g, '\\$&')} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
};
const usedMemory = async () => Number(/^used_memory:(\d+)/m.exec(await admin.info('memory'))![1]);

describe('Redis memory on /metrics', () => {
  it("reports INFO's used_memory and maxmemory, up to a Redis full at its maxmemory", async () => {
    const prefix = uniquePrefix('memory');
    const gw = await createTestGateway({ redisUrl: redis.url, prefix, logger: memoryLogger().logger });
    // The start's one-off work on Redis (the awaiting index's backfill) is over before memory is compared.
    await gw.deps.awaitingBackfill;
    try {
      const scrape = async () => (await gw.app.inject({ url: '/metrics' })).body;
      // The first scrape opens what reads the queues' depths: Redis grows by their clients meanwhile.
      await scrape();
      let text = await scrape();
      expect(sample(text, 'aduan_redis_maxmemory_bytes')).toBe(MAXMEMORY);
      // used_memory moves with every client's buffers: the scrape's figure is INFO's of that moment.
      expect(Math.abs(sample(text, 'aduan_redis_memory_used_bytes')! - (await usedMemory()))).toBeLessThan(64 * 1024);

      // Filled until Redis refuses writes (OOM): the gauges still read, and say it is full.
      const chunk = 'x'.repeat(64 * 1024);
      await expect((async () => {
        for (let i = 0; i < 200; i++) await admin.set(`${prefix}:fill:${i}`, chunk);
      })()).rejects.toThrow(/^OOM/);
      text = await scrape();
      const used = sample(text, 'aduan_redis_memory_used_bytes')!;
      expect(Math.abs(used - (await usedMemory()))).toBeLessThan(64 * 1024);
      expect(used / sample(text, 'aduan_redis_maxmemory_bytes')!).toBeGreaterThan(0.95);

      // No limit reads 0, as the alert rules expect.
      await admin.config('SET', 'maxmemory', '0');
      expect(sample(await scrape(), 'aduan_redis_maxmemory_bytes')).toBe(0);
    } finally {
      await admin.config('SET', 'maxmemory', String(MAXMEMORY));
      await gw.close();
      for (const key of await admin.keys(`${prefix}:*`)) await admin.del(key);
    }
  });

  it("is read as a locked Redis's service user (aduan-service), whose rules allow INFO", async () => {
    const prefix = uniquePrefix('memacl');
    const { password, sha256 } = newPassword();
    await admin.call('ACL', 'SETUSER', SERVICE_USER, ...serviceUserRules(prefix, sha256));
    await admin.call('ACL', 'LOG', 'RESET');
    const gw = await createTestGateway({ redisUrl: urlFor(redis.url, SERVICE_USER, password), prefix, logger: memoryLogger().logger });
    try {
      const text = (await gw.app.inject({ url: '/metrics' })).body;
      expect(sample(text, 'aduan_redis_memory_used_bytes')).toBeGreaterThan(0);
      expect(sample(text, 'aduan_redis_maxmemory_bytes')).toBe(MAXMEMORY);
      expect(await admin.call('ACL', 'LOG')).toEqual([]);
    } finally {
      await gw.close();
      await admin.call('ACL', 'DELUSER', SERVICE_USER);
    }
  });

  it('answers /metrics within the scrape deadline when Redis stops answering, without the Redis gauges; they return with Redis', async () => {
    const prefix = uniquePrefix('memslow');
    const gw = await createTestGateway({ redisUrl: redis.url, prefix, logger: memoryLogger().logger });
    try {
      expect(sample((await gw.app.inject({ url: '/metrics' })).body, 'aduan_redis_maxmemory_bytes')).toBe(MAXMEMORY);
      // Paused: the connection stays open and nothing answers, the case a fail-fast connection
      // does not catch (it waited for the 3 s command timeout, for each read in turn).
      redis.process.kill('SIGSTOP');
      let text = '';
      const took = await timed(gw.app.inject({ url: '/metrics' }).then((r) => (text = r.body)), 5_000);
      redis.process.kill('SIGCONT');
      expect(took).toBeLessThan(2_000);
      expect(sample(text, 'aduan_redis_memory_used_bytes')).toBeUndefined();
      expect(sample(text, 'aduan_redis_maxmemory_bytes')).toBeUndefined();
      expect(text).not.toMatch(/^aduan_queue_jobs\{/m);
      // What does not come from Redis is still there.
      expect(sample(text, 'aduan_gateway_spooled_complaints')).toBe(0);
      expect(text).toMatch(/^aduan_data_disk_free_bytes\{dir="spool"\} \d+$/m);

      // Once Redis answers again (its replies to the abandoned reads arrive first), so do the gauges.
      await new Promise((r) => setTimeout(r, 200));
      expect(sample((await gw.app.inject({ url: '/metrics' })).body, 'aduan_redis_maxmemory_bytes')).toBe(MAXMEMORY);
    } finally {
      redis.process.kill('SIGCONT');
      await gw.close();
    }
  });
});
