import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { deletePrefix, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { guardedAdd } from './guarded-add.ts';
import { defaultJobOptions } from './names.ts';
import { StatusStore } from './status-store.ts';

const url = testRedisUrl();
const prefix = uniquePrefix('status-desk');
const redis = new Redis(url);
const store = new StatusStore(redis, prefix);

const intake = new Queue('intake', { connection: redis, prefix, defaultJobOptions: defaultJobOptions('intake') });

afterAll(async () => {
  await intake.close();
  redis.disconnect();
  await deletePrefix(url, prefix);
});

const rec = (id: string, receivedAt: string, station?: string) => ({ id, ticket: `ADU-${id.slice(-4)}-0000`, channel: 'radio' as const, receivedAt, ...(station ? { station } : {}) });

describe('StatusStore: station index and supporters (radio desk)', () => {
  it("lists a station's complaints within a time range, newest first (the latest when there are more than the limit), whatever the station's case", async () => {
    await store.recordReceived(rec('01J0000000000000000000AAA1', '2026-11-27T23:00:00Z', 'Radio Patria FM'));
    await store.recordReceived(rec('01J0000000000000000000AAA2', '2026-11-28T01:00:00Z', 'Radio Patria FM'));
    await store.recordReceived(rec('01J0000000000000000000AAA3', '2026-11-28T02:00:00Z', 'radio patria fm'));
    await store.recordReceived(rec('01J0000000000000000000BBB1', '2026-11-28T02:00:00Z', 'Radio Mayangkara'));
    await store.recordReceived(rec('01J0000000000000000000CCC1', '2026-11-28T02:00:00Z'));
    // A replay (the router records "received" again) adds nothing.
    await store.recordReceived(rec('01J0000000000000000000AAA2', '2026-11-28T01:00:00Z', 'Radio Patria FM'));
    const day = await store.stationEntries('Radio Patria FM', Date.parse('2026-11-28T00:00:00Z'), Date.parse('2026-11-29T00:00:00Z'));
    expect(day.map((r) => r.record.id)).toEqual(['01J0000000000000000000AAA3', '01J0000000000000000000AAA2']);
    const latest = await store.stationEntries('Radio Patria FM', Date.parse('2026-11-28T00:00:00Z'), Date.parse('2026-11-29T00:00:00Z'), 1);
    expect(latest.map((r) => r.record.id)).toEqual(['01J0000000000000000000AAA3']);
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

  it("lists a caller linked at a station on that station's board, once, among its complaints by time (and under the same limit)", async () => {
    const id = '01J0000000000000000000LLL1';
    const day = [Date.parse('2026-12-01T00:00:00Z'), Date.parse('2026-12-02T00:00:00Z')] as const;
    await store.recordReceived(rec(id, '2026-12-01T01:00:00.000Z', 'Radio Mayangkara'));
    await store.recordReceived(rec('01J0000000000000000000LLL2', '2026-12-01T03:00:00.000Z', 'Radio Patria FM'));
    const link = { at: '2026-12-01T02:00:00.000Z', channel: 'radio' as const, station: 'Radio Patria FM', program: 'Halo Blitar Pagi', operatorId: 'siti', callTime: '2026-12-01T01:58:00.000Z' };
    await store.addSupporter(id, 'link-a', link);
    // Resent (the same key): counted and listed once; a key resent under another station's
    // session is not listed there either.
    await store.addSupporter(id, 'link-a', link);
    await store.addSupporter(id, 'link-a', { ...link, station: 'Radio Suara Blitar', at: '2026-12-01T02:30:00.000Z' });
    const rows = await store.stationEntries('Radio Patria FM', ...day);
    expect(rows.map((r) => [r.kind, r.record.id])).toEqual([
      ['complaint', '01J0000000000000000000LLL2'],
      ['link', id],
    ]);
    expect(rows[1]).toMatchObject({ kind: 'link', record: { ticket: `ADU-${id.slice(-4)}-0000`, station: 'Radio Mayangkara' }, supporter: link });
    expect((await store.stationEntries('Radio Patria FM', ...day, 1)).map((r) => r.kind)).toEqual(['complaint']);
    expect((await store.stationEntries('Radio Mayangkara', ...day)).map((r) => [r.kind, r.record.id])).toEqual([['complaint', id]]);
    expect(await store.stationEntries('Radio Suara Blitar', ...day)).toEqual([]);
  });
});

describe('StatusStore: history', () => {
  it('starts with "received" at receivedAt, once, then the transitions in order; a replayed record changes nothing', async () => {
    const id = '01J0000000000000000000HHH1';
    await store.recordReceived({ ...rec(id, '2026-11-28T04:00:00.000Z'), channel: 'webform' });
    await store.transition(id, { state: 'routed', at: '2026-11-28T04:00:01.000Z', opd: 'dlh', opdName: 'Dinas Lingkungan Hidup', dedupeKey: 'routed:r0' });
    await store.recordReceived({ ...rec(id, '2026-11-28T04:00:00.000Z'), channel: 'webform' });
    await store.transition(id, { state: 'in_progress', at: '2026-11-28T05:00:00.000Z', message: 'Petugas menuju lokasi' });
    const view = await store.view(id);
    expect(view?.state).toBe('in_progress');
    expect(view?.history).toEqual([
      { state: 'received', at: '2026-11-28T04:00:00.000Z' },
      { state: 'routed', at: '2026-11-28T04:00:01.000Z' },
      { state: 'in_progress', at: '2026-11-28T05:00:00.000Z', message: 'Petugas menuju lokasi' },
    ]);
    expect((await store.history(id)).map((h) => h.state)).toEqual(['received', 'routed', 'in_progress']);
  });

  it('reads a record written by an earlier version (its list holds "received") without a second "received"', async () => {
    const id = '01J0000000000000000000HHH2';
    await store.recordReceived({ ...rec(id, '2026-11-20T04:00:00.000Z'), channel: 'webform' });
    await redis.rpush(`${prefix}:complaint:${id}:history`, JSON.stringify({ state: 'received', at: '2026-11-20T04:00:00.000Z' }), JSON.stringify({ state: 'routed', at: '2026-11-20T04:00:02.000Z', opd: 'dlh' }));
    expect((await store.history(id)).map((h) => `${h.state}@${h.at}`)).toEqual(['received@2026-11-20T04:00:00.000Z', 'routed@2026-11-20T04:00:02.000Z']);
  });
});

describe('StatusStore.ensureReceived (the router)', () => {
  it('keeps a record the intake side made, with the supporters linked since; records one that is missing', async () => {
    const made = '01J0000000000000000000EEE1';
    await store.recordNew({ ...rec(made, '2026-11-28T07:00:00.000Z'), channel: 'webform' });
    await store.addSupporter(made, 'desk-1', { at: '2026-11-28T07:01:00.000Z', channel: 'radio', station: 'Radio Patria FM' });
    await store.transition(made, { state: 'routed', at: '2026-11-28T07:02:00.000Z', opd: 'dlh', dedupeKey: 'decision:r0' });
    // A retried routing job: the record is read, not written again (its state stays "routed",
    // and nothing the call brings is merged in).
    expect(await store.ensureReceived({ ...rec(made, '2026-11-28T07:00:00.000Z'), channel: 'webform', replyAccount: 'web', replyTo: 'thread-1' })).toEqual({ supporters: 1, ticketTaken: false });
    const kept = await store.get(made);
    expect(kept?.state).toBe('routed');
    expect(kept?.replyTo).toBeUndefined();

    // Spooled at intake, so never recorded; the desk linked a caller to it meanwhile.
    const spooled = '01J0000000000000000000EEE2';
    await store.addSupporter(spooled, 'desk-2', { at: '2026-11-28T07:03:00.000Z', channel: 'radio' });
    expect(await store.ensureReceived({ ...rec(spooled, '2026-11-28T07:00:30.000Z'), channel: 'webform' })).toEqual({ supporters: 1, ticketTaken: false });
    expect(await store.get(spooled)).toMatchObject({ state: 'received', receivedAt: '2026-11-28T07:00:30.000Z', supporters: 1 });
    expect(await store.idForTicket(`ADU-${spooled.slice(-4)}-0000`)).toBe(spooled);
  });
});

describe('StatusStore: a ticket that already belongs to another complaint', () => {
  const first = { ...rec('01J0000000000000000000TTT1', '2026-11-28T06:00:00.000Z'), ticket: 'ADU-TTTT-0001', channel: 'webform' as const };
  const second = { ...first, id: '01J0000000000000000000TTT2', receivedAt: '2026-11-28T06:05:00.000Z' };

  it('refuses a complaint whose id can still change, writing nothing; records one whose id cannot, without taking the ticket', async () => {
    expect(await store.recordNew(first)).toEqual({ outcome: 'recorded', supporters: 0, ticketTaken: false });
    expect(await store.recordNew(second)).toEqual({ outcome: 'ticket_taken' });
    expect(await store.get(second.id)).toBeNull();
    // A replay of the first is not a clash.
    expect(await store.recordNew(first)).toEqual({ outcome: 'recorded', supporters: 0, ticketTaken: false });

    expect(await store.recordReceived(second)).toEqual({ supporters: 0, ticketTaken: true });
    expect((await store.get(second.id))?.state).toBe('received');
    expect(await store.idForTicket(first.ticket)).toBe(first.id);
  });

  it("the intake path (a fresh id, the guard in front of the add): a taken ticket refuses and leaves nothing, not even the claim; a claimed key answers first", async () => {
    const guard = (key: string) => ({ key: `${prefix}:idem:${key}`, value: `{"answer":"${key}"}`, ttlSeconds: 60 });
    const fresh = (id: string) => ({ ...second, id });
    // Every key of this file's prefix (other test files share the Redis), but the queue's meta,
    // which BullMQ's Queue writes when it starts.
    const keys = async () => (await redis.keys(`${prefix}:*`)).filter((k) => !k.endsWith(':intake:meta')).sort();
    const before = await keys();
    const clash = await guardedAdd(redis, intake, '01J0000000000000000000TTT4', 'webform', { id: '01J0000000000000000000TTT4' }, store.newComplaintGuard(fresh('01J0000000000000000000TTT4'), guard('fresh-clash')));
    expect(store.refusalOutcome(clash as unknown[])).toEqual({ outcome: 'ticket_taken' });
    expect(await keys()).toEqual(before);
    expect(await store.idForTicket(first.ticket)).toBe(first.id);

    // With a new id (a new ticket) the same request goes through and takes its claim.
    const other = { ...fresh('01J0000000000000000000TTT5'), ticket: 'ADU-TTTT-0005' };
    expect(await guardedAdd(redis, intake, other.id, 'webform', { id: other.id }, store.newComplaintGuard(other, guard('fresh-clash')))).toBeUndefined();
    expect(await redis.get(guard('fresh-clash').key)).toBe('{"answer":"fresh-clash"}');
    expect(await store.idForTicket(other.ticket)).toBe(other.id);
    expect((await store.get(other.id))?.state).toBe('received');
    expect(await intake.getJobState(other.id)).toBe('waiting');

    // A retry with that key is answered from its claim, whatever ticket its new id drew.
    const retry = await guardedAdd(redis, intake, '01J0000000000000000000TTT6', 'webform', { id: '01J0000000000000000000TTT6' }, store.newComplaintGuard(fresh('01J0000000000000000000TTT6'), guard('fresh-clash')));
    expect(store.refusalOutcome(retry as unknown[])).toEqual({ outcome: 'guard_exists', earlier: '{"answer":"fresh-clash"}' });
    expect(await store.get('01J0000000000000000000TTT6')).toBeNull();
  });

  it('checks the ticket before the Idempotency-Key claim, so a refused complaint leaves no claim behind', async () => {
    const guard = { key: `${prefix}:idem:clash`, value: '{"answer":"second"}', ttlSeconds: 60 };
    expect(await store.recordNew({ ...second, id: '01J0000000000000000000TTT3' }, guard)).toEqual({ outcome: 'ticket_taken' });
    expect(await redis.exists(guard.key)).toBe(0);
  });
});
