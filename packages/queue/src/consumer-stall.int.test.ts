import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Job } from 'bullmq';
import { Queue } from './bullmq.ts';
import { createRedis } from './connection.ts';
import { createConsumer, MAX_STALLS } from './consumer.ts';
import { cutOff, deletePrefix, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';

/**
 * A job cut off half-way, as by a killed process or a lock lost while Redis was away (cutOff:
 * a real consumer takes it and is closed without finishing it, so its lock expires and the next
 * consumer's stalled-job check finds it).
 */
const url = testRedisUrl();
const prefix = uniquePrefix('stall');
const schema = z.object({ n: z.number() });
const connection = createRedis(url, 'worker');
const queue = new Queue('stall', { connection, prefix });
const cut = (jobId: string) => cutOff({ url, prefix, queue: 'stall', jobId, schema });

afterAll(async () => {
  await queue.close();
  connection.disconnect();
  await deletePrefix(url, prefix);
});

async function finish(jobId: string): Promise<Job> {
  const worker = createConsumer({ connection: createRedis(url, 'worker'), prefix, queue: 'stall', schema, lockDurationMs: 800, stalledIntervalMs: 300, handler: async () => {} });
  try {
    return await waitFor(async () => {
      const job = await queue.getJob(jobId);
      return job && (await job.isCompleted()) ? job : null;
    }, { timeoutMs: 10_000, what: `job ${jobId} to complete` });
  } finally {
    await worker.close();
  }
}

describe('a job cut off half-way', () => {
  it(`is run again after each of ${MAX_STALLS} cut-offs and then completes (BullMQ's default failed it at the second)`, async () => {
    const { id } = await queue.add('stall', { n: 1 }, { jobId: 'cut-often' });
    // The first worker takes it from the queue; each later one, after a stalled-job check put it back.
    for (let n = 0; n < MAX_STALLS; n++) expect(await cut(id!)).toBe('taken');
    const job = await finish(id!);
    expect(job.failedReason ?? '').toBe('');
    expect(job.stalledCounter).toBe(MAX_STALLS);
  }, 60_000);

  it('fails once it has been cut off more often than that: a job that kills its process each time does not do so forever', async () => {
    const { id } = await queue.add('stall', { n: 2 }, { jobId: 'cut-too-often' });
    for (let n = 0; n <= MAX_STALLS; n++) expect(await cut(id!)).toBe('taken');
    expect(await cut(id!)).toBe('failed');
    const job = (await queue.getJob(id!))!;
    expect(job.failedReason).toBe('job stalled more than allowable limit');
  }, 60_000);
});
