import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { deletePrefix, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { StatusStore } from './status-store.ts';

const url = testRedisUrl();
const prefix = uniquePrefix('status-desk');
const redis = new Redis(url);
const store = new StatusStore(redis, prefix);

afterAll(async () => {
  redis.disconnect();
  await deletePrefix(url, prefix);
});

const rec = (id: string, receivedAt: string, station?: string) => ({ id, ticket: `ADU-${id.slice(-4)}-0000`, channel: 'radio' as const, receivedAt, ...(station ? { station } : {}) });

describe('StatusStore: station index and supporters (radio desk)', () => {
  it("lists a station's complaints within a time range, oldest first, whatever the station's case", async () => {
    await store.recordReceived(rec('01J0000000000000000000AAA1', '2026-11-27T23:00:00Z', 'Radio Patria FM'));
    await store.recordReceived(rec('01J0000000000000000000AAA2', '2026-11-28T01:00:00Z', 'Radio Patria FM'));
    await store.recordReceived(rec('01J0000000000000000000AAA3', '2026-11-28T02:00:00Z', 'radio patria fm'));
    await store.recordReceived(rec('01J0000000000000000000BBB1', '2026-11-28T02:00:00Z', 'Radio Mayangkara'));
    await store.recordReceived(rec('01J0000000000000000000CCC1', '2026-11-28T02:00:00Z'));
    // A replay (the router records "received" again) adds nothing.
    await store.recordReceived(rec('01J0000000000000000000AAA2', '2026-11-28T01:00:00Z', 'Radio Patria FM'));
    const day = await store.stationEntries('Radio Patria FM', Date.parse('2026-11-28T00:00:00Z'), Date.parse('2026-11-29T00:00:00Z'));
    expect(day.map((r) => r.id)).toEqual(['01J0000000000000000000AAA2', '01J0000000000000000000AAA3']);
  });

  it('counts each supporter key once, also under concurrent links', async () => {
    const id = '01J0000000000000000000AAA1';
    const entry = { at: '2026-11-28T03:00:00Z', channel: 'radio' as const, station: 'Radio Mayangkara', program: 'Kabar Kota' };
    const results = await Promise.all(['k1', 'k2', 'k3', 'k1', 'k2'].map((k) => store.addSupporter(id, k, entry)));
    expect(results.filter((r) => r.added)).toHaveLength(3);
    expect((await store.get(id))?.supporters).toBe(3);
    expect(await store.supporters(id)).toHaveLength(3);
    expect(await store.addSupporter(id, 'k3', entry)).toEqual({ added: false, supporters: 3 });
  });
});
