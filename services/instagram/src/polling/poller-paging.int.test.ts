import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DirectInboxFeedResponseThreadsItem, DirectThreadFeedResponseItemsItem } from 'instagram-private-api';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import type { InboxFeedLike, ThreadFeedLike } from '../client/ig-client-like.ts';
import { FakeIgClient } from '../testing/fake-ig-client.ts';
import { buildRig, testEnv, type Rig } from '../testing/harness.ts';
import { textItem, threadFeedTextItem, threadOf, userOf } from '../testing/ig-fixtures.ts';
import { Poller } from './poller.ts';

const url = testRedisUrl();
const MAX_PAGES = 3; // what buildRig gives the poller

/** Counts the page requests of every cycle, to check the work per cycle stays capped. */
function perCycle(client: FakeIgClient, what: 'inbox' | 'thread' | 'pending'): () => number {
  let seen = client.calls[what];
  return () => {
    const n = client.calls[what] - seen;
    seen = client.calls[what];
    return n;
  };
}

/** Item ids in the order the poller handed them to the item processor. */
function processedIds(rig: Rig): string[] {
  const ids: string[] = [];
  const process = rig.pipeline.processor.process.bind(rig.pipeline.processor);
  vi.spyOn(rig.pipeline.processor, 'process').mockImplementation(async (ctx, item) => {
    ids.push(item.item_id);
    return process(ctx, item);
  });
  return ids;
}

/**
 * An inbox feed that can save and restore its position, as the library's feeds do
 * (Feed.serialize / deserialize), over the fake client's pages.
 */
function resumableInbox(client: FakeIgClient): void {
  client.feed.directInbox = () => {
    let page = 0;
    const feed: InboxFeedLike & { serialize(): string; deserialize(data: string): void } = {
      items: async () => {
        client.calls.inbox++;
        return client.inboxPages[page++] ?? [];
      },
      isMoreAvailable: () => page < client.inboxPages.length,
      serialize: () => JSON.stringify({ page }),
      deserialize: (data) => {
        page = (JSON.parse(data) as { page: number }).page;
      },
    };
    return feed;
  };
}

/**
 * Thread feeds that page back from `oldest_cursor` as Instagram does (items older than that
 * item), `pageSize` items a page. The plain fake ignores the cursor.
 */
function cursorThreads(client: FakeIgClient, items: Map<string, DirectThreadFeedResponseItemsItem[]>, pageSize: number): void {
  client.feed.directThread = (o: Pick<DirectInboxFeedResponseThreadsItem, 'thread_id' | 'oldest_cursor'>): ThreadFeedLike => {
    const all = items.get(o.thread_id) ?? [];
    let at = all.findIndex((i) => i.item_id === o.oldest_cursor) + 1;
    return {
      items: async () => {
        client.calls.thread++;
        const page = all.slice(at, at + pageSize);
        at += pageSize;
        return page;
      },
      isMoreAvailable: () => at < all.length,
    };
  };
}

describe('Poller paging limits (fake client seam, real Redis)', () => {
  let prefix: string;
  beforeEach(() => {
    prefix = uniquePrefix('igpage');
  });
  afterEach(async () => {
    await deletePrefix(url, prefix);
  });

  /** Inbox pages newest first, one citizen thread with one new message on each. */
  function inboxWithNews(pages: number, t0: number): DirectInboxFeedResponseThreadsItem[][] {
    return Array.from({ length: pages }, (_, p) => {
      const u = userOf(7770000 + p, `warga.${p}`, `Warga ${p}`);
      return [threadOf({ threadId: `th-${p}`, user: u, items: [textItem(`n${p}`, u.pk, t0 - p * 1_000, `laporan ${p}`)] })];
    });
  }

  it('threads past the inbox page cap are read in the next cycle, never more than the cap per cycle', async () => {
    const client = new FakeIgClient();
    const { logger } = memoryLogger();
    const rig = await buildRig({ redisUrl: url, prefix, client, logger });
    client.inboxPages = inboxWithNews(MAX_PAGES + 1, Date.now() - 60_000);
    const inboxPages = perCycle(client, 'inbox');
    try {
      let ingested = 0;
      for (let cycle = 0; cycle < 5; cycle++) {
        ingested += (await rig.poller.pollOnce()).items.ingested;
        expect(inboxPages()).toBeLessThanOrEqual(MAX_PAGES);
      }
      expect(ingested).toBe(MAX_PAGES + 1);
      expect(await rig.cursors.get(`th-${MAX_PAGES}`)).not.toBeNull();
    } finally {
      await rig.close();
    }
  });

  it('a restarted process goes on with the inbox where the last one stopped (the feed position is saved)', async () => {
    const { logger } = memoryLogger();
    const env = testEnv(prefix);
    const pages = inboxWithNews(MAX_PAGES + 1, Date.now() - 60_000);
    const first = new FakeIgClient();
    resumableInbox(first);
    first.inboxPages = pages;
    const rig1 = await buildRig({ redisUrl: url, prefix, client: first, logger, env });
    expect((await rig1.poller.pollOnce()).items.ingested).toBe(MAX_PAGES);
    await rig1.close();

    const second = new FakeIgClient();
    resumableInbox(second);
    second.inboxPages = pages;
    const rig2 = await buildRig({ redisUrl: url, prefix, client: second, logger, env });
    try {
      expect((await rig2.poller.pollOnce()).items.ingested).toBe(1);
      expect(second.calls.inbox).toBe(1); // page 4 only: pages 1-3 are not read again
      expect(await rig2.cursors.get(`th-${MAX_PAGES}`)).not.toBeNull();
      // The walk got to its end: the next cycle starts from the top and stops at page 1.
      expect((await rig2.poller.pollOnce()).items.ingested).toBe(0);
      expect(second.calls.inbox).toBe(2);
    } finally {
      await rig2.close();
    }
  });

  it('a pinned thread at the top of the inbox, with nothing new, does not end the walk before the new threads below it', async () => {
    const client = new FakeIgClient();
    const { logger } = memoryLogger();
    const rig = await buildRig({ redisUrl: url, prefix, client, logger });
    const t0 = Date.now() - 60_000;
    const old = userOf(7773001, 'warga.lama', 'Warga Lama');
    const pinned = { ...threadOf({ threadId: 'th-pinned', user: old, items: [textItem('old1', old.pk, t0 - 600_000, 'terima kasih')] }), is_pin: true };
    try {
      client.inboxPages = [[pinned]];
      expect((await rig.poller.pollOnce()).complete).toBe(true);
      // Instagram serves pinned threads first, whatever their last activity: the new ones follow.
      const [a, b] = [userOf(7773002, 'warga.a', 'A'), userOf(7773003, 'warga.b', 'B')];
      client.inboxPages = [
        [pinned, threadOf({ threadId: 'th-b', user: b, items: [textItem('b1', b.pk, t0 + 2_000, 'lampu mati')] })],
        [threadOf({ threadId: 'th-a', user: a, items: [textItem('a1', a.pk, t0 + 1_000, 'jalan rusak')] })],
      ];
      expect((await rig.poller.pollOnce()).items.ingested).toBe(2);
      expect(await rig.cursors.get('th-a')).not.toBeNull();
    } finally {
      await rig.close();
    }
  });

  it('a thread with more new items than one visit pages through loses none: read oldest first over the next cycles', async () => {
    const client = new FakeIgClient();
    const { logger } = memoryLogger();
    const rig = await buildRig({ redisUrl: url, prefix, client, logger });
    const ids = processedIds(rig);
    const t0 = Date.now() - 600_000;
    const citizen = userOf(7771001, 'warga.sibuk', 'Warga Sibuk');
    const other = userOf(7771002, 'warga.lain', 'Warga Lain');
    // Ten new messages; the inbox preview shows the newest two; thread pages of two, newest first.
    const texts = Array.from({ length: 10 }, (_, i) => ({ id: `b${i + 1}`, at: t0 + i * 1_000, text: `pesan ${i + 1}` }));
    const newestFirst = [...texts].reverse();
    const busy = threadOf({ threadId: 'th-busy', user: citizen, items: newestFirst.slice(0, 2).map((m) => textItem(m.id, citizen.pk, m.at, m.text)), hasOlder: true });
    const pages: DirectThreadFeedResponseItemsItem[][] = [];
    for (let i = 0; i < newestFirst.length; i += 2) pages.push(newestFirst.slice(i, i + 2).map((m) => threadFeedTextItem(m.id, citizen.pk, m.at, m.text)));
    client.threadPages.set('th-busy', pages);
    // A newer thread on page 1 that has nothing new after the first cycle: the busy one is behind it, on page 2.
    const quiet = threadOf({ threadId: 'th-quiet', user: other, items: [textItem('q1', other.pk, t0 + 60_000, 'lampu mati')] });
    client.inboxPages = [[quiet], [busy]];
    const threadPages = perCycle(client, 'thread');
    try {
      await rig.poller.pollOnce();
      expect(threadPages()).toBeLessThanOrEqual(MAX_PAGES);
      // Nothing newer than the gap goes to the engine before the older items.
      expect(ids).toEqual(['q1']);
      for (let cycle = 0; cycle < 4; cycle++) {
        await rig.poller.pollOnce();
        expect(threadPages()).toBeLessThanOrEqual(MAX_PAGES);
      }
      expect(ids).toEqual(['q1', ...texts.map((m) => m.id)]);
      expect(await rig.cursors.get('th-busy')).toBe(BigInt(t0 + 9_000) * 1000n);
      expect((await rig.poller.pollOnce()).items).toMatchObject({ ingested: 0, duplicate: 0 });

      await rig.pipeline.engine.closeAll({ channel: 'instagram', account: 'pemkotblitar' });
      const complaint = rig.complaints.find((c) => c.source.threadId === 'th-busy');
      expect(complaint?.source.messageIds).toEqual(texts.map((m) => m.id));
    } finally {
      await rig.close();
    }
  });

  it('a long backlog in a message request, across a restart: read in order, approved only once read to the end', async () => {
    const { logger } = memoryLogger();
    const env = testEnv(prefix);
    const t0 = Date.now() - 600_000;
    const citizen = userOf(7772001, 'warga.panjang', 'Warga Panjang');
    const all = Array.from({ length: 25 }, (_, i) => ({ id: `p${i + 1}`, at: t0 + i * 1_000 })).reverse();
    const feedItems = new Map([['th-req', all.map((m) => threadFeedTextItem(m.id, citizen.pk, m.at, `pesan ${m.id}`))]]);
    const request = () => threadOf({ threadId: 'th-req', user: citizen, items: all.slice(0, 2).map((m) => textItem(m.id, citizen.pk, m.at, `pesan ${m.id}`)), pending: true, hasOlder: true });
    // Two thread pages of three per visit: the 25 items take several visits, the deepest stretch first.
    const start = async (client: FakeIgClient) => {
      cursorThreads(client, feedItems, 3);
      client.pendingPages = [[request()]];
      const rig = await buildRig({ redisUrl: url, prefix, client, logger, env });
      const seen = processedIds(rig);
      const poller = new Poller({ client, processor: rig.pipeline.processor, cursors: rig.cursors, logger, metrics: rig.metrics, backfillMs: 7 * 86_400_000, approvePending: true, maxPages: 2 });
      return { rig, poller, seen };
    };

    const first = new FakeIgClient();
    const a = await start(first);
    try {
      // Paging down to the cursor takes these cycles; nothing is taken before it is reached.
      for (let cycle = 0; cycle < 3; cycle++) await a.poller.pollOnce();
      expect(a.seen).toEqual([]);
      expect(first.approved).toEqual([]);
    } finally {
      await a.rig.close();
    }

    const second = new FakeIgClient();
    const b = await start(second);
    const threadPages = perCycle(second, 'thread');
    try {
      for (let cycle = 0; cycle < 8 && second.approved.length === 0; cycle++) {
        await b.poller.pollOnce();
        expect(threadPages()).toBeLessThanOrEqual(2);
      }
      expect(b.seen).toEqual([...all].reverse().map((m) => m.id));
      expect(second.approved).toEqual(['th-req']);
      expect(await b.rig.cursors.get('th-req')).toBe(BigInt(t0 + 24_000) * 1000n);
    } finally {
      await b.rig.close();
    }
  });
});
