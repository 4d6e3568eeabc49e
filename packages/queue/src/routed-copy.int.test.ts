import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { Routing } from '@aduan/schema';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { whatsappComplaint } from '@aduan/testkit/complaints';
import { Queue } from './bullmq.ts';
import { latestRouted } from './latest-routed.ts';
import { QueueNames } from './names.ts';
import { DurableProducer } from './producer.ts';
import { publishRouted } from './publish-routed.ts';
import { backfillRoutedCopies, CLOSED_COPY_KEEP_SECONDS, routedCopyKey } from './routed-copy.ts';
import { STATUS_KEEP_DAYS, StatusStore } from './status-store.ts';

/** A complaint's routed copy (ADR 0013) on real Redis: written with its routing steps, kept while it is open. */
const url = testRedisUrl();
const redis = new Redis(url);
const { logger } = memoryLogger('routed-copy');
const DAY = 86_400;
const opened: { prefix: string; producer: DurableProducer; routedQueue: Queue }[] = [];

/** A deployment of its own: the status store, the producer and `routed`, under a fresh prefix. */
function deployment() {
  const prefix = uniquePrefix('routed-copy');
  const producer = new DurableProducer({ connection: redis, prefix, logger });
  const routedQueue = new Queue(QueueNames.routed, { connection: redis, prefix });
  routedQueue.on('error', () => {});
  opened.push({ prefix, producer, routedQueue });
  const status = new StatusStore(redis, prefix);
  const routing = (revision: number, opd = 'dishub', triage = false): Routing => ({ opd, opdName: opd.toUpperCase(), confidence: 0.9, reasons: [], alternatives: [], decidedBy: revision ? 'admin' : 'rules', triage, revision, routedAt: new Date().toISOString(), routerVersion: 't' });
  /** A WhatsApp complaint received and routed to `opd`, as the router does it. */
  const routed = async (text: string, opd = 'dishub') => {
    const c = whatsappComplaint(prefix, text);
    await status.recordReceived({ id: c.id, ticket: c.ticket, channel: c.channel, receivedAt: c.receivedAt });
    await publishRouted({ producer, status }, c, routing(0, opd));
    return c;
  };
  const ttl = (id: string) => redis.ttl(routedCopyKey(prefix, id));
  const report = (id: string, state: 'in_progress' | 'resolved' | 'rejected', n: number) => status.transition(id, { state, at: new Date().toISOString(), requireOpd: 'dishub', dedupeKey: `status.${state}.${n}` });
  return { prefix, producer, routedQueue, status, routing, routed, ttl, report };
}

afterAll(async () => {
  for (const d of opened) {
    await d.routedQueue.close();
    await d.producer.close();
    await deletePrefix(url, d.prefix);
  }
  redis.disconnect();
});

describe("a complaint's routed copy", () => {
  it('is written with each routing step and read once `routed` no longer keeps the decision', async () => {
    const { routedQueue, status, routing, routed, producer } = deployment();
    const c = await routed('Jukir liar di depan Pasar Legi, sudah dua bulan');
    // `routed` keeps a consumed decision 30 days: gone, as for a complaint routed two months ago.
    await (await routedQueue.getJob(c.id))!.remove();
    expect(await latestRouted(routedQueue, status, c.id)).toMatchObject({ text: c.text, reporter: c.reporter, routing: { opd: 'dishub', revision: 0 } });
    // A re-assignment replaces it; one published but not recorded yet (the router died in
    // between) is read from `routed`, ahead of the copy, as the router's retries need.
    const complaint = (await status.routedCopy(c.id))!;
    await publishRouted({ producer, status }, complaint, routing(1, 'dlh'));
    expect((await status.routedCopy(c.id))?.routing).toMatchObject({ opd: 'dlh', revision: 1 });
    await producer.add(QueueNames.routed, `${c.id}.r2`, { ...complaint, routing: routing(2, 'dlh', true) });
    expect((await latestRouted(routedQueue, status, c.id))?.routing).toMatchObject({ revision: 2, triage: true });
    expect((await status.routedCopy(c.id))?.routing.revision).toBe(1);
  });

  it('lives as long as the status record while the complaint is open, and 30 days from the step that closes it', async () => {
    const { routed, ttl, report, status, routing, producer } = deployment();
    const open = await routed('Lampu PJU mati di Jl. Kalimantan');
    const record = STATUS_KEEP_DAYS * DAY;
    expect(await ttl(open.id)).toBeGreaterThan(record - 60);
    await report(open.id, 'in_progress', 1);
    expect(await ttl(open.id)).toBeGreaterThan(record - 60);
    await report(open.id, 'resolved', 2);
    expect(await ttl(open.id)).toBeLessThanOrEqual(CLOSED_COPY_KEEP_SECONDS);
    expect(await ttl(open.id)).toBeGreaterThan(CLOSED_COPY_KEEP_SECONDS - 60);
    expect(CLOSED_COPY_KEEP_SECONDS).toBe(30 * DAY);
    // Re-opened by its OPD: kept again.
    await report(open.id, 'in_progress', 3);
    expect(await ttl(open.id)).toBeGreaterThan(record - 60);
    // Rejected, and outside the city's remit from the start, close it too.
    const rejected = await routed('Jukir liar di Jl. Merdeka');
    await report(rejected.id, 'rejected', 1);
    expect(await ttl(rejected.id)).toBeLessThanOrEqual(CLOSED_COPY_KEEP_SECONDS);
    const outside = await routed('Listrik PLN padam', 'external');
    expect(await ttl(outside.id)).toBeLessThanOrEqual(CLOSED_COPY_KEEP_SECONDS);
    // A return to triage (a routing step) keeps it open, with the return's routing.
    const returned = await routed('Sampah menumpuk di TPS');
    await publishRouted({ producer, status }, (await status.routedCopy(returned.id))!, routing(1, 'dishub', true));
    expect((await status.routedCopy(returned.id))?.routing).toMatchObject({ triage: true, revision: 1 });
    expect(await ttl(returned.id)).toBeGreaterThan(record - 60);
  });

  it('is written once at an upgrade for the open complaints whose decision `routed` still keeps, with their records\' life', async () => {
    const { prefix, routedQueue, status, routed, report } = deployment();
    const latest = (id: string) => latestRouted(routedQueue, status, id);
    /** A complaint routed before copies were kept. */
    const before = async (text: string) => {
      const c = await routed(text);
      await redis.del(routedCopyKey(prefix, c.id));
      return c;
    };
    const open = await before('Jukir liar di depan Pasar Legi');
    const inProgress = await before('Jukir liar di Jl. Merdeka');
    await report(inProgress.id, 'in_progress', 1);
    await redis.del(routedCopyKey(prefix, inProgress.id));
    const closed = await before('Jukir liar di Alun-alun');
    await report(closed.id, 'resolved', 1);
    await redis.del(routedCopyKey(prefix, closed.id));
    const longAgo = await before('Jukir liar di Jl. Kenanga');
    await (await routedQueue.getJob(longAgo.id))!.remove();
    await redis.expire(`${prefix}:complaint:${open.id}`, 100 * DAY);

    expect(await backfillRoutedCopies(redis, prefix, latest)).toBe(2);
    expect((await status.routedCopy(open.id))?.text).toBe(open.text);
    expect((await status.routedCopy(inProgress.id))?.text).toBe(inProgress.text);
    // As long as its record has left, not a new 400 days.
    expect(await redis.ttl(routedCopyKey(prefix, open.id))).toBeLessThanOrEqual(100 * DAY);
    // Closed: its job is there for its 30 days, as before. Routed too long ago: nothing to copy.
    expect(await status.routedCopy(closed.id)).toBeNull();
    expect(await status.routedCopy(longAgo.id)).toBeNull();
    expect(await backfillRoutedCopies(redis, prefix, latest)).toBe('done');
  });

  it('is not written at an upgrade when the record has moved on from what `routed` holds', async () => {
    const { prefix, routedQueue, status, routed } = deployment();
    const c = await routed('Jukir liar di depan stasiun');
    await redis.del(routedCopyKey(prefix, c.id));
    // The record was returned to triage meanwhile (its revision's job not on `routed`).
    await status.transition(c.id, { state: 'triage', at: new Date().toISOString(), dedupeKey: 'decision:r1' });
    await redis.del(routedCopyKey(prefix, c.id));
    expect(await backfillRoutedCopies(redis, prefix, (id) => latestRouted(routedQueue, status, id))).toBe(0);
    expect(await status.routedCopy(c.id)).toBeNull();
  });
});
