import { Queue, Worker } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { deletePrefix, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { createRedis, untilReady } from './connection.ts';
import { failedSince, queueDepths } from './queue-depths.ts';

const url = testRedisUrl();
const prefix = uniquePrefix('depths');

afterAll(async () => {
  await deletePrefix(url, prefix);
});

describe('queueDepths', () => {
  it("counts each queue's jobs by state from BullMQ's own keys, and the age of its oldest waiting job", async () => {
    const connection = createRedis(url, 'worker');
    const redis = createRedis(url, 'client');
    expect(await untilReady(redis, 5_000)).toBe(true);
    const notify = new Queue('notify.whatsapp', { connection, prefix });
    const opd = new Queue('opd.dishub', { connection, prefix });
    try {
      // Two waiting (the first is the oldest), one delayed, one failed.
      const first = await opd.add('x', { n: 1 }, { jobId: 'first' });
      await new Promise((r) => setTimeout(r, 20));
      await opd.add('x', { n: 2 }, { jobId: 'second' });
      await opd.add('x', { n: 3 }, { jobId: 'later', delay: 60_000 });
      await notify.add('x', { n: 4 }, { jobId: 'doomed', attempts: 1 });
      const worker = new Worker('notify.whatsapp', async () => {
        throw new Error('the number is gone');
      }, { connection, prefix });
      await waitFor(async () => (await notify.getFailedCount()) === 1, { what: 'the notify job failed' });
      await worker.close();

      const now = first.timestamp + 90_000;
      const [o, n, empty] = await queueDepths(redis, prefix, ['opd.dishub', 'notify.whatsapp', 'opd.dlh'], now);
      expect(o).toEqual({ queue: 'opd.dishub', waiting: 2, active: 0, delayed: 1, failed: 0, oldestWaitingSeconds: 90 });
      expect(n).toEqual({ queue: 'notify.whatsapp', waiting: 0, active: 0, delayed: 0, failed: 1, oldestWaitingSeconds: 0 });
      expect(empty).toEqual({ queue: 'opd.dlh', waiting: 0, active: 0, delayed: 0, failed: 0, oldestWaitingSeconds: 0 });

      // A paused queue's jobs still wait.
      await opd.pause();
      const [paused] = await queueDepths(redis, prefix, ['opd.dishub'], now);
      expect(paused).toMatchObject({ waiting: 2, delayed: 1 });

      // A prioritized notice (the router's, behind acknowledgements) that waits long shows too,
      // though no acknowledgement waits.
      const routed = await notify.add('x', { n: 5 }, { jobId: 'routed-notice', priority: 2 });
      await notify.add('x', { n: 6 }, { jobId: 'guide', priority: 1 });
      const [stuck] = await queueDepths(redis, prefix, ['notify.whatsapp'], routed.timestamp + 120_000);
      expect(stuck).toMatchObject({ waiting: 2, oldestWaitingSeconds: expect.any(Number) });
      // The next prioritized one (the guide, best ranked) is what it reads: about 120 s old.
      expect(stuck!.oldestWaitingSeconds).toBeGreaterThan(110);

      // An acknowledgement waiting, then urgent notices (the 112 notice) pushed in front of it:
      // the acknowledgement is still the oldest waiting.
      const ig = new Queue('notify.instagram', { connection, prefix });
      try {
        const ack = await ig.add('x', { n: 7 }, { jobId: 'ack' });
        await new Promise((r) => setTimeout(r, 20));
        for (let i = 0; i < 3; i++) await ig.add('x', { n: 8 + i }, { jobId: `urgent-${i}`, lifo: true });
        const [behindUrgent] = await queueDepths(redis, prefix, ['notify.instagram'], ack.timestamp + 60_000);
        expect(behindUrgent).toEqual({ queue: 'notify.instagram', waiting: 4, active: 0, delayed: 0, failed: 0, oldestWaitingSeconds: 60 });
      } finally {
        await ig.close();
      }
    } finally {
      await notify.close();
      await opd.close();
      connection.disconnect();
      redis.disconnect();
    }
  });

  it('reads the ids of the jobs that failed since a time, not the older ones the failed set keeps', async () => {
    const connection = createRedis(url, 'worker');
    const redis = createRedis(url, 'client');
    const own = uniquePrefix('depths-failed');
    const notify = new Queue('notify.whatsapp', { connection, prefix: own });
    const worker = new Worker('notify.whatsapp', async () => {
      throw new Error('not on WhatsApp');
    }, { connection, prefix: own });
    const failAll = async (ids: string[]) => {
      const before = await notify.getFailedCount();
      for (const id of ids) await notify.add('x', { id }, { jobId: id, attempts: 1 });
      await waitFor(async () => (await notify.getFailedCount()) === before + ids.length, { what: `${ids.length} jobs failed` });
    };
    try {
      await failAll(['ack-01J00000000000000000000OLD']);
      await new Promise((r) => setTimeout(r, 20));
      const since = Date.now();
      await failAll(['opd-digest.20261207T0030.budi', 'ack-01J0000000000000000000NEW']);
      await notify.add('x', {}, { jobId: 'opd-digest.20261208T0030.budi', delay: 60_000 });
      const recent = await failedSince(redis, own, ['notify.whatsapp', 'notify.instagram'], since);
      expect([...recent.keys()]).toEqual(['notify.whatsapp', 'notify.instagram']);
      expect(recent.get('notify.whatsapp')!.sort()).toEqual(['ack-01J0000000000000000000NEW', 'opd-digest.20261207T0030.budi']);
      expect(recent.get('notify.instagram')).toEqual([]);
      expect((await failedSince(redis, own, ['notify.whatsapp'], 0)).get('notify.whatsapp')).toHaveLength(3);
    } finally {
      await worker.close();
      await notify.close();
      connection.disconnect();
      redis.disconnect();
      await deletePrefix(url, own);
    }
  });
});
