import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { deletePrefix, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { STATUS_HISTORY_MAX, StatusStore } from './status-store.ts';

const url = testRedisUrl();
const prefix = uniquePrefix('status-history');
const redis = new Redis(url);
const store = new StatusStore(redis, prefix);

afterAll(async () => {
  redis.disconnect();
  await deletePrefix(url, prefix);
});

const at = (minute: number) => new Date(Date.parse('2026-11-28T02:00:00.000Z') + minute * 60_000).toISOString();
const report = (id: string, state: 'in_progress' | 'resolved', minute: number, n: number) =>
  store.transition(id, { state, at: at(minute), message: `Laporan ke-${n} dari sistem dinas`, opd: 'dishub', requireOpd: 'dishub', dedupeKey: `status.dishub.sync-${n}` });

/**
 * An OPD system that reports on every sync (a fresh updateId each time) must not make one
 * complaint's keys grow for as long as the complaint is kept (400 days, Redis at noeviction).
 */
describe("StatusStore: a complaint's history stays bounded whatever an OPD system sends", () => {
  it('keeps the history list and the seen-events set bounded under endless repeated reports, and still applies a change of state', async () => {
    const id = '01J0000000000000000000HIS1';
    await store.recordReceived({ id, ticket: 'ADU-HIS1-0001', channel: 'webform', receivedAt: at(0) });
    expect(await store.transition(id, { state: 'routed', at: at(1), opd: 'dishub', opdName: 'Dinas Perhubungan', dedupeKey: 'routed:r0' })).toBe('applied');
    const reports = STATUS_HISTORY_MAX * 3;
    for (let n = 0; n < reports; n++) await report(id, 'in_progress', 2 + n, n);
    const historyKey = `${prefix}:complaint:${id}:history`;
    const seenKey = `${prefix}:complaint:${id}:seen`;
    expect(await redis.llen(historyKey)).toBeLessThanOrEqual(STATUS_HISTORY_MAX);
    expect(await redis.scard(seenKey)).toBeLessThanOrEqual(STATUS_HISTORY_MAX + 1);
    // A report that moves the complaint on is applied even now, and is the last step shown.
    expect(await report(id, 'resolved', 2 + reports, reports)).toBe('applied');
    const view = await store.view(id);
    expect(view?.state).toBe('resolved');
    expect(view?.history[0]?.state).toBe('received');
    expect(view?.history.at(-1)).toMatchObject({ state: 'resolved', message: `Laporan ke-${reports} dari sistem dinas` });
    expect(await redis.llen(historyKey)).toBeLessThanOrEqual(STATUS_HISTORY_MAX);
    // Its retry is still a duplicate (not applied twice), so the router can re-send a lost notice.
    expect(await report(id, 'resolved', 2 + reports, reports)).toBe('duplicate');
    expect(await redis.ttl(historyKey)).toBeGreaterThan(0);
  });

  it('writes nothing for reports older than the last one applied, however many', async () => {
    const id = '01J0000000000000000000HIS3';
    await store.recordReceived({ id, ticket: 'ADU-HIS3-0001', channel: 'webform', receivedAt: at(0) });
    await store.transition(id, { state: 'routed', at: at(1), opd: 'dishub', opdName: 'Dinas Perhubungan', dedupeKey: 'routed:r0' });
    expect(await report(id, 'resolved', 60, 0)).toBe('applied');
    for (let n = 1; n <= 50; n++) expect(await report(id, 'in_progress', 2, n)).toBe('stale');
    expect(await redis.scard(`${prefix}:complaint:${id}:seen`)).toBe(2);
    expect((await store.view(id))?.state).toBe('resolved');
  });

  it('records every step of an ordinary complaint', async () => {
    const id = '01J0000000000000000000HIS2';
    await store.recordReceived({ id, ticket: 'ADU-HIS2-0001', channel: 'webform', receivedAt: at(0) });
    await store.transition(id, { state: 'routed', at: at(1), opd: 'dishub', opdName: 'Dinas Perhubungan', dedupeKey: 'routed:r0' });
    await report(id, 'in_progress', 2, 1);
    await report(id, 'in_progress', 3, 2);
    await report(id, 'resolved', 4, 3);
    expect((await store.history(id)).map((h) => h.state)).toEqual(['received', 'routed', 'in_progress', 'in_progress', 'resolved']);
  });
});
