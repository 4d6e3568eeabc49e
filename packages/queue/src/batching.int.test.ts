import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { RoutedComplaint, newComplaintId, ticketFor } from '@aduan/schema';
import { createRedis, isRedisUnavailable } from './connection.ts';
import { LuaScript } from './lua.ts';
import { startLocalRedis } from './local-redis.ts';
import { ContractViolationError, DurableProducer } from './producer.ts';
import { Spool } from './spool.ts';
import { StatusStore } from './status-store.ts';
import { MAX_BATCH, TickBatcher } from './tick-batcher.ts';

const url = testRedisUrl();
const prefix = uniquePrefix('batching');
const redis = createRedis(url, 'worker');
afterAll(async () => {
  redis.disconnect();
  await deletePrefix(url, prefix);
});

/** Counts the socket's writes to the kernel (one `_write` or `_writev` per syscall). */
function socketWrites(r: Redis): { count: () => number; restore: () => void } {
  type Write = (...args: unknown[]) => void;
  const stream = r.stream as unknown as { _write: Write; _writev: Write };
  const one = vi.spyOn(stream, '_write');
  const many = vi.spyOn(stream, '_writev');
  return {
    count: () => one.mock.calls.length + many.mock.calls.length,
    restore: () => {
      one.mockRestore();
      many.mockRestore();
    },
  };
}

const ready = async (r: Redis) => {
  if (r.status !== 'ready') await new Promise((resolve) => r.once('ready', resolve));
};

describe('createRedis connections', () => {
  it('send the commands of one event-loop turn in one socket write, and a later command at once', async () => {
    const conn = createRedis(url, 'client');
    try {
      await ready(conn);
      const writes = socketWrites(conn);
      const keys = Array.from({ length: 10 }, (_, i) => `${prefix}:coalesce:${i}`);
      await Promise.all(keys.map((k, i) => conn.set(k, String(i))));
      expect(writes.count()).toBe(1);
      // The next turn's lone command is not held back waiting for company.
      const started = Date.now();
      expect(await conn.mget(...keys)).toEqual(keys.map((_, i) => String(i)));
      expect(writes.count()).toBe(2);
      expect(Date.now() - started).toBeLessThan(500);
      writes.restore();
      // A reconnect gets a new socket: it coalesces too.
      const reconnected = new Promise((resolve) => conn.once('ready', resolve));
      conn.disconnect(true);
      await reconnected;
      const again = socketWrites(conn);
      await Promise.all(keys.map((k) => conn.get(k)));
      expect(again.count()).toBe(1);
      again.restore();
    } finally {
      conn.disconnect();
    }
  });
});

describe('DurableProducer contract check', () => {
  it('checks one payload added to two queues of the same contract once, and again after an await', async () => {
    const conn = createRedis(url, 'producer');
    const producer = new DurableProducer({ connection: conn, prefix, logger: memoryLogger('contract').logger });
    try {
      await ready(conn);
      const id = newComplaintId();
      const now = new Date().toISOString();
      const routed = {
        schemaVersion: 1,
        id,
        ticket: ticketFor(id),
        channel: 'webform',
        source: { account: 'web', messageIds: [] },
        receivedAt: now,
        submittedAt: now,
        reporter: { anonymous: false, confidential: false },
        text: 'Lampu jalan mati di Jl. Merdeka',
        attachments: [],
        language: 'id',
        intake: { transport: 'http' },
        routing: { opd: 'dishub', opdName: 'Dinas Perhubungan', confidence: 0.9, reasons: [], alternatives: [], decidedBy: 'rules', triage: false, revision: 0, routedAt: now, routerVersion: 'test' },
        supporters: 0,
      };
      const check = vi.spyOn(RoutedComplaint, 'safeParse');
      // publishRouted's two adds: the feed and the destination, the same object.
      await Promise.all([producer.add('routed', id, routed), producer.add('opd.dishub', id, routed)]);
      expect(check).toHaveBeenCalledTimes(1);
      // Changed after an await: checked again, and refused.
      (routed as { ticket: string }).ticket = 'not a ticket';
      await expect(producer.add('opd.dishub', `${id}.r1`, routed)).rejects.toBeInstanceOf(ContractViolationError);
      expect(check).toHaveBeenCalledTimes(2);
      // Job ids BullMQ itself refuses are refused before anything is written or spooled.
      await expect(producer.add('routed', '12345', { ...routed, ticket: ticketFor(id) })).rejects.toThrow(/must not be an integer/);
      await expect(producer.add('routed', 'a:b', { ...routed, ticket: ticketFor(id) })).rejects.toThrow(/must not contain ':'/);
      check.mockRestore();
    } finally {
      await producer.close();
      conn.disconnect();
    }
  });
});

describe('TickBatcher', () => {
  it('hands the calls of one event-loop turn to one flush, and gives each caller its own outcome', async () => {
    const flushes: number[][] = [];
    const b = new TickBatcher<number, number>(async (items) => {
      flushes.push(items);
      return items.map((n) => (n % 2 ? { ok: true, value: n * 10 } : { ok: false, error: new Error(`even ${n}`) }));
    });
    const results = await Promise.allSettled([1, 2, 3].map((n) => b.run(n)));
    expect(flushes).toEqual([[1, 2, 3]]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([10, 'even 2', 30]);
    // A later turn is a new batch.
    await b.run(5);
    expect(flushes).toEqual([[1, 2, 3], [5]]);
  });

  it('fails every caller of a batch whose flush throws, and flushes early at the size limit', async () => {
    const sizes: number[] = [];
    const b = new TickBatcher<number, number>((items) => {
      sizes.push(items.length);
      if (items.includes(99)) throw new Error('boom');
      return Promise.resolve(items.map((value) => ({ ok: true as const, value })));
    }, 4);
    const settled = await Promise.allSettled([1, 2, 3, 4, 5, 99].map((n) => b.run(n)));
    expect(sizes).toEqual([4, 2]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected']);
  });
});

describe('batched Redis work', () => {
  it('runs scripts called in one turn as one write, and reloads them after SCRIPT FLUSH', async () => {
    const script = new LuaScript(`return redis.call('INCRBY', KEYS[1], ARGV[1])`);
    const key = `${prefix}:counter`;
    await redis.script('FLUSH');
    if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
    const replies = await Promise.all([1, 2, 3, 4].map((n) => script.runBatched(redis, [key], [n])));
    expect(replies.map(Number).sort((a, b) => a - b)).toEqual([1, 3, 6, 10]);
    expect(await redis.get(key)).toBe('10');
    // Loaded again: the four EVALSHAs of the next turn leave in one socket write, sent by the
    // batch's own flush (a setImmediate), not a loop iteration later.
    const writes = socketWrites(redis);
    const batch = Promise.all([1, 2, 3, 4].map((n) => script.runBatched(redis, [key], [n])));
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes.count()).toBe(1);
    await batch;
    expect(writes.count()).toBe(1);
    writes.restore();
  });

  it('claims an Idempotency-Key and records the status together, once', async () => {
    const store = new StatusStore(redis, prefix);
    const id = newComplaintId();
    const rec = { id, ticket: ticketFor(id), channel: 'webform' as const, receivedAt: new Date().toISOString() };
    const guard = { key: `${prefix}:idem:k1`, value: '{"first":true}', ttlSeconds: 60 };
    const other = newComplaintId();
    const [a, b] = await Promise.all([store.recordNew(rec, guard), store.recordNew({ ...rec, id: other, ticket: ticketFor(other) }, { ...guard, value: '{"second":true}' })]);
    expect(a).toEqual({ outcome: 'recorded', supporters: 0, ticketTaken: false });
    expect(b).toEqual({ outcome: 'guard_exists', earlier: '{"first":true}' });
    expect(await store.get(other)).toBeNull();
    expect((await store.get(id))?.state).toBe('received');
  });

  it('adds many jobs made in one turn, each once, and a repeated jobId stays one job', async () => {
    const conn = createRedis(url, 'producer');
    const producer = new DurableProducer({ connection: conn, prefix, logger: memoryLogger('batching').logger });
    const q = new Queue('notify.whatsapp', { connection: createRedis(url, 'worker'), prefix });
    try {
      if (conn.status !== 'ready') await new Promise((resolve) => conn.once('ready', resolve));
      const jobs = Array.from({ length: 40 }, (_, i) => ({ id: `n-${i % 30}`, data: { schemaVersion: 1, channel: 'whatsapp', account: '6281100000000', to: '6281200000000@s.whatsapp.net', kind: 'ack', text: `pesan ${i}`, createdAt: new Date().toISOString() } }));
      const results = await Promise.all(jobs.map((j) => producer.add('notify.whatsapp', j.id, j.data).catch((err: Error) => err)));
      expect(results.filter((r) => r instanceof Error)).toEqual([]);
      expect(results.every((r) => !(r instanceof Error) && r.outcome === 'queued')).toBe(true);
      expect(await q.count()).toBe(30);
    } finally {
      await producer.close();
      await q.close();
      conn.disconnect();
    }
  });

  /**
   * A producer on its own connection, warmed up (scripts loaded), whose socket writes are
   * counted from then on; `add(id)` is a guarded add with a guard that never refuses (the
   * intake path: one script per add).
   */
  let warmUps = 0;
  async function guardedAdds(run: (add: (id: string) => Promise<{ outcome: string }>, writes: () => number) => Promise<void>) {
    const conn = createRedis(url, 'producer');
    // A queue of its own, so that its BullMQ Queue's start can be seen (below).
    const own = `${prefix}-w${++warmUps}`;
    const producer = new DurableProducer({ connection: conn, prefix: own, logger: memoryLogger('batching').logger });
    const note = (id: string) => ({ schemaVersion: 1, channel: 'whatsapp', account: '6281100000000', to: '6281200000000@s.whatsapp.net', kind: 'ack', text: `pesan ${id}`, createdAt: new Date().toISOString() });
    const guard = { lua: '', keys: [], args: [] };
    const add = (id: string) => producer.addGuarded('notify.whatsapp', id, note(id), { guard });
    try {
      await ready(conn);
      await add('warm');
      // BullMQ's Queue starts on this connection by itself (an INFO version check, then its
      // meta HSET), and those writes must not land inside the test: wait for the HSET.
      await vi.waitFor(async () => expect(await redis.hget(`${own}:notify.whatsapp:meta`, 'version')).toBeTruthy());
      const writes = socketWrites(conn);
      await run(add, writes.count);
      writes.restore();
    } finally {
      await producer.close();
      conn.disconnect();
      await deletePrefix(url, own);
    }
  }

  it('writes the guarded adds of one turn from the batch flush itself, not a loop iteration later', () =>
    guardedAdds(async (add, writes) => {
      const adds = Promise.all([1, 2, 3].map((i) => add(`g-${i}`)));
      // This immediate runs right after the batch's flush (queued after it, in the same phase).
      await new Promise((resolve) => setImmediate(resolve));
      expect(writes()).toBe(1);
      expect((await adds).map((r) => r.outcome)).toEqual(['queued', 'queued', 'queued']);
      expect(writes()).toBe(1);
    }));

  it('sends the adds of a burst every MAX_BATCH, before the turn ends, so Redis starts while Node still works', () =>
    guardedAdds(async (add, writes) => {
      // A turn under load holds dozens of requests (64 at the bench's 64 connections).
      expect(MAX_BATCH).toBeLessThanOrEqual(16);
      const adds = Promise.all(Array.from({ length: 2 * MAX_BATCH + 3 }, (_, i) => add(`burst-${i}`)));
      // Still in the turn that issued them: two full batches are on the wire already.
      expect(writes()).toBe(2);
      await new Promise((resolve) => setImmediate(resolve));
      expect(writes()).toBe(3);
      expect((await adds).every((r) => r.outcome === 'queued')).toBe(true);
    }));

  it('spools a batch that a hung Redis does not answer within the add timeout, and drains it later', async () => {
    // Its own Redis: CLIENT PAUSE would stall every other test on a shared one.
    const dir = mkdtempSync(join(tmpdir(), 'aduan-hung-'));
    const own = await startLocalRedis({ dir });
    const conn = createRedis(own.url, 'producer');
    const admin = new Redis(own.url);
    const producer = new DurableProducer({ connection: conn, prefix, spool: new Spool(join(dir, 'spool')), logger: memoryLogger('batching').logger, addTimeoutMs: 300 });
    const q = new Queue('notify.whatsapp', { connection: createRedis(own.url, 'worker'), prefix });
    try {
      if (conn.status !== 'ready') await new Promise((resolve) => conn.once('ready', resolve));
      await producer.add('notify.whatsapp', 'warm', { schemaVersion: 1, channel: 'whatsapp', account: '6281100000000', to: '6281200000000@s.whatsapp.net', kind: 'ack', text: 'pesan', createdAt: new Date().toISOString() });
      await admin.client('PAUSE', 1500, 'ALL');
      const started = Date.now();
      const results = await Promise.all(
        [1, 2, 3].map((i) => producer.add('notify.whatsapp', `hung-${i}`, { schemaVersion: 1, channel: 'whatsapp', account: '6281100000000', to: '6281200000000@s.whatsapp.net', kind: 'ack', text: `pesan ${i}`, createdAt: new Date().toISOString() })),
      );
      // Each caller got its answer at the deadline, not when Redis came back.
      expect(results.map((r) => r.outcome)).toEqual(['spooled', 'spooled', 'spooled']);
      expect(Date.now() - started).toBeLessThan(1_400);
      await admin.client('UNPAUSE');
      await producer.drain();
      // The timed-out adds may have landed after all; drain adds by jobId, so each job is there once.
      expect((await q.getJobs(['waiting'])).map((j) => j.id).sort()).toEqual(['hung-1', 'hung-2', 'hung-3', 'warm']);
    } finally {
      await producer.close();
      await q.close();
      conn.disconnect();
      admin.disconnect();
      await own.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('isRedisUnavailable', () => {
  it('recognizes what a fail-fast connection rejects with when Redis is gone, and nothing else', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aduan-gone-'));
    const own = await startLocalRedis({ dir, aof: false });
    const conn = createRedis(own.url, 'client');
    let running = true;
    try {
      await ready(conn);
      // A refused command is Redis answering: not an outage.
      const refused = await conn.call('NOSUCHCOMMAND').catch((err: unknown) => err);
      expect(isRedisUnavailable(refused)).toBe(false);
      expect(isRedisUnavailable(new Error('boom'))).toBe(false);
      expect(isRedisUnavailable('Connection is closed.')).toBe(false);
      await own.stop();
      running = false;
      const gone = await conn.get(`${prefix}:x`).catch((err: unknown) => err);
      expect(gone).toBeInstanceOf(Error);
      expect(isRedisUnavailable(gone)).toBe(true);
    } finally {
      conn.disconnect();
      if (running) await own.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
