import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Queue } from './bullmq.ts';
import { createRedis } from './connection.ts';
import { createConsumer } from './consumer.ts';
import { startLocalRedis } from './local-redis.ts';
import { waitFor } from '@aduan/testkit';

describe('a consumer while Redis refuses writes', () => {
  it('rests instead of retrying at once (a core spent for nothing), and takes jobs again once Redis has room', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aduan-consumer-rest-'));
    const redis = await startLocalRedis({ dir, aof: false });
    const admin = createRedis(redis.url, 'worker');
    const queue = new Queue('rest', { connection: createRedis(redis.url, 'worker'), prefix: 'rest' });
    const seen: number[] = [];
    const errors: string[] = [];
    const worker = createConsumer({ connection: createRedis(redis.url, 'worker'), prefix: 'rest', queue: 'rest', schema: z.object({ n: z.number() }), handler: async (d) => void seen.push(d.n), onError: (err) => errors.push(err.message) });
    try {
      await worker.waitUntilReady();
      await admin.config('SET', 'maxmemory', '1');
      await waitFor(() => worker.isPaused() || null, { timeoutMs: 10_000, what: 'the worker to rest' });
      expect(errors.some((m) => m.startsWith('OOM'))).toBe(true);
      await admin.config('SET', 'maxmemory', '0');
      await queue.add('rest', { n: 7 });
      await waitFor(() => seen.includes(7) || null, { timeoutMs: 10_000, what: 'the job taken after Redis had room' });
      expect(worker.isPaused()).toBe(false);
    } finally {
      await worker.close(true);
      await queue.close();
      admin.disconnect();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
