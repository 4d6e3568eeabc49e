import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { deletePrefix, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { STATUS_HISTORY_MAX, StatusStore } from './status-store.ts';

const url = testRedisUrl();
const prefix = uniquePrefix('status-report');
const redis = new Redis(url);
const store = new StatusStore(redis, prefix);

afterAll(async () => {
  redis.disconnect();
  await deletePrefix(url, prefix);
});

const T0 = Date.parse('2026-11-02T03:00:00.000Z');
const at = (minute: number) => new Date(T0 + minute * 60_000).toISOString();
const ms = (minute: number) => T0 + minute * 60_000;
const route = (id: string, opd: string, minute: number, revision: number) => store.transition(id, { state: 'routed', at: at(minute), opd, opdName: opd, dedupeKey: `decision:r${revision}` });
const report = (id: string, opd: string, state: 'in_progress' | 'resolved', minute: number, acceptedMinute: number, n: number) =>
  store.transition(id, { state, at: at(minute), acceptedMs: ms(acceptedMinute), opd, requireOpd: opd, dedupeKey: `status.${opd}.${n}` });

/** What the monthly report reads of each complaint (StatusStore.reportEntries), on real Redis. */
describe('StatusStore.reportEntries', () => {
  it("times the current assignment: from its routing to when Aduan took the OPD's first report since, whatever date the OPD gave it", async () => {
    const id = '01J0000000000000000000REP1';
    await store.recordReceived({ id, ticket: 'ADU-REP1-0001', channel: 'whatsapp', receivedAt: at(0) });
    await route(id, 'satpolpp', 1, 0);
    await report(id, 'satpolpp', 'in_progress', 2, 3, 1);
    // Re-assigned: dishub's clock starts afresh; it dates its report back before it had the complaint.
    await route(id, 'dishub', 100, 1);
    expect(await report(id, 'dishub', 'in_progress', 5, 200, 2)).toBe('applied');
    await report(id, 'dishub', 'resolved', 300, 301, 3);
    expect(await store.reportEntries([id, '01J0000000000000000000NONE'])).toEqual([
      { record: { id, channel: 'whatsapp', state: 'resolved', receivedAt: at(0), opd: 'dishub', opdName: 'dishub' }, routedMs: ms(100), answeredMs: ms(200) },
      null,
    ]);
  });

  it('keeps them past a history full of an OPD system\'s repeated reports', async () => {
    const id = '01J0000000000000000000REP2';
    await store.recordReceived({ id, ticket: 'ADU-REP2-0001', channel: 'webform', receivedAt: at(0) });
    await route(id, 'dishub', 1, 0);
    for (let n = 0; n < STATUS_HISTORY_MAX + 10; n++) await report(id, 'dishub', n % 2 ? 'resolved' : 'in_progress', 10 + n, 10 + n, n);
    expect((await store.history(id)).some((h) => h.state === 'routed')).toBe(false);
    expect((await store.reportEntries([id]))[0]).toMatchObject({ routedMs: ms(1), answeredMs: ms(10) });
  });

  it('reads them from the history of a record written before the record kept them, never answered before routed', async () => {
    const id = '01J0000000000000000000REP3';
    await redis.hset(`${prefix}:complaint:${id}`, { id, ticket: 'ADU-REP3-0001', channel: 'radio', state: 'in_progress', opd: 'dishub', opdName: 'Dishub', receivedAt: at(0), updatedAt: at(50) });
    await redis.rpush(`${prefix}:complaint:${id}:history`, ...[
      { state: 'routed', at: at(1), opd: 'satpolpp' },
      { state: 'in_progress', at: at(2), opd: 'satpolpp' },
      { state: 'routed', at: at(40), opd: 'dishub' },
      { state: 'in_progress', at: at(30), opd: 'dishub' },
    ].map((h) => JSON.stringify(h)));
    const waiting = '01J0000000000000000000REP4';
    await redis.hset(`${prefix}:complaint:${waiting}`, { id: waiting, ticket: 'ADU-REP4-0001', channel: 'radio', state: 'routed', opd: 'dlh', receivedAt: at(0), updatedAt: at(1) });
    await redis.rpush(`${prefix}:complaint:${waiting}:history`, JSON.stringify({ state: 'routed', at: at(1), opd: 'dlh' }));
    const [older, open] = await store.reportEntries([id, waiting]);
    expect(older).toMatchObject({ routedMs: ms(40), answeredMs: ms(40) });
    expect(open).toEqual({ record: { id: waiting, channel: 'radio', state: 'routed', receivedAt: at(0), opd: 'dlh' }, routedMs: ms(1) });
  });
});
