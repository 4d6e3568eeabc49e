import { IgRequestsLimitError } from 'instagram-private-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { FakeIgClient } from '../testing/fake-ig-client.ts';
import { buildRig, testEnv } from '../testing/harness.ts';
import { textItem, threadOf, userOf } from '../testing/ig-fixtures.ts';

const url = testRedisUrl();
const citizen = userOf(5550001, 'warga.blitar', 'Siti Warga');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a burst delivered late (polls held back) is still one complaint', () => {
  let prefix: string;
  beforeEach(() => {
    prefix = uniquePrefix('iglate');
  });
  afterEach(async () => {
    await deletePrefix(url, prefix);
  });

  it('a message sent within the quiet period but polled after it (a 429 back-off) joins its burst', async () => {
    const client = new FakeIgClient();
    // A quiet period of 1 s stands in for the 3 minutes against a 5-minute back-off.
    const rig = await buildRig({ redisUrl: url, prefix, client, logger: memoryLogger().logger, env: testEnv(prefix, { CONVERSATION_QUIET: '1s' }) });
    const t0 = Date.now();
    const first = textItem('late-1', citizen.pk, t0 - 500, 'Pohon tumbang di Jl. Mawar');
    try {
      client.inboxPages = [[threadOf({ threadId: 'th-late', user: citizen, items: [first] })]];
      expect(await rig.poller.pollOnce()).toMatchObject({ complete: true, items: { ingested: 1 } });
      // Instagram says "too many requests": the next polls fail, and the citizen's next message waits there.
      client.failures.push(new IgRequestsLimitError());
      await expect(rig.poller.pollOnce()).rejects.toThrow();
      await sleep(1_500);
      // The quiet period is over by our clock, not by what Instagram has delivered.
      expect(await rig.pipeline.engine.sweep()).toBe(0);
      expect(rig.complaints).toHaveLength(0);

      client.inboxPages = [[threadOf({ threadId: 'th-late', user: citizen, items: [textItem('late-2', citizen.pk, t0 + 300, 'menutup jalan, mohon segera'), first] })]];
      expect(await rig.poller.pollOnce()).toMatchObject({ complete: true, items: { ingested: 1 } });
      await sleep(1_200);
      expect(await rig.pipeline.engine.sweep()).toBe(1);
      expect(rig.complaints.map((c) => c.source.messageIds)).toEqual([['late-1', 'late-2']]);
    } finally {
      await rig.close();
    }
  });

  it('only a cycle that read everything from the top counts as delivery: not one the page cap cut, nor the end of a walk begun earlier', async () => {
    const client = new FakeIgClient();
    const rig = await buildRig({ redisUrl: url, prefix, client, logger: memoryLogger().logger });
    const t0 = Date.now() - 60_000;
    // Four inbox pages; the poller reads three a cycle.
    client.inboxPages = [0, 1, 2, 3].map((p) => {
      const u = userOf(5551000 + p, `warga${p}`, `Warga ${p}`);
      return [threadOf({ threadId: `th-page-${p}`, user: u, items: [textItem(`pg-${p}`, u.pk, t0 - p * 1_000, `Jalan rusak di gang ${p}`)] })];
    });
    try {
      expect((await rig.poller.pollOnce()).complete).toBe(false); // cut by the cap
      expect((await rig.poller.pollOnce()).complete).toBe(false); // the walk of the last cycle ends
      expect((await rig.poller.pollOnce()).complete).toBe(true); // a walk from the top, to the floor
    } finally {
      await rig.close();
    }
  });
});
