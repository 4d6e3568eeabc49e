import { Boom } from '@hapi/boom';
import { DisconnectReason } from '@whiskeysockets/baileys';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DurableProducer, Queue, QueueNames, createRedis } from '@aduan/queue';
import type { Notification } from '@aduan/schema';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { NotificationSender, SendDeferredError, SocketNotReadyError, typingMs } from './sender.ts';
import { fakeSocket } from './test-support/fake-socket.ts';
import { ACCOUNT, CITIZEN, startHarness, testConfig } from './test-support/harness.ts';

const note = (kind: Notification['kind'], text: string): Notification => ({ schemaVersion: 1, channel: 'whatsapp', account: ACCOUNT, to: CITIZEN, kind, text, createdAt: new Date().toISOString() });

describe('NotificationSender (real Redis)', () => {
  const url = testRedisUrl();
  let prefix: string;
  let redis: Redis;
  beforeEach(() => {
    prefix = uniquePrefix('wasend');
    redis = new Redis(url);
  });
  afterEach(async () => {
    redis.disconnect();
    await deletePrefix(url, prefix);
  });

  it('paces sends per number, types first, and never sends a job twice', async () => {
    const { logger } = memoryLogger();
    const sock = fakeSocket(logger);
    const slept: number[] = [];
    const now = 1_000_000;
    const sender = new NotificationSender({ socketFor: () => sock, serves: () => true, redis, prefix, perMinute: 20, typing: true, logger, sleep: async (ms) => void slept.push(ms), clock: () => now });
    await sender.send(note('routed', 'Aduan ADU-1 sudah kami teruskan ke Dinas Perhubungan.'), 'j1');
    await sender.send(note('status', 'Aduan ADU-1 sedang ditindaklanjuti.'), 'j2');
    expect(await sender.send(note('routed', 'lagi'), 'j1')).toBe('already-sent');
    expect(sock.sent.map((s) => (s.content as { text: string }).text)).toEqual(['Aduan ADU-1 sudah kami teruskan ke Dinas Perhubungan.', 'Aduan ADU-1 sedang ditindaklanjuti.']);
    // 20 per minute: the second send goes out at its slot, 3 s after the first; each shows
    // "typing" first, for the last part of the wait for its slot.
    const [first, second] = [typingMs('Aduan ADU-1 sudah kami teruskan ke Dinas Perhubungan.'), typingMs('Aduan ADU-1 sedang ditindaklanjuti.')];
    expect(slept).toEqual([first, first + 3_000 - second, second]);
    expect(sock.presences).toEqual(['composing', 'paused', 'composing', 'paused']);
  });

  it("sends an OPD staff digest to the staff member's number, and drops one a WhatsApp outage kept past the afternoon", async () => {
    const { logger } = memoryLogger();
    const sock = fakeSocket(logger);
    let now = Date.parse('2026-12-07T00:30:00Z');
    const sender = new NotificationSender({ socketFor: () => sock, serves: () => true, redis, prefix, perMinute: 120, typing: false, logger, clock: () => now });
    const digest: Notification = { ...note('staff', 'Selamat pagi. Ada 2 aduan warga yang menunggu tanggapan Dinas Perhubungan.'), to: '6281234567890@s.whatsapp.net', createdAt: new Date(now).toISOString() };
    expect(await sender.send(digest, 'opd-digest.20261207T0030.budi')).toBe('sent');
    expect(sock.sent.map((m) => m.jid)).toEqual(['6281234567890@s.whatsapp.net']);
    now += 6 * 3_600_000 + 1;
    expect(await sender.send({ ...digest }, 'opd-digest.20261207T0030.rina')).toBe('expired');
    expect(sock.sent).toHaveLength(1);
  });

  it('paces each number on its own: one send at a time, the interval apart, the acknowledgement first; another number is not held', async () => {
    const { logger } = memoryLogger();
    const sent: { account: string; text: string; at: number }[] = [];
    // The first send holds the number's turn until the other three have come to the line: on a
    // loaded machine it could otherwise finish before they arrive, and the line never be full.
    let openGate!: () => void;
    const gate = new Promise<void>((r) => (openGate = r));
    const socketOf = (account: string) => {
      const s = fakeSocket(logger);
      const send = s.sendMessage;
      s.sendMessage = (async (jid: string, content: { text: string }) => {
        sent.push({ account, text: content.text, at: Date.now() });
        if (content.text === 'A diteruskan 1') await gate;
        return send(jid, content);
      }) as typeof s.sendMessage;
      return s;
    };
    const sockets = new Map([[ACCOUNT, socketOf(ACCOUNT)], ['+6281100000001', socketOf('+6281100000001')]]);
    const sender = new NotificationSender({ socketFor: (a) => sockets.get(a), serves: () => true, redis, prefix, perMinute: 120, typing: false, logger });
    const other = (n: Notification): Notification => ({ ...n, account: '+6281100000001' });
    const first = sender.send(note('routed', 'A diteruskan 1'), 'p1', 1);
    const second = sender.send(note('routed', 'A diteruskan 2'), 'p2', 2);
    const ack = sender.send(note('ack', 'A diterima'), 'p3', 3);
    const otherNumber = sender.send(other(note('ack', 'B diterima')), 'p4', 4);
    // The line holds one sending and one waiting: the acknowledgement takes the waiting place,
    // and the notice it took it from goes back to the queue until about when the number is free.
    const turnedAway = await second.catch((err: unknown) => err);
    openGate();
    expect(turnedAway).toBeInstanceOf(SendDeferredError);
    expect(turnedAway).toMatchObject({ reason: 'busy' });
    expect((turnedAway as SendDeferredError).retryInMs).toBeGreaterThanOrEqual(500);
    await Promise.all([first, ack, otherNumber]);
    expect(sent.filter((s) => s.account === ACCOUNT).map((s) => s.text)).toEqual(['A diteruskan 1', 'A diterima']);
    const at = (text: string) => sent.find((s) => s.text === text)!.at;
    // 120 a minute: the number's next send waits its 500 ms; the other number's does not.
    expect(at('A diterima') - at('A diteruskan 1')).toBeGreaterThanOrEqual(495);
    expect(at('B diterima')).toBeLessThan(at('A diterima'));
  });

  it('on stop, a send waiting for its slot goes back to the queue at once', async () => {
    const { logger } = memoryLogger();
    const sock = fakeSocket(logger);
    const sender = new NotificationSender({ socketFor: () => sock, serves: () => true, redis, prefix, perMinute: 1, typing: true, logger });
    await sender.send(note('ack', 'pertama'), 's1');
    const waiting = sender.send(note('ack', 'kedua'), 's2'); // its slot is a minute away
    const queued = sender.send(note('ack', 'ketiga'), 's3'); // waiting for the turn
    await new Promise((r) => setTimeout(r, 50));
    sender.stop();
    await expect(waiting).rejects.toBeInstanceOf(SocketNotReadyError);
    await expect(queued).rejects.toBeInstanceOf(SocketNotReadyError);
    expect(sock.sent).toHaveLength(1);
  });

  it('refuses (for a later retry) when the number is not connected or not ours', async () => {
    const { logger } = memoryLogger();
    const offline = new NotificationSender({ socketFor: () => undefined, serves: () => true, redis, prefix, perMinute: 20, typing: false, logger });
    await expect(offline.send(note('ack', 'x'), 'j3')).rejects.toBeInstanceOf(SocketNotReadyError);
    const foreign = new NotificationSender({ socketFor: () => undefined, serves: () => false, redis, prefix, perMinute: 20, typing: false, logger });
    await expect(foreign.send(note('ack', 'x'), 'j4')).rejects.toMatchObject({ reason: 'not-our-number' });
  });

  /** The service with its number not yet connected, and a producer standing in for the router. */
  async function whileDisconnected(notReadyRetryMs: number, run: (h: Awaited<ReturnType<typeof startHarness>>, router: DurableProducer, conn: ReturnType<typeof createRedis>) => Promise<void>): Promise<void> {
    const h = await startHarness(testConfig(url, prefix), { autoOpen: false, notReadyRetryMs });
    const conn = createRedis(url, 'producer');
    const router = new DurableProducer({ connection: conn, prefix, logger: memoryLogger().logger });
    try {
      await waitFor(() => conn.status === 'ready', { what: 'producer ready' });
      await run(h, router, conn);
    } finally {
      await router.close();
      conn.disconnect();
      await h.stop();
    }
  }

  it('keeps a notification waiting while its number is not connected, without using up its attempts, and sends it once connected', async () => {
    await whileDisconnected(100, async (h, router, conn) => {
      await router.add(QueueNames.notify('whatsapp'), 'ack-01WAIT', note('ack', 'Terima kasih, laporan Anda sudah kami terima dengan nomor tiket ADU-WAIT-0001.'));
      // Several rounds of "not connected" (the old code failed the job after 8 of them, ~2 minutes).
      await new Promise((r) => setTimeout(r, 1_000));
      const queue = new Queue(QueueNames.notify('whatsapp'), { connection: conn, prefix });
      const job = await queue.getJob('ack-01WAIT');
      // Between two tries it is delayed, or being tried: never failed, and no attempt spent.
      expect(['delayed', 'active', 'waiting']).toContain(await job?.getState());
      expect(job?.attemptsMade).toBe(0);
      await queue.close();
      h.socket.open();
      await waitFor(() => h.socket.sent.length === 1, { timeoutMs: 10_000, what: 'the acknowledgement sent once connected' });
      expect((h.socket.sent[0]!.content as { text: string }).text).toContain('ADU-WAIT-0001');
    });
  });

  it('sends a citizen\'s notices in the order they were queued, also after waiting for the number to connect', async () => {
    await whileDisconnected(300, async (h, router) => {
      const texts = ['1 diterima', '2 diteruskan', '3 ditindaklanjuti', '4 selesai'];
      const ids = ['ack-01ORD', 'routed.01ORD.r0', 'status.u1-01ORD', 'status.u2-01ORD'];
      for (const [i, id] of ids.entries()) await router.add(QueueNames.notify('whatsapp'), id, note(i === 0 ? 'ack' : i === 1 ? 'routed' : 'status', texts[i]!));
      // Several rounds of "not connected" for each of them.
      await new Promise((r) => setTimeout(r, 1_500));
      h.socket.open();
      await waitFor(() => h.socket.sent.length === 4, { timeoutMs: 15_000, what: 'all four sent' });
      expect(h.socket.sent.map((s) => (s.content as { text: string }).text)).toEqual(texts);
    });
  });

  it("a notice queued once the number is back waits behind the citizen's earlier one that was put aside", async () => {
    await whileDisconnected(1_000, async (h, router) => {
      await router.add(QueueNames.notify('whatsapp'), 'ack-01BEHIND', note('ack', '1 diterima'));
      // Tried while not connected: put aside for a second.
      await new Promise((r) => setTimeout(r, 300));
      h.socket.open();
      await waitFor(() => h.service.sessions.get(ACCOUNT)!.status.state === 'connected', { what: 'connected' });
      // The router's next notice arrives while the first still sits out its delay.
      await router.add(QueueNames.notify('whatsapp'), 'routed.01BEHIND.r0', note('routed', '2 diteruskan'));
      await waitFor(() => h.socket.sent.length === 2, { timeoutMs: 10_000, what: 'both sent' });
      expect(h.socket.sent.map((s) => (s.content as { text: string }).text)).toEqual(['1 diterima', '2 diteruskan']);
    });
  });

  it('delivers the router\'s routed and status notices from notify.whatsapp', async () => {
    const config = testConfig(url, prefix);
    const h = await startHarness(config);
    try {
      await waitFor(() => h.service.sessions.get(ACCOUNT)!.status.state === 'connected', { what: 'connected' });
      const conn = createRedis(url, 'producer');
      const { logger } = memoryLogger();
      const router = new DurableProducer({ connection: conn, prefix, logger });
      await waitFor(() => conn.status === 'ready', { what: 'producer ready' });
      await router.add(QueueNames.notify('whatsapp'), 'routed-01TEST', note('routed', 'Aduan ADU-ABCD-EFGH sudah kami teruskan ke Satpol PP.'));
      await waitFor(() => h.socket.sent.length === 1, { what: 'routed notice sent' });
      expect(h.socket.sent[0]).toEqual({ jid: CITIZEN, content: { text: 'Aduan ADU-ABCD-EFGH sudah kami teruskan ke Satpol PP.' } });
      await router.close();
      conn.disconnect();
    } finally {
      await h.stop();
    }
  });

  /** The service with its number connected, a producer standing in for the router, and the notify queue to look at. */
  async function connected(run: (h: Awaited<ReturnType<typeof startHarness>>, router: DurableProducer, queue: Queue) => Promise<void>): Promise<void> {
    const h = await startHarness(testConfig(url, prefix), { sendRetry: { transientMs: 50, rateLimitedMs: 100, maxMs: 200 } });
    const conn = createRedis(url, 'producer');
    const router = new DurableProducer({ connection: conn, prefix, logger: memoryLogger().logger });
    const queue = new Queue(QueueNames.notify('whatsapp'), { connection: conn, prefix });
    try {
      await waitFor(() => conn.status === 'ready' && h.service.sessions.get(ACCOUNT)!.status.state === 'connected', { what: 'connected' });
      await run(h, router, queue);
    } finally {
      await queue.close();
      await router.close();
      conn.disconnect();
      await h.stop();
    }
  }

  it('keeps a notification waiting through rate limits, timeouts and closed connections without using up its attempts, then sends it once, in order', async () => {
    await connected(async (h, router, queue) => {
      // As Baileys throws them: an error node in an IQ answer (assertNodeErrorFree puts the code
      // in `data`), its query timeout, and a socket closed before the connection state says so.
      const round = () => [new Boom('rate-overlimit', { data: 429 }), new Boom('Timed Out', { statusCode: DisconnectReason.timedOut }), new Boom('Connection Closed', { statusCode: DisconnectReason.connectionClosed })];
      h.socket.sendErrors.push(...round(), ...round(), ...round()); // 9 failures: more than the job's 8 attempts
      await router.add(QueueNames.notify('whatsapp'), 'ack-01RATE', note('ack', '1 diterima, tiket ADU-RATE-0001'));
      await router.add(QueueNames.notify('whatsapp'), 'routed.01RATE.r0', note('routed', '2 diteruskan'));
      await waitFor(() => h.socket.sendErrors.length <= 6, { what: 'three failed sends' });
      const job = await queue.getJob('ack-01RATE');
      expect(['delayed', 'active', 'waiting']).toContain(await job?.getState());
      expect(job?.attemptsMade).toBe(0);
      await waitFor(() => h.socket.sent.length === 2, { timeoutMs: 15_000, what: 'both sent once the errors stopped' });
      expect(h.socket.sent.map((s) => (s.content as { text: string }).text)).toEqual(['1 diterima, tiket ADU-RATE-0001', '2 diteruskan']);
      await new Promise((r) => setTimeout(r, 300));
      expect(h.socket.sent).toHaveLength(2);
      expect(await (await queue.getJob('ack-01RATE'))?.getState()).toBe('completed');
    });
  });

  it('uses up the attempts only for an error that retrying cannot fix (the recipient refused)', async () => {
    await connected(async (h, router, queue) => {
      h.socket.sendErrors.push(...Array.from({ length: 20 }, () => new Boom('item-not-found', { data: 404 })));
      await router.add(QueueNames.notify('whatsapp'), 'ack-01GONE', note('ack', 'x'));
      await waitFor(async () => ((await queue.getJob('ack-01GONE'))?.attemptsMade ?? 0) >= 2, { timeoutMs: 15_000, what: 'two attempts used' });
      expect(h.socket.sent).toHaveLength(0);
    });
  });
});
