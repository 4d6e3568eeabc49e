import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import type { Notification } from '@aduan/schema';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { createRedis, untilReady } from './connection.ts';
import { QueueNames } from './names.ts';
import { DurableProducer } from './producer.ts';
import { Spool } from './spool.ts';

const url = testRedisUrl();
const prefix = uniquePrefix('notify-priority');
const urgentPrefix = uniquePrefix('notify-urgent');
const dirs: string[] = [];

afterAll(async () => {
  await deletePrefix(url, prefix);
  await deletePrefix(url, urgentPrefix);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const note = (channel: 'whatsapp' | 'instagram', kind: Notification['kind'], text: string): Notification => ({ schemaVersion: 1, channel, account: '+6281100000000', to: '6281234567890@s.whatsapp.net', kind, text, createdAt: new Date().toISOString() });
/** The 112 notice to a citizen who tells of an emergency happening now. */
const urgent = (channel: 'whatsapp' | 'instagram', text: string): Notification => ({ ...note(channel, 'guide', text), urgent: true });

/** The texts of a queue's jobs in the order one worker, taking one at a time, takes them. */
async function takenInOrder(connection: ReturnType<typeof createRedis>, queue: string, expected: number, keyPrefix = prefix): Promise<string[]> {
  const taken: string[] = [];
  const worker = new Worker(queue, async (job) => void taken.push((job.data as Notification).text), { connection, prefix: keyPrefix, concurrency: 1 });
  try {
    await waitFor(() => taken.length === expected, { what: `${expected} jobs taken` });
  } finally {
    await worker.close();
  }
  return taken;
}

describe('notify.whatsapp priorities', () => {
  it('gives the acknowledgement first, then answers (guide, lookup), then the router\'s notices, each in the order added; also from the spool', async () => {
    const connection = createRedis(url, 'worker');
    const producerConn = createRedis(url, 'producer');
    const dir = mkdtempSync(join(tmpdir(), 'aduan-notify-priority-'));
    dirs.push(dir);
    // Two jobs left in the spool by an outage: drained with their priority.
    const spool = new Spool(join(dir, 'spool'));
    await spool.append({ queue: QueueNames.notify('whatsapp'), jobId: 'routed.S.r0', data: note('whatsapp', 'routed', 'spooled routed'), spooledAt: new Date().toISOString() });
    await spool.append({ queue: QueueNames.notify('whatsapp'), jobId: 'ack-S', data: note('whatsapp', 'ack', 'spooled ack'), spooledAt: new Date().toISOString() });
    await spool.close();
    expect(await untilReady(producerConn, 5_000)).toBe(true);
    const producer = new DurableProducer({ connection: producerConn, prefix, logger: memoryLogger().logger, spool: new Spool(join(dir, 'spool')) });
    try {
      const wa = QueueNames.notify('whatsapp');
      // As a flood leaves them: the router's notices and a citizen's repeated "cek" before the last acknowledgements.
      await producer.add(wa, 'routed.A.r0', note('whatsapp', 'routed', 'routed A'));
      await producer.add(wa, 'lookup-1', note('whatsapp', 'lookup', 'lookup 1'));
      await producer.add(wa, 'status.A1', note('whatsapp', 'status', 'status A'));
      await producer.add(wa, 'guide-1', note('whatsapp', 'guide', 'guide 1'));
      await producer.add(wa, 'lookup-2', note('whatsapp', 'lookup', 'lookup 2'));
      await producer.add(wa, 'ack-B', note('whatsapp', 'ack', 'ack B'));
      await producer.add(wa, 'ack-C', note('whatsapp', 'ack', 'ack C'));
      expect(await producer.drain()).toBe(2);
      expect(await takenInOrder(connection, wa, 9)).toEqual(['ack B', 'ack C', 'spooled ack', 'lookup 1', 'guide 1', 'lookup 2', 'routed A', 'status A', 'spooled routed']);

      // notify.instagram keeps the order added.
      const ig = QueueNames.notify('instagram');
      await producer.add(ig, 'routed.I.r0', note('instagram', 'routed', 'ig routed'));
      await producer.add(ig, 'lookup-I', note('instagram', 'lookup', 'ig lookup'));
      await producer.add(ig, 'ack-I', note('instagram', 'ack', 'ig ack'));
      expect(await takenInOrder(connection, ig, 3)).toEqual(['ig routed', 'ig lookup', 'ig ack']);
    } finally {
      await producer.close();
      connection.disconnect();
      producerConn.disconnect();
    }
  });

  it('gives an urgent notice (the 112 notice) before every acknowledgement queued ahead of it; also from the spool, also on notify.instagram', async () => {
    const connection = createRedis(url, 'worker');
    const producerConn = createRedis(url, 'producer');
    const dir = mkdtempSync(join(tmpdir(), 'aduan-notify-urgent-'));
    dirs.push(dir);
    const wa = QueueNames.notify('whatsapp');
    // Left in the spool by an outage (drained when the test says): drained urgent too.
    const spool = new Spool(join(dir, 'spool'));
    await spool.append({ queue: wa, jobId: 'emergency-S', data: urgent('whatsapp', 'spooled 112'), spooledAt: new Date().toISOString() });
    await spool.close();
    expect(await untilReady(producerConn, 5_000)).toBe(true);
    const producer = new DurableProducer({ connection: producerConn, prefix: urgentPrefix, logger: memoryLogger().logger, spool: new Spool(join(dir, 'spool')), drainIntervalMs: 600_000 });
    try {
      // A flood's acknowledgements, then a citizen tells of a fire.
      for (let i = 0; i < 5; i++) await producer.add(wa, `ack-U${i}`, note('whatsapp', 'ack', `ack ${i}`));
      await producer.add(wa, 'lookup-U', note('whatsapp', 'lookup', 'lookup'));
      await producer.add(wa, 'emergency-1', urgent('whatsapp', '112'));
      const first = await takenInOrder(connection, wa, 7, urgentPrefix);
      expect(first).toEqual(['112', 'ack 0', 'ack 1', 'ack 2', 'ack 3', 'ack 4', 'lookup']);
      // The spooled one, drained behind a new backlog.
      for (let i = 5; i < 8; i++) await producer.add(wa, `ack-U${i}`, note('whatsapp', 'ack', `ack ${i}`));
      expect(await producer.drain()).toBe(1);
      expect(await takenInOrder(connection, wa, 4, urgentPrefix)).toEqual(['spooled 112', 'ack 5', 'ack 6', 'ack 7']);

      const ig = QueueNames.notify('instagram');
      await producer.add(ig, 'ack-IU1', note('instagram', 'ack', 'ig ack 1'));
      await producer.add(ig, 'ack-IU2', note('instagram', 'ack', 'ig ack 2'));
      await producer.add(ig, 'emergency-I', urgent('instagram', 'ig 112'));
      expect(await takenInOrder(connection, ig, 3, urgentPrefix)).toEqual(['ig 112', 'ig ack 1', 'ig ack 2']);
    } finally {
      await producer.close();
      connection.disconnect();
      producerConn.disconnect();
    }
  });
});
