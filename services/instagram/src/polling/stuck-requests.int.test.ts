import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DirectInboxFeedResponseThreadsItem } from 'instagram-private-api';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { FakeIgClient } from '../testing/fake-ig-client.ts';
import { buildRig, testEnv, type Rig } from '../testing/harness.ts';
import { textItem, threadOf, userOf } from '../testing/ig-fixtures.ts';
import { Poller } from './poller.ts';

const url = testRedisUrl();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Threads per page of the pending inbox, as Instagram serves it. */
const PAGE = 20;
/** One more than three pages (buildRig's page cap): the walk through them never fits in one cycle. */
const STUCK = 3 * PAGE + 1;

/** Pending inbox pages, newest activity first. */
function pages(threads: DirectInboxFeedResponseThreadsItem[]): DirectInboxFeedResponseThreadsItem[][] {
  const out: DirectInboxFeedResponseThreadsItem[][] = [];
  for (let i = 0; i < threads.length; i += PAGE) out.push(threads.slice(i, i + PAGE));
  return out;
}

/** Group chats spam accounts added the city account to: requests the adapter skips, so they never leave the folder. */
function spamGroups(newestAt: number, stepMs = 1_000): DirectInboxFeedResponseThreadsItem[] {
  return Array.from({ length: STUCK }, (_, i) => {
    const u = userOf(6660000 + i, `promo.${i}`, `Promo ${i}`);
    return threadOf({ threadId: `th-grp-${i}`, user: u, items: [textItem(`grp-${i}-${newestAt}`, u.pk, newestAt - i * stepMs, 'PROMO!!')], isGroup: true, pending: true });
  });
}

/** Counts the pending inbox pages each cycle reads. */
function pendingPerCycle(client: FakeIgClient): () => number {
  let seen = client.calls.pending;
  return () => {
    const n = client.calls.pending - seen;
    seen = client.calls.pending;
    return n;
  };
}

describe('message requests that never leave the requests folder', () => {
  let prefix: string;
  let rig: Rig | undefined;
  beforeEach(() => {
    prefix = uniquePrefix('igstuck');
  });
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
    await deletePrefix(url, prefix);
  });

  /** A quiet period of 1 s stands in for the 3 minutes; a first cycle, before the spam, reads everything. */
  async function start(): Promise<{ client: FakeIgClient; rig: Rig }> {
    const client = new FakeIgClient();
    rig = await buildRig({ redisUrl: url, prefix, client, logger: memoryLogger().logger, env: testEnv(prefix, { CONVERSATION_QUIET: '1s' }) });
    expect((await rig.poller.pollOnce()).complete).toBe(true);
    return { client, rig };
  }

  it(`${STUCK} spam group requests: a citizen's complaint still closes after the quiet period, and the requests folder costs one page a cycle`, async () => {
    const { client, rig } = await start();
    const citizen = userOf(6661001, 'warga.sabar', 'Warga Sabar');
    client.pendingPages = pages(spamGroups(Date.now() - 60_000));
    client.inboxPages = [[threadOf({ threadId: 'th-warga', user: citizen, items: [textItem('w1', citizen.pk, Date.now() - 100, 'Lampu PJU di Jl. Anggrek mati sejak kemarin')] })]];
    const pendingPages = pendingPerCycle(client);
    // One walk through every request, over two cycles (the page cap), then the next walk from the top.
    for (let cycle = 0; cycle < 3; cycle++) {
      await rig.poller.pollOnce();
      expect(pendingPages()).toBeLessThanOrEqual(3);
    }
    await sleep(1_100);
    for (let cycle = 0; cycle < 2; cycle++) {
      const report = await rig.poller.pollOnce();
      expect(report).toMatchObject({ complete: true, groupsSkipped: PAGE });
      expect(pendingPages()).toBe(1);
    }
    // Closed by the quiet period, not held until the 30 minutes after it opened.
    expect(await rig.pipeline.engine.sweep()).toBe(1);
    expect(rig.complaints.map((c) => c.source.messageIds)).toEqual([['w1']]);
  });

  it('with INSTAGRAM_APPROVE_PENDING=false, requests taken once stay in the folder without holding the cycles incomplete', async () => {
    const { client, rig } = await start();
    const poller = new Poller({ client, processor: rig.pipeline.processor, cursors: rig.cursors, logger: memoryLogger().logger, metrics: rig.metrics, backfillMs: 86_400_000, approvePending: false, maxPages: 3, onComplete: (ms) => rig.pipeline.markDelivered(ms) });
    const at = Date.now() - 100;
    client.pendingPages = pages(Array.from({ length: STUCK }, (_, i) => {
      const u = userOf(6662000 + i, `warga.${i}`, `Warga ${i}`);
      return threadOf({ threadId: `th-req-${i}`, user: u, items: [textItem(`req-${i}`, u.pk, at - i * 10, `Jalan berlubang di gang ${i}`)], pending: true });
    }));
    const pendingPages = pendingPerCycle(client);
    let ingested = 0;
    for (let cycle = 0; cycle < 3; cycle++) ingested += (await poller.pollOnce()).items.ingested;
    expect(ingested).toBe(STUCK);
    await sleep(1_100);
    pendingPages();
    const report = await poller.pollOnce();
    expect(report).toMatchObject({ complete: true, items: { ingested: 0, duplicate: 0 } });
    expect(pendingPages()).toBe(1);
    expect(client.approved).toEqual([]);
    expect(await rig.pipeline.engine.sweep()).toBe(STUCK);
  });

  it('a genuine request arriving behind the stuck ones is taken and approved, and its complaint closes after the quiet period', async () => {
    const { client, rig } = await start();
    client.pendingPages = pages(spamGroups(Date.now() - 600_000));
    for (let cycle = 0; cycle < 3; cycle++) await rig.poller.pollOnce();
    expect((await rig.poller.pollOnce()).complete).toBe(true);

    // A citizen's request, then a new round of spam in every group: the request is on the last page.
    const citizen = userOf(6663001, 'warga.baru', 'Warga Baru');
    const now = Date.now();
    const request = threadOf({ threadId: 'th-baru', user: citizen, items: [textItem('b1', citizen.pk, now - 100, 'Sampah menumpuk di depan Pasar Templek')], pending: true });
    client.pendingPages = pages([...spamGroups(now, 1), request]);
    const pendingPages = pendingPerCycle(client);
    let ingested = 0;
    for (let cycle = 0; cycle < 2; cycle++) {
      ingested += (await rig.poller.pollOnce()).items.ingested;
      expect(pendingPages()).toBeLessThanOrEqual(3);
    }
    expect(ingested).toBe(1);
    expect(client.approved).toEqual(['th-baru']);
    await sleep(1_100);
    expect((await rig.poller.pollOnce()).complete).toBe(true);
    expect(pendingPages()).toBe(1);
    expect(await rig.pipeline.engine.sweep()).toBe(1);
    expect(rig.complaints.map((c) => c.source.threadId)).toEqual(['th-baru']);
  });
});
