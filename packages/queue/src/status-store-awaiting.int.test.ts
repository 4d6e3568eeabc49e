import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { ResponseDeadline } from '@aduan/schema';
import { deletePrefix, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { StatusStore } from './status-store.ts';

const url = testRedisUrl();
const redis = new Redis(url);
const prefixes: string[] = [];
/** A store on a prefix of its own: each test counts only its own complaints. */
const freshStore = () => {
  const prefix = uniquePrefix('status-awaiting');
  prefixes.push(prefix);
  return { prefix, store: new StatusStore(redis, prefix) };
};

afterAll(async () => {
  redis.disconnect();
  for (const p of prefixes) await deletePrefix(url, p);
});

const DAY = 86_400_000;
const deadline = new ResponseDeadline(5, new Set());
/** The overdue counts at `nowMs`, as the /metrics gauge reads them. */
const overdueAt = (store: StatusStore, nowMs = Date.now()) => store.overdueCounts(deadline.overdueBefore(nowMs), nowMs);
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString();
const route = (store: StatusStore, id: string, opd: string, at: string, revision = 0) => store.transition(id, { state: 'routed', at, opd, opdName: opd.toUpperCase(), dedupeKey: `decision:r${revision}` });

describe("StatusStore: the OPDs' awaiting-response indexes", () => {
  it('counts a complaint routed more than 5 working days ago, and stops counting it once its OPD reports in_progress', async () => {
    const { store } = freshStore();
    const late = '01J00000000000000000AWT001';
    const recent = '01J00000000000000000AWT002';
    await route(store, late, 'dishub', daysAgo(15));
    await route(store, recent, 'dishub', daysAgo(0));
    expect(await overdueAt(store)).toEqual(new Map([['dishub', 1]]));
    expect((await store.overdueOf('dishub', deadline.overdueBefore(Date.now()), Date.now(), 10)).map((e) => e.id)).toEqual([late]);
    // Fifteen days on, the recent one is late too.
    expect(await overdueAt(store, Date.now() + 15 * DAY)).toEqual(new Map([['dishub', 2]]));

    expect(await store.transition(late, { state: 'in_progress', at: daysAgo(0), dedupeKey: 'status.p1', requireOpd: 'dishub' })).toBe('applied');
    expect(await overdueAt(store)).toEqual(new Map([['dishub', 0]]));
    expect(await overdueAt(store, Date.now() + 15 * DAY)).toEqual(new Map([['dishub', 1]]));
  });

  it('an outcome, a return to triage and an "external" decision each end the wait; what is refused or repeated changes nothing', async () => {
    const { store } = freshStore();
    const ids = ['01J00000000000000000AWT011', '01J00000000000000000AWT012', '01J00000000000000000AWT013', '01J00000000000000000AWT014'] as const;
    for (const id of ids) await route(store, id, 'dlh', daysAgo(20));
    expect(await overdueAt(store)).toEqual(new Map([['dlh', 4]]));
    // A report from another OPD is refused in the script: the wait goes on.
    expect(await store.transition(ids[0], { state: 'resolved', at: daysAgo(0), dedupeKey: 'status.x', requireOpd: 'dishub' })).toBe('wrong_opd');
    // The router's decision applied again (a retried job): still waiting, still since 20 days ago.
    expect(await route(store, ids[0], 'dlh', daysAgo(0))).toBe('duplicate');
    expect(await overdueAt(store)).toEqual(new Map([['dlh', 4]]));
    await store.transition(ids[0], { state: 'resolved', at: daysAgo(0), dedupeKey: 'status.r', requireOpd: 'dlh' });
    await store.transition(ids[1], { state: 'rejected', at: daysAgo(0), dedupeKey: 'status.j', requireOpd: 'dlh' });
    // returned: the router publishes a triage revision, whose step removes the OPD.
    await store.transition(ids[2], { state: 'triage', at: daysAgo(0), dedupeKey: 'decision:r1' });
    await store.transition(ids[3], { state: 'external', at: daysAgo(0), opd: 'external', opdName: 'Di luar kewenangan', dedupeKey: 'decision:r1' });
    expect(await overdueAt(store)).toEqual(new Map([['dlh', 0]]));
  });

  it("a re-routing starts the new assignment's clock: away from a late OPD, and back to the same OPD after triage", async () => {
    const { store } = freshStore();
    const moved = '01J00000000000000000AWT021';
    const back = '01J00000000000000000AWT022';
    await route(store, moved, 'dishub', daysAgo(12));
    await route(store, back, 'dishub', daysAgo(12));
    expect(await overdueAt(store)).toEqual(new Map([['dishub', 2]]));
    // An admin re-assigns the first to dlh today; the second is returned, then assigned back to dishub today.
    await route(store, moved, 'dlh', daysAgo(0), 1);
    await store.transition(back, { state: 'triage', at: daysAgo(0), dedupeKey: 'decision:r1' });
    await route(store, back, 'dishub', daysAgo(0), 2);
    expect(await overdueAt(store)).toEqual(new Map([['dishub', 0], ['dlh', 0]]));
    // Both are waiting, each on its new clock: late again only once that one runs out.
    const soon = Date.now() + 12 * DAY;
    expect(await overdueAt(store, soon)).toEqual(new Map([['dishub', 1], ['dlh', 1]]));
    // The record's own routing time, not the first one: overdueOf sees today's.
    const [entry] = await store.overdueOf('dlh', deadline.overdueBefore(soon), soon, 10);
    expect(Math.abs(entry!.routedMs - Date.now())).toBeLessThan(60_000);
  });

  it('backfills, once, the complaints routed before the indexes existed, from the OPD inboxes: only those still routed to that OPD', async () => {
    const { prefix, store } = freshStore();
    const routedAt = Date.now() - 10 * DAY;
    /** A record and inbox entry exactly as the version before the indexes wrote them. */
    const legacy = async (id: string, state: string, opd: string | undefined, ...inboxes: string[]) => {
      await redis.hset(`${prefix}:complaint:${id}`, { id, ticket: `ADU-${id.slice(-4)}`, channel: 'webform', state, receivedAt: new Date(routedAt - 60_000).toISOString(), updatedAt: new Date(routedAt).toISOString(), ...(opd ? { opd, opdName: opd } : {}) });
      for (const inbox of inboxes) await redis.zadd(`${prefix}:opd:${inbox}:inbox`, routedAt, id);
    };
    await legacy('01J00000000000000000AWT031', 'routed', 'dishub', 'dishub');
    await legacy('01J00000000000000000AWT032', 'in_progress', 'dishub', 'dishub'); // answered
    await legacy('01J00000000000000000AWT033', 'routed', 'dlh', 'dishub', 'dlh'); // re-assigned to dlh since
    await legacy('01J00000000000000000AWT034', 'triage', undefined, 'dlh'); // returned
    expect(await overdueAt(store)).toEqual(new Map());

    expect(await store.backfillAwaiting()).toBe(2);
    expect(await overdueAt(store)).toEqual(new Map([['dishub', 1], ['dlh', 1]]));
    expect((await store.overdueOf('dishub', deadline.overdueBefore(Date.now()), Date.now(), 10))).toEqual([{ id: '01J00000000000000000AWT031', routedMs: routedAt }]);
    // Once: the marker says it is done. And idempotent when run again (the marker deleted).
    expect(await store.backfillAwaiting()).toBe('done');
    await redis.del(`${prefix}:opd-awaiting:backfilled`);
    expect(await store.backfillAwaiting()).toBe(0);
    // The backfilled entry then moves with the transitions like any other.
    await store.transition('01J00000000000000000AWT031', { state: 'in_progress', at: daysAgo(0), dedupeKey: 'status.p', requireOpd: 'dishub' });
    expect(await overdueAt(store)).toEqual(new Map([['dishub', 0], ['dlh', 1]]));
  });
});

describe("StatusStore: the OPDs' in-progress indexes (the OPD inbox's list)", () => {
  it('lists what an OPD reported in progress, however long ago it was routed, until it closes it or it leaves the OPD', async () => {
    const { store } = freshStore();
    const [old, recent, closed, moved, waiting] = ['01J00000000000000000PRG001', '01J00000000000000000PRG002', '01J00000000000000000PRG003', '01J00000000000000000PRG004', '01J00000000000000000PRG005'] as const;
    const oldAt = daysAgo(90);
    await route(store, old, 'dishub', oldAt);
    for (const id of [recent, closed, moved, waiting]) await route(store, id, 'dishub', daysAgo(2));
    for (const id of [old, recent, closed, moved]) expect(await store.transition(id, { state: 'in_progress', at: daysAgo(1), dedupeKey: `status.p.${id}`, requireOpd: 'dishub' })).toBe('applied');
    // A second "in progress" of the same complaint does not list it twice.
    await store.transition(old, { state: 'in_progress', at: daysAgo(0), dedupeKey: 'status.p2', requireOpd: 'dishub' });
    const progress = async (opd: string) => store.inProgressOf(opd, Date.now(), 10);
    expect(await progress('dishub')).toEqual({ items: [old, recent, closed, moved].map((id) => ({ id, routedMs: expect.any(Number) })), total: 4 });
    // Ordered by routing time (of the assignment, not of the report): the one routed 90 days ago first.
    expect((await progress('dishub')).items[0]).toEqual({ id: old, routedMs: Date.parse(oldAt) });

    await store.transition(closed, { state: 'resolved', at: daysAgo(0), dedupeKey: 'status.r', requireOpd: 'dishub' });
    // Re-assigned to DLH: out of Dishub's list; DLH has not reported on it yet.
    await route(store, moved, 'dlh', daysAgo(0), 1);
    expect((await progress('dishub')).items.map((i) => i.id)).toEqual([old, recent]);
    expect(await progress('dlh')).toEqual({ items: [], total: 0 });
    await store.transition(moved, { state: 'in_progress', at: daysAgo(0), dedupeKey: 'status.p.dlh', requireOpd: 'dlh' });
    expect((await progress('dlh')).items.map((i) => i.id)).toEqual([moved]);
    // A report refused (another OPD's) changes nothing.
    expect(await store.transition(waiting, { state: 'in_progress', at: daysAgo(0), dedupeKey: 'status.x', requireOpd: 'dlh' })).toBe('wrong_opd');
    expect((await progress('dlh')).total).toBe(1);
    expect((await store.statesOf([old, closed, '01J00000000000000000NONE00'])).map((s) => s && [s.state, s.opd])).toEqual([['in_progress', 'dishub'], ['resolved', 'dishub'], null]);
  });
});
