import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedis, QueueNames, startLocalRedis, type LocalRedis } from '@aduan/queue';
import type { Notification } from '@aduan/schema';
import { memoryLogger, timed, uniquePrefix, waitFor } from '@aduan/testkit';
import { createIgMetrics } from '../metrics.ts';
import { igKeys } from '../session/keys.ts';
import { FakeIgClient } from '../testing/fake-ig-client.ts';
import { NotifySender } from './notify-sender.ts';

/**
 * NotifySender.close() (SIGTERM) with Redis gone. It used to hang for good: BullMQ's
 * Worker.close() never returns while the worker's connection waits to reconnect, and its
 * worker, built directly, could not tell closeWorker whether it held a job. Each test runs its
 * own redis-server (AOF on) to kill and restart.
 */
describe('NotifySender.close() with Redis gone (real redis-server killed)', () => {
  let redis: LocalRedis;
  let dir: string;
  const conns: Redis[] = [];
  afterEach(async () => {
    for (const c of conns.splice(0)) c.disconnect();
    await redis.stop();
  });

  async function senderOn(client: FakeIgClient) {
    dir = mkdtempSync(join(tmpdir(), 'aduan-ig-stop-'));
    redis = await startLocalRedis({ dir });
    const prefix = uniquePrefix('igstop');
    const worker = createRedis(redis.url, 'worker');
    const markers = createRedis(redis.url, 'client');
    conns.push(worker, markers);
    const sender = new NotifySender({ connection: worker, redis: markers, prefix, client, account: 'pemkotblitar', keys: igKeys(prefix, 'pemkotblitar'), logger: memoryLogger().logger, metrics: createIgMetrics(new Registry()), maxPerMinute: 600, canSend: () => true });
    return { sender, prefix };
  }

  /** Redis dies as in a crash (SIGKILL). */
  async function kill() {
    const exited = new Promise((resolve) => redis.process.once('exit', resolve));
    redis.process.kill('SIGKILL');
    await exited;
  }

  it('holding no job: returns at once', async () => {
    const { sender } = await senderOn(new FakeIgClient());
    await waitFor(() => sender.worker.isRunning(), { what: 'worker running' });
    await kill();
    const closing = sender.close(3_000);
    const took = await timed(closing, 10_000);
    // Before: 'hung'.
    expect(took).not.toBe('hung');
    expect(await closing).toMatchObject({ graceful: false, left: 0 });
    expect(took).toBeLessThan(500);
  });

  it('with a send in flight: waits the grace for Redis, then leaves the job active in Redis, its attempts unspent', async () => {
    const client = new FakeIgClient();
    let sending!: () => void;
    const inFlight = new Promise<void>((resolve) => (sending = resolve));
    // Instagram takes its time: the send is in flight when Redis dies.
    client.entity.directThread = () => ({ broadcastText: () => (sending(), new Promise<never>(() => {})), broadcastLink: () => new Promise<never>(() => {}) });
    const { sender, prefix } = await senderOn(client);
    const note: Notification = { schemaVersion: 1, channel: 'instagram', account: 'pemkotblitar', to: 'th-1', kind: 'routed', ticket: 'ADU-7K3M-9Q2X', text: 'Aduan ADU-7K3M-9Q2X sudah kami teruskan.', createdAt: new Date().toISOString() };
    const producer = createRedis(redis.url, 'worker');
    conns.push(producer);
    const queue = new Queue(QueueNames.notify('instagram'), { connection: producer, prefix });
    await queue.add('n', note, { jobId: 'routed-1', attempts: 3 });
    await queue.close();
    await inFlight;

    await kill();
    const graceMs = 800;
    const closing = sender.close(graceMs);
    const took = await timed(closing, 10_000);
    expect(took).not.toBe('hung');
    expect(await closing).toMatchObject({ graceful: false, left: 1 });
    expect(took).toBeGreaterThanOrEqual(graceMs - 100);
    expect(took).toBeLessThan(graceMs + 1_000);

    // Not lost: still active under its lock, to be sent again once the lock expires (stalled check).
    redis = await startLocalRedis({ dir, port: redis.port });
    const look = createRedis(redis.url, 'worker');
    conns.push(look);
    const q = new Queue(QueueNames.notify('instagram'), { connection: look, prefix });
    try {
      expect(await q.getJobState('routed-1')).toBe('active');
      expect((await q.getJob('routed-1'))?.attemptsMade).toBe(0);
      expect(await look.pttl(`${prefix}:${QueueNames.notify('instagram')}:routed-1:lock`)).toBeGreaterThan(0);
    } finally {
      await q.close();
    }
  });
});
