import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, DurableProducer, QueueNames, StatusStore } from '@aduan/queue';
import type { RoutedComplaint } from '@aduan/schema';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { startRouterService, type RouterService } from './router-service.ts';
import { chatComplaint, reportKit } from './testing/reports.ts';

/** An OPD returns a complaint that is not theirs ("bukan kewenangan kami"): the router on real Redis. */
const url = testRedisUrl();
const prefix = uniquePrefix('router-return');
const mem = memoryLogger('router-return');
let router: RouterService;
const conn = createRedis(url, 'worker');
const queues = new Map<string, Queue>();
const q = (name: string) => queues.get(name) ?? queues.set(name, new Queue(name, { connection: conn, prefix })).get(name)!;
const status = new StatusStore(conn, prefix);
const REASON = 'Bukan kewenangan kami, mungkin DLH';

const { routedToDishub, report, finished } = reportKit({ q, status, tag: 'RET', prefix });

beforeAll(async () => {
  router = await startRouterService({ redisUrl: url, prefix, logger: mem.logger });
});
afterAll(async () => {
  await router.close();
  for (const queue of queues.values()) await queue.close();
  conn.disconnect();
  await deletePrefix(url, prefix);
});

describe('an OPD returns a complaint', () => {
  it('publishes a triage revision, clears the OPD from the record, tells the citizen nothing, and refuses that OPD from then on', async () => {
    const c = await routedToDishub(1);
    const at = new Date().toISOString();
    await report(c, 'dishub', 'returned', `ret-${c.id}`, { message: REASON, at });
    const rev = await waitFor(async () => (await q(QueueNames.routed).getJob(`${c.id}.r1`)) ?? null, { what: 'routed r1' });
    const routing = (rev.data as RoutedComplaint).routing;
    expect(routing).toMatchObject({ triage: true, decidedBy: 'opd', revision: 1, opd: 'dishub', opdName: 'Dinas Perhubungan', confidence: 0, reasons: ['returned by dishub'], note: REASON, routedAt: at });
    expect((rev.data as RoutedComplaint).text).toBe(c.text);
    expect((await q(QueueNames.triage).getJob(`${c.id}.r1`))?.data.routing.decidedBy).toBe('opd');
    await finished(`ret-${c.id}`);
    const rec = await status.get(c.id);
    expect(rec?.state).toBe('triage');
    expect(rec?.opd).toBeUndefined();
    expect(rec?.opdName).toBeUndefined();
    // The citizen reads "triage", without the OPD or its message; no chat notice but the first one.
    const view = await status.view(c.id);
    expect(view?.opd).toBeUndefined();
    expect(view?.history.map((h) => h.state)).toEqual(['received', 'routed', 'triage']);
    expect(JSON.stringify(view)).not.toContain('kewenangan');
    const notices = await q('notify.whatsapp').getJobs(['waiting', 'prioritized', 'active', 'completed', 'failed', 'delayed']);
    expect(notices.filter((j) => j.data.complaintId === c.id).map((j) => j.id)).toEqual([`routed.${c.id}.r0`]);
    // Nobody had taken it off opd.dishub: withdrawn, as a re-assignment does.
    expect(await q('opd.dishub').getJob(c.id)).toBeUndefined();

    // dishub's later report is refused, as for any complaint re-assigned away; a second return publishes nothing.
    await report(c, 'dishub', 'in_progress', `late-${c.id}`);
    const late = await waitFor(async () => (await q(QueueNames.status).getJob(`late-${c.id}`))?.failedReason, { what: 'late report refused' });
    expect(late).toContain('not routed to dishub');
    await report(c, 'dishub', 'returned', `ret2-${c.id}`, { message: 'Sekali lagi: bukan kami' });
    expect((await finished(`ret2-${c.id}`)).failedReason).toBeUndefined();
    expect(await q(QueueNames.routed).getJob(`${c.id}.r2`)).toBeUndefined();
    expect((await status.get(c.id))?.state).toBe('triage');
    expect(mem.text()).not.toContain(REASON);
    expect(mem.text()).not.toContain('Pak Slamet');
  });

  it('finishes a return whose revision was published but not recorded (a router that died), without a second revision', async () => {
    const c = await routedToDishub(2);
    const first = (await q(QueueNames.routed).getJob(c.id))!.data as RoutedComplaint;
    // What publishRouted had written before the router died: the queues, not the record.
    const at = new Date().toISOString();
    const half: RoutedComplaint = { ...first, routing: { ...first.routing, triage: true, decidedBy: 'opd', revision: 1, confidence: 0, reasons: ['returned by dishub'], note: REASON, routedAt: at } };
    const producer = new DurableProducer({ connection: conn, prefix, logger: mem.logger });
    await producer.add(QueueNames.routed, `${c.id}.r1`, half);
    await producer.add(QueueNames.triage, `${c.id}.r1`, half);
    expect((await status.get(c.id))?.opd).toBe('dishub');
    // BullMQ runs the job again.
    await report(c, 'dishub', 'returned', `retry-${c.id}`, { message: REASON, at });
    expect((await finished(`retry-${c.id}`)).failedReason).toBeUndefined();
    const rec = await status.get(c.id);
    expect([rec?.state, rec?.opd]).toEqual(['triage', undefined]);
    expect(await q(QueueNames.routed).getJob(`${c.id}.r2`)).toBeUndefined();
    expect((await status.history(c.id)).map((h) => h.state)).toEqual(['received', 'routed', 'triage']);
    // And once more, after it was finished: nothing changes, the job does not fail.
    await report(c, 'dishub', 'returned', `retry2-${c.id}`, { message: REASON, at });
    expect((await finished(`retry2-${c.id}`)).failedReason).toBeUndefined();
    expect(await q(QueueNames.routed).getJob(`${c.id}.r2`)).toBeUndefined();
    expect((await status.history(c.id)).map((h) => h.state)).toEqual(['received', 'routed', 'triage']);
  });

  it('returns a complaint routed long ago, whose decision `routed` no longer keeps, with its words: from its routed copy', async () => {
    const c = await routedToDishub(10);
    // `routed` keeps a consumed decision 30 days: gone, as for a complaint routed two months ago.
    await (await q(QueueNames.routed).getJob(c.id))!.remove();
    await report(c, 'dishub', 'returned', `old-${c.id}`, { message: REASON });
    expect((await finished(`old-${c.id}`)).failedReason).toBeUndefined();
    const back = (await q(QueueNames.triage).getJob(`${c.id}.r1`))?.data as RoutedComplaint | undefined;
    expect(back).toMatchObject({ text: c.text, reporter: c.reporter, routing: { triage: true, decidedBy: 'opd', opd: 'dishub', revision: 1, note: REASON } });
    expect([(await status.get(c.id))?.state, (await status.routedCopy(c.id))?.routing.revision]).toEqual(['triage', 1]);
    expect(await q('opd.dishub').getJob(c.id)).toBeUndefined();
  });

  it("refuses another OPD's return, ignores one older than the OPD's last report, and waits while an admin is deciding", async () => {
    const c = await routedToDishub(3);
    await report(c, 'dlh', 'returned', `wrong-${c.id}`, { message: REASON });
    const wrong = await waitFor(async () => (await q(QueueNames.status).getJob(`wrong-${c.id}`))?.failedReason, { what: 'wrong OPD refused' });
    expect(wrong).toContain('not routed to dlh');

    const now = Date.now();
    await report(c, 'dishub', 'in_progress', `prog-${c.id}`, { at: new Date(now).toISOString() });
    await waitFor(async () => ((await status.get(c.id))?.state === 'in_progress' ? true : null), { what: 'in_progress' });
    await report(c, 'dishub', 'returned', `stale-${c.id}`, { message: REASON, at: new Date(now - 60_000).toISOString() });
    expect((await finished(`stale-${c.id}`)).failedReason).toBeUndefined();
    expect(await q(QueueNames.routed).getJob(`${c.id}.r1`)).toBeUndefined();
    expect((await status.get(c.id))?.opd).toBe('dishub');

    // An admin holds the complaint's decision lock: the return waits for it, then goes through.
    const token = await status.lockDecision(c.id, 30_000);
    expect(token).not.toBeNull();
    await report(c, 'dishub', 'returned', `busy-${c.id}`, { message: REASON });
    await waitFor(async () => ((await q(QueueNames.status).getJob(`busy-${c.id}`))?.attemptsStarted ? true : null), { what: 'return tried' });
    await new Promise((r) => setTimeout(r, 300));
    expect(await q(QueueNames.routed).getJob(`${c.id}.r1`)).toBeUndefined();
    await status.unlockDecision(c.id, token!);
    await waitFor(async () => (await q(QueueNames.routed).getJob(`${c.id}.r1`)) ?? null, { timeoutMs: 15_000, what: 'returned after the lock' });
    expect((await status.get(c.id))?.state).toBe('triage');
  });
  it("takes the complaint's additions with the OPD back to triage with it, off its queue and its deadline; one it resolved stays", async () => {
    const c = await routedToDishub(4);
    const additionTo = (n: number) => chatComplaint('RET', prefix, n, `(foto tambahan untuk aduan ${c.ticket}, dikirim setelah aduan itu tercatat)`);
    const [open, done] = [additionTo(5), additionTo(6)];
    for (const a of [open, done]) {
      await q(QueueNames.intake).add('intake', a, { jobId: a.id });
      await waitFor(async () => ((await status.get(a.id))?.opd === 'dishub' ? true : null), { what: 'the addition with dishub' });
    }
    expect(await status.additions(c.id)).toEqual([open.id, done.id].sort());
    await report(done, 'dishub', 'resolved', `done-${done.id}`);
    await waitFor(async () => ((await status.get(done.id))?.state === 'resolved' ? true : null), { what: 'the second addition resolved' });
    const awaiting = async () => (await conn.zrange(`${prefix}:opd:dishub:awaiting`, '0', '-1')).filter((id) => [c.id, open.id, done.id].includes(id));
    expect(await awaiting()).toEqual(expect.arrayContaining([c.id, open.id]));

    await report(c, 'dishub', 'returned', `ret-${c.id}`, { message: REASON });
    await finished(`ret-${c.id}`);
    const moved = (await q(QueueNames.triage).getJob(`${open.id}.r1`))?.data as RoutedComplaint | undefined;
    expect(moved?.routing).toMatchObject({ triage: true, decidedBy: 'opd', opd: 'dishub', revision: 1, reasons: ['returned by dishub', `tambahan untuk aduan ${c.ticket}`] });
    expect(moved?.routing.note).toContain(c.ticket);
    expect([(await status.get(open.id))?.state, (await status.get(open.id))?.opd]).toEqual(['triage', undefined]);
    // dishub had not taken it from its queue: gone from there, and from what it is late on.
    expect(await q('opd.dishub').getJob(open.id)).toBeUndefined();
    expect(await awaiting()).toEqual([]);
    // The one dishub resolved stays as it is.
    expect(await q(QueueNames.routed).getJob(`${done.id}.r1`)).toBeUndefined();
    expect((await status.get(done.id))?.state).toBe('resolved');
    expect(mem.lines.filter((l) => l.msg === 'addition returned to triage with its complaint').map((l) => l.complaintId)).toEqual([open.id]);
  });

  it("gives the complaint's open additions with the OPD its report, telling the citizen once; one the OPD closed stays", async () => {
    const c = await routedToDishub(7);
    const additionTo = (n: number) => chatComplaint('RET', prefix, n, `(foto tambahan untuk aduan ${c.ticket}, dikirim setelah aduan itu tercatat)`);
    const [open, done] = [additionTo(8), additionTo(9)];
    for (const a of [open, done]) {
      await q(QueueNames.intake).add('intake', a, { jobId: a.id });
      await waitFor(async () => ((await status.get(a.id))?.opd === 'dishub' ? true : null), { what: 'the addition with dishub' });
    }
    await report(done, 'dishub', 'resolved', `done-${done.id}`);
    await waitFor(async () => ((await status.get(done.id))?.state === 'resolved' ? true : null), { what: 'the second addition resolved' });

    await report(c, 'dishub', 'in_progress', `prog-${c.id}`, { message: 'Petugas menuju lokasi' });
    await finished(`prog-${c.id}`);
    expect((await status.view(open.id))?.history.at(-1)).toMatchObject({ state: 'in_progress', message: 'Petugas menuju lokasi' });
    expect((await status.get(done.id))?.state).toBe('resolved');
    // Out of what dishub is late on; in its in-progress list.
    expect(await conn.zscore(`${prefix}:opd:dishub:awaiting`, open.id)).toBeNull();
    expect(await conn.zscore(`${prefix}:opd:dishub:progress`, open.id)).not.toBeNull();
    await report(c, 'dishub', 'resolved', `res-${c.id}`, { message: 'Sudah ditertibkan' });
    await finished(`res-${c.id}`);
    expect((await status.get(open.id))?.state).toBe('resolved');
    // The citizen heard of the complaint, twice, and of the addition nothing more.
    const notices = await q('notify.whatsapp').getJobs(['waiting', 'prioritized', 'active', 'completed', 'failed', 'delayed']);
    expect(notices.filter((j) => j.data.kind === 'status' && [c.id, open.id].includes(j.data.complaintId)).map((j) => j.data.complaintId)).toEqual([c.id, c.id]);
    expect(mem.lines.filter((l) => l.msg === "addition follows its complaint's report").map((l) => [l.complaintId, l.state])).toEqual([[open.id, 'in_progress'], [open.id, 'resolved']]);
  });

  it('refuses a return of an external complaint (no OPD has it; only the admin re-assigns it), publishing nothing', async () => {
    const c = chatComplaint('RET', prefix, 90, 'Listrik PLN padam terus tiap malam di rumah saya, token juga error');
    await q(QueueNames.intake).add('intake', c, { jobId: c.id });
    await waitFor(async () => ((await status.get(c.id))?.state === 'external' ? true : null), { what: "status 'external'" });
    await report(c, 'external', 'returned', `ret-ext-${c.id}`, { message: REASON });
    const job = await finished(`ret-ext-${c.id}`);
    expect(job.failedReason).toMatch(/external complaint cannot be returned/);
    expect(await q(QueueNames.routed).getJob(`${c.id}.r1`)).toBeUndefined();
    expect(await q(QueueNames.triage).getJob(`${c.id}.r1`)).toBeUndefined();
    expect((await status.get(c.id))?.state).toBe('external');
  });
});
