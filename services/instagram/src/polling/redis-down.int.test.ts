import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLocalRedis } from '@aduan/queue';
import { memoryLogger, uniquePrefix, waitFor } from '@aduan/testkit';
import { FakeIgClient } from '../testing/fake-ig-client.ts';
import { buildRig } from '../testing/harness.ts';
import { textItem, threadOf, userOf } from '../testing/ig-fixtures.ts';

const citizen = userOf(5550009, 'warga9', 'Warga Sembilan');

describe('Redis down while polling', () => {
  it('keeps nothing it cannot keep: the cursor stays put and the item is taken once Redis is back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ig-redis-down-'));
    let redis = await startLocalRedis({ dir });
    const prefix = uniquePrefix('igdown');
    const client = new FakeIgClient();
    const { logger } = memoryLogger();
    const rig = await buildRig({ redisUrl: redis.url, prefix, client, logger });
    const t0 = Date.now() - 60_000;
    const first = textItem('d1', citizen.pk, t0, 'Saluran air tersumbat di Jl. Cemara');
    try {
      client.inboxPages = [[threadOf({ threadId: 'th-d', user: citizen, items: [first] })]];
      expect((await rig.poller.pollOnce()).items.ingested).toBe(1);
      const cursorBefore = await rig.cursors.get('th-d');

      await redis.stop();
      const second = textItem('d2', citizen.pk, t0 + 5_000, 'airnya meluap ke jalan');
      client.inboxPages = [[threadOf({ threadId: 'th-d', user: citizen, items: [second, first] })]];
      await expect(rig.poller.pollOnce()).rejects.toThrow();

      redis = await startLocalRedis({ dir, port: redis.port });
      await waitFor(() => rig.pipeline.redis.status === 'ready', { timeoutMs: 15_000, what: 'reconnect' });
      // The cursor was not advanced while Redis was down (it survived the restart via AOF).
      expect(await rig.cursors.get('th-d')).toBe(cursorBefore);
      expect((await rig.poller.pollOnce()).items).toMatchObject({ ingested: 1, duplicate: 0 });
      await rig.pipeline.engine.closeAll({ channel: 'instagram', account: 'pemkotblitar' });
      expect(rig.complaints).toHaveLength(1);
      expect(rig.complaints[0]!.source.messageIds).toEqual(['d1', 'd2']);
    } finally {
      await rig.close();
      await redis.stop();
    }
  });
});
