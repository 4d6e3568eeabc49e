import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, DurableProducer, QueueNames, StatusStore, requestReopen, type StatusRecord } from '@aduan/queue';
import { WIB_OFFSET_MS, type Complaint, type RoutedComplaint } from '@aduan/schema';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { startRouterService, type RouterService } from './router-service.ts';
import { reportKit } from './testing/reports.ts';

/** A citizen says a resolved complaint is not solved ("belum selesai", ADR 0014): the router on real Redis. */
const url = testRedisUrl();
const prefix = uniquePrefix('router-reopen');
const mem = memoryLogger('router-reopen');
let router: RouterService;
const conn = createRedis(url, 'worker');
const queues = new Map<string, Queue>();
const q = (name: string) => queues.get(name) ?? queues.set(name, new Queue(name, { connection: conn, prefix })).get(name)!;
const status = new StatusStore(conn, prefix);
const producer = new DurableProducer({ connection: conn, prefix, logger: mem.logger });
const POLICY = { days: 14, max: 2 };
const REASON = 'Jukirnya masih ada tiap sore, Pak Slamet tetap ditarik 5 ribu';

const { routedToDishub, report, finished } = reportKit({ q, status, tag: 'REO', prefix });
const month = () => new Date(Date.now() + WIB_OFFSET_MS).toISOString().slice(0, 7);

async function resolvedByDishub(n: number): Promise<{ c: Complaint; rec: StatusRecord }> {
  const c = await routedToDishub(n);
  await report(c, 'dishub', 'resolved', `res-${c.id}`, { message: 'Sudah ditertibkan' });
  await finished(`res-${c.id}`);
  const rec = (await status.get(c.id))!;
  expect(rec.state).toBe('resolved');
  return { c, rec };
}
const notices = async (id: string) => (await q(QueueNames.notify('whatsapp')).getJobs(['waiting', 'prioritized', 'active', 'completed', 'failed', 'delayed'])).filter((j) => j.data.complaintId === id);
const reopenDone = (id: string) => waitFor(async () => ((await status.get(id))?.state === 'routed' ? true : null), { what: 'reopened' });

beforeAll(async () => {
  router = await startRouterService({ redisUrl: url, prefix, logger: mem.logger });
});
afterAll(async () => {
  await router.close();
  await producer.close();
  for (const queue of queues.values()) await queue.close();
  conn.disconnect();
  await deletePrefix(url, prefix);
});

describe('a citizen reopens a resolved complaint', () => {
  it('routes it again to the same OPD as a new revision with the reason, with a fresh deadline, counted, and tells the citizen', async () => {
    const { c, rec } = await resolvedByDishub(1);
    const before = (await status.reopenCounts(month())).get('dishub') ?? 0;
    // The resolved notice tells how to say it is not solved.
    const resolvedNotice = (await notices(c.id)).find((j) => j.data.kind === 'status');
    expect(resolvedNotice?.data.text).toContain(`Bila masalahnya belum selesai, balas dengan: BELUM *${c.ticket}* lalu keadaannya.`);

    expect(await requestReopen(producer, rec, { reason: REASON, via: 'whatsapp' }, POLICY)).toEqual({ refused: null });
    await reopenDone(c.id);
    const rev = (await q(QueueNames.routed).getJob(`${c.id}.r1`))?.data as RoutedComplaint;
    expect(rev.routing).toMatchObject({ opd: 'dishub', triage: false, revision: 1, decidedBy: 'rules', reopened: { reason: REASON, count: 1 } });
    expect(Date.now() - Date.parse(rev.routing.routedAt)).toBeLessThan(30_000);
    expect(((await q('opd.dishub').getJob(`${c.id}.r1`))?.data as RoutedComplaint).routing.reopened?.reason).toBe(REASON);

    const after = (await status.get(c.id))!;
    expect([after.state, after.opd, after.reopens]).toEqual(['routed', 'dishub', 1]);
    expect((await status.history(c.id)).at(-1)).toMatchObject({ state: 'routed', opd: 'dishub', message: REASON });
    // Waiting for dishub's answer again, its clock started afresh.
    const awaiting = await status.awaitingOf('dishub', Date.now(), 100);
    expect(awaiting.items.find((i) => i.id === c.id)?.routedMs).toBe(Date.parse(rev.routing.routedAt));
    expect((await status.reopenCounts(month())).get('dishub')).toBe(before + 1);
    const told = (await notices(c.id)).find((j) => j.id === `routed.${c.id}.r1`);
    expect(told?.data.text).toBe(`Aduan *${c.ticket}* kami teruskan kembali ke Dinas Perhubungan beserta keterangan Anda, agar ditindaklanjuti lagi. Kami akan mengabari Anda bila ada perkembangan. Terima kasih.`);
    expect(mem.text()).not.toContain('Jukirnya masih');

    // dishub answers it again as any routed complaint.
    await report(c, 'dishub', 'resolved', `res2-${c.id}`);
    expect((await finished(`res2-${c.id}`)).failedReason).toBeUndefined();
    expect((await status.get(c.id))?.state).toBe('resolved');
  });

  it('reopens once for a form sent twice, and a request that comes after the reopen changes nothing', async () => {
    const { c, rec } = await resolvedByDishub(2);
    await Promise.all([requestReopen(producer, rec, { reason: REASON, via: 'web' }, POLICY), requestReopen(producer, rec, { reason: `${REASON}!`, via: 'web' }, POLICY)]);
    await reopenDone(c.id);
    // The same resolution's request, as another job (its first one cleaned up): the complaint moved on.
    await producer.add(QueueNames.reopen, `late-${c.id}`, { schemaVersion: 1, complaintId: c.id, resolvedAt: rec.updatedAt, reason: REASON, at: new Date().toISOString(), via: 'web' });
    await waitFor(async () => ((await q(QueueNames.reopen).getJob(`late-${c.id}`))?.finishedOn ? true : null), { what: 'late request done' });
    expect(await q(QueueNames.routed).getJob(`${c.id}.r2`)).toBeUndefined();
    expect((await status.get(c.id))?.reopens).toBe(1);
    expect((await status.history(c.id)).filter((h) => h.state === 'routed')).toHaveLength(2);
    expect((await notices(c.id)).filter((j) => j.data.kind === 'routed').map((j) => j.id).sort()).toEqual([`routed.${c.id}.r0`, `routed.${c.id}.r1`]);
  });

  it('finishes a reopen whose revision was published but not recorded (a router that died), without a second revision', async () => {
    const { c, rec } = await resolvedByDishub(3);
    const first = (await q(QueueNames.routed).getJob(c.id))!.data as RoutedComplaint;
    const at = new Date().toISOString();
    const half: RoutedComplaint = { ...first, routing: { ...first.routing, revision: 1, reopened: { reason: REASON, at, count: 1 }, routedAt: at } };
    await producer.add(QueueNames.routed, `${c.id}.r1`, half);
    await producer.add(QueueNames.opd('dishub'), `${c.id}.r1`, half);
    expect((await status.get(c.id))?.state).toBe('resolved');
    await producer.add(QueueNames.reopen, `retry-${c.id}`, { schemaVersion: 1, complaintId: c.id, resolvedAt: rec.updatedAt, reason: REASON, at, via: 'whatsapp' });
    await reopenDone(c.id);
    expect(await q(QueueNames.routed).getJob(`${c.id}.r2`)).toBeUndefined();
    expect((await status.get(c.id))?.reopens).toBe(1);
    // dishub had not taken the first decision yet: it gets the complaint once, as reopened.
    expect(await q('opd.dishub').getJob(c.id)).toBeUndefined();
  });

  it("masks a confidential citizen's name in the reason on the OPD's queue, not on `routed`", async () => {
    const { c } = await resolvedByDishub(4);
    // Made confidential on the decisions as published (the test's complaint is not).
    for (const job of [await q(QueueNames.routed).getJob(c.id)]) await job!.updateData({ ...job!.data, reporter: { ...job!.data.reporter, confidential: true } });
    await requestReopen(producer, (await status.get(c.id))!, { reason: REASON, via: 'whatsapp' }, POLICY);
    await reopenDone(c.id);
    expect(((await q('opd.dishub').getJob(`${c.id}.r1`))?.data as RoutedComplaint).routing.reopened?.reason).not.toContain('Slamet');
    expect(((await q(QueueNames.routed).getJob(`${c.id}.r1`))?.data as RoutedComplaint).routing.reopened?.reason).toBe(REASON);
  });

  it('refuses, with its code, a complaint not resolved, one past the window and one over the limit', async () => {
    const c = await routedToDishub(5);
    const rec = (await status.get(c.id))!;
    expect(await requestReopen(producer, rec, { reason: REASON, via: 'api' }, POLICY)).toEqual({ refused: 'not_resolved' });
    const resolved: StatusRecord = { ...rec, state: 'resolved', updatedAt: new Date(Date.now() - 15 * 86_400_000).toISOString() };
    expect(await requestReopen(producer, resolved, { reason: REASON, via: 'api' }, POLICY)).toEqual({ refused: 'reopen_window_closed' });
    expect(await requestReopen(producer, { ...resolved, updatedAt: new Date().toISOString(), reopens: 2 }, { reason: REASON, via: 'api' }, POLICY)).toEqual({ refused: 'reopen_limit_reached' });
    expect(await q(QueueNames.reopen).getJobCounts()).toMatchObject({ waiting: 0, active: 0 });
  });
});
