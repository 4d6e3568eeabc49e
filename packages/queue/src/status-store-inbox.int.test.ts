import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { deletePrefix, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { StatusStore } from './status-store.ts';

const url = testRedisUrl();
const prefix = uniquePrefix('status-inbox');
const redis = new Redis(url);
const store = new StatusStore(redis, prefix);

afterAll(async () => {
  redis.disconnect();
  await deletePrefix(url, prefix);
});

const routed = (id: string, at: string) => store.transition(id, { state: 'routed', at, opd: 'dishub', opdName: 'Dinas Perhubungan' });

describe("StatusStore: an OPD's inbox (the OPD API's feed)", () => {
  it('never lets a reader\'s cursor pass an entry written after it, whatever its routing time', async () => {
    // Routers finish complaints of one millisecond in any order, and a clock can lag.
    const ms = '2026-11-28T02:00:00.000Z';
    await routed('01J0000000000000000000ZZZ9', ms);
    let cursor = { ms: 0, id: '' };
    const seen: string[] = [];
    const read = async () => {
      for (const e of await store.opdInbox('dishub', cursor, 100)) {
        seen.push(e.id);
        cursor = { ms: e.ms, id: e.id };
      }
    };
    await read();
    await routed('01J0000000000000000000AAA1', ms); // same millisecond, smaller id
    await routed('01J0000000000000000000BBB1', '2026-11-28T01:59:59.990Z'); // an earlier routing time
    await read();
    expect(seen).toEqual(['01J0000000000000000000ZZZ9', '01J0000000000000000000AAA1', '01J0000000000000000000BBB1']);
  });

  it('applies an OPD\'s reports in the order they were made, whatever order they arrive in', async () => {
    const id = '01J0000000000000000000CCC1';
    await routed(id, '2026-11-28T02:00:00.000Z');
    expect(await store.transition(id, { state: 'resolved', at: '2026-11-28T05:00:00.000Z', dedupeKey: 'status.r' })).toBe('applied');
    expect(await store.transition(id, { state: 'in_progress', at: '2026-11-28T04:00:00.000Z', dedupeKey: 'status.p' })).toBe('stale');
    expect(await store.transition(id, { state: 'resolved', at: '2026-11-28T05:00:00.000Z', dedupeKey: 'status.r' })).toBe('duplicate');
    expect(await redis.hget(`${prefix}:complaint:${id}`, 'state')).toBe('resolved');
  });

  it('applies an OPD\'s report only while the complaint is routed to that OPD, checked in the same write', async () => {
    const id = '01J0000000000000000000DDD1';
    await routed(id, '2026-11-28T02:00:00.000Z');
    // Re-assigned to dlh after the router read the record for dishub's report.
    await store.transition(id, { state: 'routed', at: '2026-11-28T02:30:00.000Z', opd: 'dlh', opdName: 'DLH', dedupeKey: 'decision:r1' });
    expect(await store.transition(id, { state: 'in_progress', at: '2026-11-28T03:00:00.000Z', dedupeKey: 'status.x', requireOpd: 'dishub' })).toBe('wrong_opd');
    expect(await redis.hget(`${prefix}:complaint:${id}`, 'state')).toBe('routed');
    expect(await store.transition(id, { state: 'in_progress', at: '2026-11-28T03:00:00.000Z', dedupeKey: 'status.y', requireOpd: 'dlh' })).toBe('applied');
  });
});
