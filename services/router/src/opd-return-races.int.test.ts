import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, DurableProducer, publishRouted, QueueNames, StatusStore } from '@aduan/queue';
import { type Complaint, type RoutedComplaint, type Routing } from '@aduan/schema';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { startRouterService, type RouterService } from './router-service.ts';
import { reportKit } from './testing/reports.ts';

/** An OPD's return racing other writers, and retried after a crash: the router on real Redis. */
const url = testRedisUrl();
const prefix = uniquePrefix('router-return-race');
const mem = memoryLogger('router-return-race');
let router: RouterService;
const conn = createRedis(url, 'worker');
const queues = new Map<string, Queue>();
const q = (name: string) => queues.get(name) ?? queues.set(name, new Queue(name, { connection: conn, prefix })).get(name)!;
const status = new StatusStore(conn, prefix);
const producer = new DurableProducer({ connection: conn, prefix, logger: mem.logger });
const REASON = 'Bukan kewenangan kami, mungkin DLH';

const { routedToDishub, report, finished } = reportKit({ q, status, tag: 'RACE', prefix });
const latest = async (c: Complaint) => (await q(QueueNames.routed).getJob(`${c.id}.r1`))?.data as RoutedComplaint;
const returnedRouting = (first: RoutedComplaint, at: string): Routing => ({ ...first.routing, triage: true, decidedBy: 'opd', revision: 1, confidence: 0, reasons: ['returned by dishub'], note: REASON, routedAt: at });

beforeAll(async () => {
  router = await startRouterService({ redisUrl: url, prefix, logger: mem.logger });
});
afterAll(async () => {
  await router.close();
  for (const queue of queues.values()) await queue.close();
  await producer.close();
  conn.disconnect();
  await deletePrefix(url, prefix);
});

describe("an OPD's return, retried or racing", () => {
  it("a retry after the record was written still takes the returned decision off the OPD's queue", async () => {
    const c = await routedToDishub(1);
    const first = (await q(QueueNames.routed).getJob(c.id))!.data as RoutedComplaint;
    const at = new Date().toISOString();
    // The router died after publishRouted (queues and record) and before withdrawUntaken.
    const { routing: _r, ...complaint } = first;
    await publishRouted({ producer, status }, complaint as RoutedComplaint, returnedRouting(first, at), 0);
    expect(await q('opd.dishub').getJob(c.id)).toBeDefined();
    await report(c, 'dishub', 'returned', `ret-${c.id}`, { message: REASON, at });
    expect((await finished(`ret-${c.id}`)).failedReason).toBeUndefined();
    expect(await q('opd.dishub').getJob(c.id)).toBeUndefined();
  });

  it('a return run again after the admin assigned the complaint back to that OPD does not return it a second time', async () => {
    const c = await routedToDishub(2);
    const at = new Date().toISOString();
    await report(c, 'dishub', 'returned', `ret-${c.id}`, { message: REASON, at });
    await finished(`ret-${c.id}`);
    const r1 = await latest(c);
    expect(r1.routing.decidedBy).toBe('opd');
    // The admin assigns it back to dishub (r2), as the triage page does.
    const { routing: _r, ...complaint } = r1;
    await publishRouted({ producer, status }, complaint as RoutedComplaint, { ...r1.routing, decidedBy: 'admin', triage: false, confidence: 1, reasons: ['assigned by admin a'], revision: 2, routedAt: new Date().toISOString() }, 0);
    expect((await status.get(c.id))?.opd).toBe('dishub');
    // The first return's job runs again (its router died before marking it done).
    await report(c, 'dishub', 'returned', `ret-${c.id}`, { message: REASON, at }, `again-${c.id}`);
    expect((await finished(`again-${c.id}`)).failedReason).toBeUndefined();
    expect(await q(QueueNames.routed).getJob(`${c.id}.r3`)).toBeUndefined();
    expect((await status.get(c.id))?.state).toBe('routed');
    expect((await status.get(c.id))?.opd).toBe('dishub');
  });

  it('a progress report on a complaint whose return is published but not recorded yet is refused, and the citizen is not told', async () => {
    const c = await routedToDishub(3);
    const first = (await q(QueueNames.routed).getJob(c.id))!.data as RoutedComplaint;
    const half: RoutedComplaint = { ...first, routing: returnedRouting(first, new Date().toISOString()) };
    await producer.add(QueueNames.routed, `${c.id}.r1`, half);
    await producer.add(QueueNames.triage, `${c.id}.r1`, half);
    await report(c, 'dishub', 'in_progress', `prog-${c.id}`);
    await finished(`prog-${c.id}`);
    expect((await status.get(c.id))?.state).not.toBe('in_progress');
    const notices = await q('notify.whatsapp').getJobs(['waiting', 'prioritized', 'active', 'completed', 'failed', 'delayed']);
    expect(notices.filter((j) => j.data.complaintId === c.id).map((j) => j.id)).toEqual([`routed.${c.id}.r0`]);
  });

  it('a progress report waits while a decision on the complaint is being made (the lock of a return or an assignment)', async () => {
    const c = await routedToDishub(4);
    const token = await status.lockDecision(c.id, 30_000);
    await report(c, 'dishub', 'in_progress', `prog-${c.id}`);
    await waitFor(async () => ((await q(QueueNames.status).getJob(`prog-${c.id}`))?.attemptsStarted ? true : null), { what: 'report tried' });
    await new Promise((r) => setTimeout(r, 300));
    expect((await status.get(c.id))?.state).toBe('routed');
    await status.unlockDecision(c.id, token!);
    await waitFor(async () => ((await status.get(c.id))?.state === 'in_progress' ? true : null), { timeoutMs: 15_000, what: 'applied after the lock' });
  });
});

describe('a return after the OPD reported the complaint resolved', () => {
  it('takes it back to triage (the OPD corrects itself) and tells the citizen nothing more', async () => {
    const c = await routedToDishub(5);
    const t = Date.now();
    await report(c, 'dishub', 'resolved', `res-${c.id}`, { at: new Date(t - 1000).toISOString() });
    await waitFor(async () => ((await status.get(c.id))?.state === 'resolved' ? true : null), { what: 'resolved' });
    await report(c, 'dishub', 'returned', `ret-${c.id}`, { message: REASON, at: new Date(t).toISOString() });
    await waitFor(async () => ((await status.get(c.id))?.state === 'triage' ? true : null), { what: 'returned' });
    expect((await status.history(c.id)).map((h) => h.state)).toEqual(['received', 'routed', 'resolved', 'triage']);
    const notices = await q('notify.whatsapp').getJobs(['waiting', 'prioritized', 'active', 'completed', 'failed', 'delayed']);
    expect(notices.filter((j) => j.data.complaintId === c.id).map((j) => j.id).sort()).toEqual([`routed.${c.id}.r0`, `status.res-${c.id}`]);
  });
});
