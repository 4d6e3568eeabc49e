import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Queue } from './bullmq.ts';
import { createRedis } from './connection.ts';
import { createConsumer } from './consumer.ts';
import { deletePrefix, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';

describe('a consumer with inOrder (real Redis, real BullMQ)', () => {
  it('starts the jobs in the order the queue hands them out, several at once', async () => {
    const url = testRedisUrl();
    const prefix = uniquePrefix('inorder');
    const conn = createRedis(url, 'worker');
    const queue = new Queue('inorder', { connection: conn, prefix });
    const started: number[] = [];
    const worker = createConsumer({
      connection: createRedis(url, 'worker'),
      prefix,
      queue: 'inorder',
      concurrency: 4,
      inOrder: true,
      schema: z.object({ n: z.number() }),
      // Jobs ending at different times, some at once, while others are being queued: the worker's
      // main loop and the jobs that finish both want the next job.
      handler: async ({ n }) => {
        started.push(n);
        await new Promise((r) => setTimeout(r, n % 3));
      },
    });
    const jobs = 1_500;
    try {
      for (let n = 0; n < jobs; n++) {
        await queue.add('inorder', { n }, { priority: 1 });
        if (n % 2) await new Promise((r) => setImmediate(r));
      }
      await waitFor(() => started.length === jobs || null, { timeoutMs: 30_000, what: 'every job started' });
      // Without inOrder, 1 to 9 of them started before the one queued just before them (5 runs).
      const overtaking = started.filter((n, i) => i > 0 && n < started[i - 1]!);
      expect(overtaking).toEqual([]);
    } finally {
      await worker.close();
      await queue.close();
      conn.disconnect();
      await deletePrefix(url, prefix);
    }
  }, 60_000);
});
