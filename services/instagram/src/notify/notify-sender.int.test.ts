import { IgActionSpamError, IgNetworkError, IgNotFoundError, IgResponseError, IgSentryBlockError } from 'instagram-private-api';
import { Queue } from 'bullmq';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { citizenMessages, createRedis, QueueNames } from '@aduan/queue';
import type { Notification } from '@aduan/schema';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import type { Redis } from 'ioredis';
import { createIgMetrics } from '../metrics.ts';
import { igKeys } from '../session/keys.ts';
import { FakeIgClient } from '../testing/fake-ig-client.ts';
import { igResponse, sentryBlockBody, spamBody, throttleBody } from '../testing/ig-fixtures.ts';
import { NotifySender, type NotifySenderOptions } from './notify-sender.ts';

const url = testRedisUrl();
const note = (to: string, text: string, account = 'pemkotblitar'): Notification => ({
  schemaVersion: 1, channel: 'instagram', account, to, kind: 'routed', ticket: 'ADU-7K3M-9Q2X', text, createdAt: new Date().toISOString(),
});

describe('NotifySender (notify.instagram -> thread)', () => {
  let prefix: string;
  let worker: Redis;
  let redis: Redis;
  let queue: Queue;
  let client: FakeIgClient;
  let sender: NotifySender | undefined;
  let registry: Registry;

  const start = (maxPerMinute = 60, more: Partial<NotifySenderOptions> = {}) => {
    registry = new Registry();
    sender = new NotifySender({ connection: worker, redis, prefix, client, account: 'pemkotblitar', keys: igKeys(prefix, 'pemkotblitar'), logger: memoryLogger().logger, metrics: createIgMetrics(registry), maxPerMinute, canSend: () => true, ...more });
  };
  const failedWith = async (reason: string) => (await registry.getSingleMetric('aduan_instagram_sent_total')?.get())?.values.some((v) => v.labels.outcome === `failed_${reason}`);

  beforeEach(async () => {
    prefix = uniquePrefix('ignotify');
    worker = createRedis(url, 'worker');
    redis = createRedis(url, 'worker');
    queue = new Queue(QueueNames.notify('instagram'), { connection: worker, prefix });
    client = new FakeIgClient();
  });
  afterEach(async () => {
    await sender?.close();
    await queue.close();
    worker.disconnect();
    redis.disconnect();
    await deletePrefix(url, prefix);
  });

  it('sends each notification into its thread once; a retried job is not sent twice', async () => {
    start();
    await queue.add('n', note('th-1', 'Aduan ADU-7K3M-9Q2X sudah kami teruskan.'), { jobId: 'routed-1' });
    await waitFor(() => client.sent.length === 1, { what: 'send' });
    expect(client.sent[0]).toEqual({ threadId: 'th-1', text: 'Aduan ADU-7K3M-9Q2X sudah kami teruskan.' });
    // The same job again (e.g. the worker died after sending, before completing): the marker stops it.
    await redis.set(igKeys(prefix, 'pemkotblitar').sent('routed-2'), '1');
    await queue.add('n', note('th-1', 'lagi'), { jobId: 'routed-2' });
    await waitFor(async () => (await queue.getJobState('routed-2')) === 'completed', { what: 'completion' });
    expect(client.sent).toHaveLength(1);
  });

  it('tells who asked of each message sent (the engine remembers the notice); a failure there fails nothing', async () => {
    registry = new Registry();
    const told: Notification[] = [];
    const onSent = async (n: Notification) => {
      told.push(n);
      if (told.length === 1) throw new Error('redis away');
    };
    sender = new NotifySender({ connection: worker, redis, prefix, client, account: 'pemkotblitar', keys: igKeys(prefix, 'pemkotblitar'), logger: memoryLogger().logger, metrics: createIgMetrics(registry), maxPerMinute: 60, canSend: () => true, onSent });
    await queue.add('n', note('th-t1', 'Aduan ADU-7K3M-9Q2X sudah selesai ditangani.'), { jobId: 'told-1', attempts: 3 });
    await queue.add('n', note('th-t2', 'Aduan ADU-7K3M-9Q2X sudah kami teruskan.'), { jobId: 'told-2', attempts: 3 });
    await waitFor(async () => (await queue.getJobState('told-2')) === 'completed', { what: 'completion' });
    expect(await queue.getJobState('told-1')).toBe('completed');
    expect(told.map((n) => [n.to, n.kind])).toEqual([['th-t1', 'routed'], ['th-t2', 'routed']]);
    expect(client.sent).toHaveLength(2);
  });

  it("a notice over Instagram's 1,000 characters goes as several messages, in order; a retry after a failure part-way sends only the rest", async () => {
    // Waits in milliseconds, not seconds: the retry comes within the test.
    start(600, { backoff: { baseMs: 50, maxMs: 1_000 } });
    // A "cek" answer about three complaints, each with an OPD's long note.
    const status = (t: string) => citizenMessages.resolved(t, 'Dinas Pekerjaan Umum dan Penataan Ruang', `Sudah kami tangani. ${'Perbaikan dikerjakan bertahap oleh regu lapangan. '.repeat(9)}`);
    const text = ['ADU-7K3M-9Q2X', 'ADU-8K3M-9Q2X', 'ADU-9K3M-9Q2X'].map(status).join('\n\n');
    expect(text.length).toBeGreaterThan(1500);
    // The second message fails once (an answer the sender does not know): the job is retried.
    const thread = client.entity.directThread;
    let calls = 0;
    client.entity.directThread = (id) => {
      const t = thread(id);
      return { ...t, broadcastText: async (s, skip) => (++calls === 2 ? Promise.reject(new Error('socket hang up')) : t.broadcastText(s, skip)) };
    };
    await queue.add('n', note('th-long', text), { jobId: 'long-1', attempts: 3, backoff: { type: 'fixed', delay: 50 } });
    await waitFor(async () => (await queue.getJobState('long-1')) === 'completed', { what: 'completion' });
    const parts = client.sent.map((m) => m.text);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(1000);
    expect(parts.join('\n\n')).toBe(text);
    expect(new Set(parts).size).toBe(parts.length);
    expect(client.sent.every((m) => m.threadId === 'th-long')).toBe(true);
  });

  it('sends once when the sent marker cannot be written (no retry to send it again)', async () => {
    registry = new Registry();
    // Marker writes fail (Redis refusing writes for a moment); reads work.
    const flaky = new Proxy(redis, { get: (t, k) => (k === 'set' ? () => Promise.reject(new Error('OOM command not allowed')) : Reflect.get(t, k)) });
    sender = new NotifySender({ connection: worker, redis: flaky, prefix, client, account: 'pemkotblitar', keys: igKeys(prefix, 'pemkotblitar'), logger: memoryLogger().logger, metrics: createIgMetrics(registry), maxPerMinute: 60, canSend: () => true });
    await queue.add('n', note('th-m', 'Aduan ADU-7K3M-9Q2X sudah kami teruskan.'), { jobId: 'marker-1', attempts: 3, backoff: { type: 'fixed', delay: 50 } });
    await waitFor(async () => (await queue.getJobState('marker-1')) === 'completed', { what: 'completion' });
    await new Promise((r) => setTimeout(r, 300));
    expect(client.sent).toHaveLength(1);
  });

  it('leaves messages of another account for the process that serves it', async () => {
    start();
    await queue.add('n', note('th-9', 'untuk akun lain', 'other_account'), { jobId: 'other-1' });
    await waitFor(async () => (await queue.getJobState('other-1')) === 'delayed', { what: 'delayed' });
    expect(client.sent).toHaveLength(0);
  });

  it('a thread that no longer exists fails the job at once, without retries', async () => {
    client.sendFailures.push(new IgNotFoundError(igResponse({ message: 'Thread not found', status: 'fail' }, 404)));
    start();
    await queue.add('n', note('th-gone', 'halo'), { jobId: 'gone-1', attempts: 5 });
    await waitFor(async () => (await queue.getJobState('gone-1')) === 'failed', { what: 'failed' });
    const job = await queue.getJob('gone-1');
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).not.toMatch(/\d{6,}/);
  });

  it('respects the rate limit, spacing the sends evenly instead of sending them in a burst', async () => {
    start(60);
    const at: number[] = [];
    const thread = client.entity.directThread;
    client.entity.directThread = (id) => ({ ...thread(id), broadcastText: async (text) => (at.push(Date.now()), thread(id).broadcastText(text)) });
    for (let i = 0; i < 3; i++) await queue.add('n', note(`th-r${i}`, `pesan ${i}`), { jobId: `rl-${i}` });
    await waitFor(() => client.sent.length === 3, { what: 'three sends', timeoutMs: 8_000 });
    // 60 a minute: one a second, never three within the same moment.
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(900);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(900);
  });

  it('waits out a network outage without using up the job\'s attempts', async () => {
    for (let i = 0; i < 3; i++) client.sendFailures.push(new IgNetworkError(new Error('ECONNRESET')));
    start();
    await queue.add('n', note('th-n', 'halo'), { jobId: 'net-1', attempts: 2 });
    await waitFor(async () => (await registry.getSingleMetric('aduan_instagram_sent_total')?.get())?.values.some((v) => v.labels.outcome === 'failed_network'), { what: 'network metric' });
    await new Promise((r) => setTimeout(r, 300));
    const job = await queue.getJob('net-1');
    expect(await job?.getState()).toBe('waiting');
    expect(job?.attemptsMade).toBe(0);
    expect(await queue.getRateLimitTtl()).toBeGreaterThan(0);
  });

  it('pauses the queue when Instagram says spam, without failing the job', async () => {
    client.sendFailures.push(new IgActionSpamError(igResponse(spamBody)));
    start();
    await queue.add('n', note('th-s', 'halo'), { jobId: 'spam-1' });
    await waitFor(async () => (await registry.getSingleMetric('aduan_instagram_sent_total')?.get())?.values.some((v) => v.labels.outcome === 'failed_spam'), { what: 'spam metric' });
    await new Promise((r) => setTimeout(r, 300));
    expect(client.sent).toHaveLength(0);
    expect(await queue.getJobState('spam-1')).toBe('waiting');
    expect(await queue.getRateLimitTtl()).toBeGreaterThan(20 * 60_000);
  });

  // As Instagram answers a throttled account: HTTP 400 (sometimes 401), a plain IgResponseError.
  it.each([
    ['"Please wait a few minutes" (400)', () => new IgResponseError(igResponse(throttleBody, 400)), 'rate_limited', 4 * 60_000],
    ['"Please wait a few minutes" (401)', () => new IgResponseError(igResponse({ message: 'Please wait a few minutes before you try again.', status: 'fail' }, 401)), 'rate_limited', 4 * 60_000],
    ['a 5xx', () => new IgResponseError(igResponse({ message: '', status: 'fail' }, 502)), 'server', 20_000],
    ['a sentry block', () => new IgSentryBlockError(igResponse(sentryBlockBody)), 'blocked', 50 * 60_000],
  ])('%s holds the sends without using up the job\'s attempts', async (_name, err, reason, pausedAtLeast) => {
    client.sendFailures.push(err());
    start();
    await queue.add('n', note('th-w', 'Aduan Anda kami terima dengan nomor ADU-7K3M-9Q2X.'), { jobId: 'held-1', attempts: 8, backoff: { type: 'exponential', delay: 50 } });
    await waitFor(() => failedWith(reason), { what: `${reason} metric` });
    await new Promise((r) => setTimeout(r, 300));
    const job = await queue.getJob('held-1');
    expect(await job?.getState()).toBe('waiting');
    expect(job?.attemptsMade).toBe(0);
    expect(client.sent).toHaveLength(0);
    expect(await queue.getRateLimitTtl()).toBeGreaterThan(pausedAtLeast);
  });

  it('an answer it does not know puts the job back for later, without using up its attempts', async () => {
    client.sendFailures.push(new IgResponseError(igResponse({ message: 'Something went wrong.', status: 'fail' }, 400)));
    start();
    await queue.add('n', note('th-u', 'halo'), { jobId: 'odd-1', attempts: 8, backoff: { type: 'exponential', delay: 50 } });
    await waitFor(() => failedWith('unknown'), { what: 'unknown metric' });
    await waitFor(async () => (await queue.getJobState('odd-1')) === 'delayed', { what: 'delayed' });
    expect((await queue.getJob('odd-1'))?.attemptsMade).toBe(0);
  });

  it('a send that never gets an answer ends at its deadline: the job waits, the queue goes on; sent late, it is marked sent', async () => {
    const release = client.stallNextSend();
    start(60, { sendTimeoutMs: 300 });
    await queue.add('n', note('th-h', 'halo'), { jobId: 'hang-1', attempts: 8 });
    await waitFor(() => failedWith('timeout'), { what: 'timeout metric', timeoutMs: 5_000 });
    await new Promise((r) => setTimeout(r, 300));
    const job = await queue.getJob('hang-1');
    expect(await job?.getState()).toBe('waiting');
    expect(job?.attemptsMade).toBe(0);
    // The answer comes after all: the job's retry must not send it a second time.
    release();
    await waitFor(async () => (await redis.exists(igKeys(prefix, 'pemkotblitar').sent('hang-1'))) === 1, { what: 'sent marker' });
    expect(client.sent).toHaveLength(1);
  });
});
