import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRedis, DurableProducer, forOpd, publishRouted, QueueNames, STATUS_NOTICES_PER_DAY, StatusStore, senderFields } from '@aduan/queue';
import { deterministicComplaintId, ticketFor, type Complaint, type RoutedComplaint, type Routing } from '@aduan/schema';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { metricsRegistry } from '@aduan/telemetry';
import { createRouter, DEFAULT_TRIAGE_THRESHOLD, loadDirectory } from '@aduan/routing';
import { startRouterService, type RouterService } from './router-service.ts';
import { tellHeldNotices } from './status-updates.ts';

const url = testRedisUrl();
const prefix = uniquePrefix('router');
const mem = memoryLogger('router');
let router: RouterService;
const conn = createRedis(url, 'worker');
const q = (name: string) => new Queue(name, { connection: conn, prefix });
const status = new StatusStore(conn, prefix);

function chatComplaint(text: string, n: number, confidential = false): Complaint {
  const at = new Date();
  const id = deterministicComplaintId(at, 'whatsapp', '6281100000000', `MSG${n}-${prefix}`);
  return {
    schemaVersion: 1, id, ticket: ticketFor(id), channel: 'whatsapp',
    source: { account: '6281100000000', senderId: '6285712345678@s.whatsapp.net', threadId: '6285712345678@s.whatsapp.net', messageIds: [`MSG${n}`] },
    receivedAt: at.toISOString(), submittedAt: at.toISOString(),
    reporter: { name: 'Pak Slamet', phone: '+6285712345678', anonymous: false, confidential },
    text, attachments: [], language: 'id', intake: { transport: 'baileys' },
  };
}

beforeAll(async () => {
  router = await startRouterService({ redisUrl: url, prefix, logger: mem.logger });
});
afterAll(async () => {
  await router.close();
  conn.disconnect();
  await deletePrefix(url, prefix);
});

describe('router service, at start', () => {
  it("logs the routing directory's warnings, so an edited keyword that misfires is seen", async () => {
    const directory = loadDirectory();
    const edited = { ...directory, kecamatanKeywords: { ...directory.kecamatanKeywords, strong: [...(directory.kecamatanKeywords?.strong ?? []), 'pak rt'] } };
    const log = memoryLogger('router-warnings');
    const p = uniquePrefix('router-warn');
    const started = await startRouterService({ redisUrl: url, prefix: p, logger: log.logger, router: createRouter(edited, { triageThreshold: DEFAULT_TRIAGE_THRESHOLD }) });
    try {
      const line = log.lines.find((l) => l.msg === 'routing directory: a keyword to fix (pnpm route shows how a text is read)');
      expect(String(line?.warning)).toContain('"pak rt" matches every "rt" alone');
      expect(line?.level).toBe(40);
    } finally {
      await started.close();
      await deletePrefix(url, p);
    }
  });
});

describe('router service, after the upgrade that keeps routed copies', () => {
  it('gives each complaint open at the upgrade whose decision `routed` keeps a routed copy, once, without holding up its start', async () => {
    const p = uniquePrefix('router-copies');
    const producer = new DurableProducer({ connection: conn, prefix: p, logger: mem.logger });
    const before = new StatusStore(conn, p);
    // Routed by an older router: the decision on `routed` and the record, no copy.
    const c = chatComplaint('Jukir liar di depan Pasar Legi minta uang parkir lebih', 90);
    await before.recordReceived({ id: c.id, ticket: c.ticket, channel: c.channel, receivedAt: c.receivedAt });
    const routing: Routing = { opd: 'dishub', opdName: 'Dinas Perhubungan', confidence: 0.9, reasons: [], alternatives: [], decidedBy: 'rules', triage: false, revision: 0, routedAt: new Date().toISOString(), routerVersion: 'old' };
    await producer.add(QueueNames.routed, c.id, { ...c, routing, supporters: 0 });
    await before.transition(c.id, { state: 'routed', at: routing.routedAt, opd: 'dishub', opdName: 'Dinas Perhubungan', dedupeKey: 'decision:r0' });
    expect(await before.routedCopy(c.id)).toBeNull();
    const log = memoryLogger('router-copies');
    const started = await startRouterService({ redisUrl: url, prefix: p, logger: log.logger });
    try {
      expect((await waitFor(() => before.routedCopy(c.id), { what: 'the routed copy' })).text).toBe(c.text);
      await waitFor(() => log.lines.find((l) => l.msg === 'routed copies written for the complaints open at the upgrade (once)' && l.added === 1), { what: 'the log line' });
    } finally {
      await started.close();
      await producer.close();
      await deletePrefix(url, p);
    }
  });
});

describe('router service', () => {
  it('routes a chat complaint, tells the citizen on notify.whatsapp, and a retry publishes nothing twice', async () => {
    const c = chatComplaint('Sampah di TPS pinggir jalan sudah seminggu tidak diangkut, bau busuk sekali', 1, true);
    await q(QueueNames.intake).add('intake', c, { jobId: c.id });
    const opdJob = await waitFor(async () => (await q('opd.dlh').getJob(c.id)) ?? null, { what: 'opd.dlh job' });
    expect(opdJob.data.reporter).toBeUndefined();
    // Nor the chat ids, which on WhatsApp are the citizen's number; the firehose keeps them for the reply.
    expect(opdJob.data.source).toEqual({ account: c.source.account, messageIds: c.source.messageIds });
    expect(JSON.stringify(opdJob.data)).not.toContain('85712345678');
    expect((await q(QueueNames.routed).getJob(c.id))?.data.source.senderId).toBe(c.source.senderId);
    const note = await waitFor(async () => (await q('notify.whatsapp').getJob(`routed.${c.id}.r0`)) ?? null, { what: 'notify job' });
    expect(note.data).toMatchObject({ kind: 'routed', to: c.source.threadId, account: c.source.account, ticket: c.ticket });
    expect(note.data.text).toContain('Dinas Lingkungan Hidup');
    // Bold, as the acknowledgement and "cek" answers show the ticket on WhatsApp.
    expect(note.data.text).toContain(`Aduan *${c.ticket}* sudah kami teruskan`);

    // The same complaint again (a redelivery after a crash): no second publication or history entry.
    await q(QueueNames.intake).add('intake', c, { jobId: `${c.id}-again` });
    await waitFor(async () => (await q(QueueNames.intake).getJob(`${c.id}-again`))?.finishedOn, { what: 'second job done' });
    expect(await q('opd.dlh').count()).toBe(1);
    expect((await status.history(c.id)).map((h) => h.state)).toEqual(['received', 'routed']);
    expect(mem.text()).not.toContain('Pak Slamet');
    expect(mem.text()).not.toContain('Sampah di TPS');
  });

  it('applies status updates only from the OPD the complaint is routed to, and tells the citizen', async () => {
    const c = chatComplaint('Jukir liar di depan Pasar Legi minta uang parkir lebih, tidak pakai karcis', 2);
    await q(QueueNames.intake).add('intake', c, { jobId: c.id });
    await waitFor(async () => (await status.get(c.id))?.opd === 'dishub', { what: 'routed to dishub' });

    const base = { schemaVersion: 1, complaintId: c.id, at: new Date().toISOString() } as const;
    await q(QueueNames.status).add('status', { ...base, opd: 'dlh', state: 'resolved', updateId: `u-wrong-${c.id}` }, { jobId: `u-wrong-${c.id}` });
    await q(QueueNames.status).add('status', { ...base, opd: 'dishub', state: 'resolved', message: 'Jukir sudah ditertibkan', updateId: `u-ok-${c.id}` }, { jobId: `u-ok-${c.id}` });
    await waitFor(async () => (await status.get(c.id))?.state === 'resolved', { what: 'resolved' });
    const wrong = await waitFor(async () => (await q(QueueNames.status).getJob(`u-wrong-${c.id}`))?.failedReason, { what: 'wrong OPD rejected' });
    expect(wrong).toContain('not routed to dlh');
    const ok = await q(QueueNames.status).getJob(`u-ok-${c.id}`);
    expect(ok?.failedReason).toBeUndefined();
    const note = await waitFor(async () => (await q('notify.whatsapp').getJob(`status.u-ok-${c.id}`)) ?? null, { what: 'status notice' });
    expect(note.data.text).toContain('telah selesai ditangani');
    expect(note.data.text).toContain('Jukir sudah ditertibkan');
    expect(note.data.text).toContain(`Aduan *${c.ticket}* telah selesai`);
  });

  it('names the ticket plainly on Instagram, which shows the asterisks WhatsApp makes bold', async () => {
    const wa = chatComplaint('Lampu PJU di Jl. Kalimantan mati sudah seminggu, gelap sekali malam hari', 41);
    const id = deterministicComplaintId(new Date(), 'instagram', '17841400000000', `IG41-${prefix}`);
    const c: Complaint = { ...wa, id, ticket: ticketFor(id), channel: 'instagram', source: { account: '17841400000000', senderId: '5566778899', threadId: 'th-ig-41', messageIds: ['ig41'] }, reporter: { handle: 'warga.blitar', anonymous: false, confidential: false }, intake: { transport: 'instagram-private-api' } };
    await q(QueueNames.intake).add('intake', c, { jobId: c.id });
    const note = await waitFor(async () => (await q('notify.instagram').getJob(`routed.${c.id}.r0`)) ?? null, { what: 'instagram notice' });
    expect(note.data.text).toContain(`Aduan ${c.ticket} sudah kami teruskan`);
    expect(note.data.text).not.toContain('*');
  });

  it('never moves a complaint back: a report older than the last one applied is ignored and not told', async () => {
    const c = chatComplaint('Jukir liar di depan Pasar Legi minta uang parkir lebih, tidak pakai karcis', 3);
    await q(QueueNames.intake).add('intake', c, { jobId: c.id });
    await waitFor(async () => (await status.get(c.id))?.opd === 'dishub', { what: 'routed to dishub' });
    const update = (state: 'in_progress' | 'resolved', atMs: number, updateId: string) => ({ schemaVersion: 1, complaintId: c.id, opd: 'dishub', state, at: new Date(atMs).toISOString(), updateId });
    const now = Date.now();
    await q(QueueNames.status).add('status', update('resolved', now, `r-${c.id}`), { jobId: `r-${c.id}` });
    await waitFor(async () => (await status.get(c.id))?.state === 'resolved', { what: 'resolved' });
    // "In progress", written a minute before "resolved", arrives after it.
    await q(QueueNames.status).add('status', update('in_progress', now - 60_000, `p-${c.id}`), { jobId: `p-${c.id}` });
    await waitFor(async () => (await q(QueueNames.status).getJob(`p-${c.id}`))?.finishedOn, { what: 'late report handled' });
    expect((await status.get(c.id))?.state).toBe('resolved');
    expect((await status.history(c.id)).map((h) => h.state)).toEqual(['received', 'routed', 'resolved']);
    expect(await q('notify.whatsapp').getJob(`status.p-${c.id}`)).toBeUndefined();
  });

  it('tells a citizen a few status changes a day at most: an OPD system flipping states is recorded, not sent, and an outcome is told after many progress notes', async () => {
    const c = chatComplaint('Jukir liar di depan Pasar Legi minta uang parkir lebih, tidak pakai karcis', 40);
    await q(QueueNames.intake).add('intake', c, { jobId: c.id });
    await waitFor(async () => (await status.get(c.id))?.opd === 'dishub', { what: 'routed to dishub' });
    const held = async () => (await metricsRegistry.getSingleMetric('aduan_router_status_notices_held_total')?.get())?.values.find((v) => v.labels.opd === 'dishub')?.value ?? 0;
    const heldBefore = await held();
    const now = Date.now();
    const { progress, outcome } = STATUS_NOTICES_PER_DAY;
    // Progress notes beyond the limit, then the outcome: told. Then the system flips the complaint.
    const states = [...Array<'in_progress'>(progress + 2).fill('in_progress'), 'resolved', ...Array.from({ length: 2 * outcome + 2 }, (_, i) => (i % 2 ? 'resolved' : 'in_progress'))] as const;
    for (const [i, state] of states.entries()) {
      const updateId = `flip-${i}-${c.id}`;
      await q(QueueNames.status).add('status', { schemaVersion: 1, complaintId: c.id, opd: 'dishub', state, message: `Catatan ${i}`, at: new Date(now + i).toISOString(), updateId }, { jobId: updateId });
      await waitFor(async () => (await q(QueueNames.status).getJob(updateId))?.finishedOn, { what: `report ${i} handled` });
    }
    // Every report is in the history (the status page shows it); only some were sent.
    expect((await status.history(c.id)).filter((h) => h.state === 'in_progress' || h.state === 'resolved')).toHaveLength(states.length);
    const sent = await Promise.all(states.map((_, i) => q('notify.whatsapp').getJob(`status.flip-${i}-${c.id}`)));
    const told = states.filter((_, i) => !!sent[i]);
    expect(told.filter((s) => s === 'in_progress')).toHaveLength(progress);
    expect(told.filter((s) => s === 'resolved')).toHaveLength(outcome);
    expect(sent[progress + 2]?.data.text).toContain('telah selesai ditangani');
    expect(mem.lines.filter((l) => l.msg === 'status notices to this citizen over the daily limit: recorded, not told' && l.complaintId === c.id)).toHaveLength(states.length - progress - outcome);
    // The operator's alert: the count by OPD.
    expect((await held()) - heldBefore).toBe(states.length - progress - outcome);
    // Another complaint of the same citizen is told as usual.
    const other = chatComplaint('Lampu penerangan jalan di Jalan Kalimantan mati sudah seminggu, gelap sekali', 41);
    await q(QueueNames.intake).add('intake', other, { jobId: other.id });
    const opd = await waitFor(async () => (await status.get(other.id))?.opd ?? null, { what: 'other routed' });
    await q(QueueNames.status).add('status', { schemaVersion: 1, complaintId: other.id, opd, state: 'in_progress', at: new Date().toISOString(), updateId: `o-${other.id}` }, { jobId: `o-${other.id}` });
    await waitFor(async () => (await q('notify.whatsapp').getJob(`status.o-${other.id}`)) ?? null, { what: "the other complaint's notice" });
  });

  it('tells a citizen whose notices were held where the complaint stands once the limit allows, once, and nothing when their last notice says so already', async () => {
    const c = chatComplaint('Saluran air di depan SDN Kepanjenlor 1 tersumbat, air meluap ke jalan', 43);
    await q(QueueNames.intake).add('intake', c, { jobId: c.id });
    const opd = await waitFor(async () => (await status.get(c.id))?.opd ?? null, { what: 'routed' });
    const now = Date.now();
    let i = 0;
    const report = async (state: 'in_progress' | 'resolved') => {
      const updateId = `held-${i}-${c.id}`;
      await q(QueueNames.status).add('status', { schemaVersion: 1, complaintId: c.id, opd, state, message: `Catatan ${i}`, at: new Date(now + i++).toISOString(), updateId }, { jobId: updateId });
      await waitFor(async () => (await q(QueueNames.status).getJob(updateId))?.finishedOn, { what: `report ${updateId} handled` });
      return !!(await q('notify.whatsapp').getJob(`status.${updateId}`));
    };
    // Every progress notice of the day told, then "resolved" told; the OPD re-opens it: held.
    for (let n = 0; n < STATUS_NOTICES_PER_DAY.progress; n++) expect(await report('in_progress')).toBe(true);
    expect(await report('resolved')).toBe(true);
    expect(await report('in_progress')).toBe(false);
    const producer = new DurableProducer({ connection: conn, prefix, logger: mem.logger });
    const deps = { producer, status, routedQueue: q(QueueNames.routed), logger: mem.logger };
    const held = async () => (await q('notify.whatsapp').getJobs(['waiting', 'prioritized', 'delayed', 'completed'])).filter((j) => j.id?.startsWith(`held.${c.id}.`));
    // Not before the day's window is over.
    await tellHeldNotices(deps, Date.now());
    expect(await held()).toEqual([]);
    // Once it is: the citizen, last told "resolved", hears it is in progress again, with the OPD's note; once.
    const later = Date.now() + 86_400_000 + 60_000;
    expect(await tellHeldNotices(deps, later)).toBeGreaterThanOrEqual(1);
    const [notice] = await held();
    expect(notice?.data).toMatchObject({ channel: 'whatsapp', to: c.source.threadId, kind: 'status', ticket: c.ticket });
    expect(notice?.data.text).toContain('sedang ditindaklanjuti');
    expect(notice?.data.text).toContain(`Catatan ${i - 1}`);
    await tellHeldNotices(deps, later);
    expect(await held()).toHaveLength(1);
    // Held again, but the state is what the citizen last heard: nothing more to tell.
    expect(await report('in_progress')).toBe(false);
    await tellHeldNotices(deps, Date.now() + 2 * 86_400_000);
    expect(await held()).toHaveLength(1);
  });

  it("never leaves the citizen's last notice saying less than they must hear: an outcome after a progress notice, and a re-assigned OPD's reports, are told over the limit", async () => {
    const c = chatComplaint('Jukir liar di depan Stasiun Blitar minta uang parkir dua kali lipat', 42);
    await q(QueueNames.intake).add('intake', c, { jobId: c.id });
    await waitFor(async () => (await status.get(c.id))?.opd === 'dishub', { what: 'routed to dishub' });
    const now = Date.now();
    let i = 0;
    const report = async (opd: string, state: 'in_progress' | 'resolved') => {
      const updateId = `cap-${i}-${c.id}`;
      await q(QueueNames.status).add('status', { schemaVersion: 1, complaintId: c.id, opd, state, message: `Catatan ${i}`, at: new Date(now + i++).toISOString(), updateId }, { jobId: updateId });
      await waitFor(async () => (await q(QueueNames.status).getJob(updateId))?.finishedOn, { what: `report ${updateId} handled` });
      return (await q('notify.whatsapp').getJob(`status.${updateId}`))?.data.text as string | undefined;
    };
    // Resolved and re-opened twice: both outcomes told. Re-opened once more, then resolved: the
    // third outcome is over the limit, but the citizen's last notice says "in progress".
    for (let n = 0; n < STATUS_NOTICES_PER_DAY.outcome; n++) {
      expect(await report('dishub', 'in_progress')).toBeDefined();
      expect(await report('dishub', 'resolved')).toBeDefined();
    }
    expect(await report('dishub', 'in_progress')).toBeDefined();
    expect(await report('dishub', 'resolved')).toContain('telah selesai ditangani');
    // Told already: a repeat of the outcome is not.
    expect(await report('dishub', 'resolved')).toBeUndefined();
    // Progress notes up to the limit and beyond: the last ones are not told.
    while (!(await report('dishub', 'in_progress') === undefined));
    // The admin re-assigns it to dlh (revision 1): the citizen hears "diteruskan ke DLH", then
    // DLH's own progress and outcome, not held against dishub's notices.
    const latest = (await q(QueueNames.routed).getJob(c.id))!.data as RoutedComplaint;
    const producer = new DurableProducer({ connection: conn, prefix, logger: mem.logger });
    await publishRouted({ producer, status }, latest, decision('dlh', 'Dinas Lingkungan Hidup', { decidedBy: 'admin', revision: 1, confidence: 1 }));
    expect(await report('dlh', 'in_progress')).toBeDefined();
    expect(await report('dlh', 'resolved')).toContain('telah selesai ditangani');
  });

  it('keeps a heartbeat that readiness checks can read', async () => {
    expect(router.alive()).toBe(true);
    expect(await conn.exists(`${prefix}:router:heartbeat`)).toBe(1);
  });
});

describe('external complaints', () => {
  it('are not dropped: routed to opd.external and the citizen is told who handles it', async () => {
    const c = chatComplaint('Listrik PLN padam terus tiap malam di rumah saya, token juga error', 3);
    await q(QueueNames.intake).add('intake', c, { jobId: c.id });
    const job = await waitFor(async () => (await q('opd.external').getJob(c.id)) ?? null, { what: 'opd.external job' });
    expect(job.data.routing.external.body).toMatch(/PLN/);
    const note = await waitFor(async () => (await q('notify.whatsapp').getJob(`routed.${c.id}.r0`)) ?? null, { what: 'external notice' });
    expect(note.data.text).toContain('di luar kewenangan Pemerintah Kota Blitar');
    expect(note.data.text).toContain(job.data.routing.external.advice);
    // The status record is written last, after the queues and the notice (publishRouted).
    await waitFor(async () => ((await status.get(c.id))?.state === 'external' ? true : null), { what: "status 'external'" });
  });
});

describe('duplicate hints', () => {
  it('indexes every routed complaint, whatever the channel, for the radio desk', async () => {
    const c = chatComplaint('Banyak lubang besar di jalan depan pasar, sudah ada motor jatuh', 4);
    await q(QueueNames.intake).add('intake', c, { jobId: c.id });
    const raw = await waitFor(async () => conn.get(`${prefix}:desk:entry:${c.id}`), { what: 'hint entry' });
    expect(JSON.parse(raw)).toMatchObject({ ticket: c.ticket, channel: 'whatsapp' });
    expect(await conn.zscore(`${prefix}:desk:recent`, c.id)).not.toBeNull();
  });
});

describe('router service, a job started again after a failed attempt', () => {
  it('keeps the decision it published before instead of deciding again', async () => {
    const p = uniquePrefix('router-retry');
    const c = chatComplaint('Jukir liar di depan Pasar Legi minta uang parkir lebih, tidak pakai karcis', 7);
    const intakeQ = new Queue(QueueNames.intake, { connection: conn, prefix: p });
    await intakeQ.add('intake', c, { jobId: c.id, attempts: 3, backoff: { type: 'fixed', delay: 100 } });
    // The first attempt published its decision (here dlh, as an admin-edited directory might have
    // said before a restart), then died before finishing.
    const first = new Worker(QueueNames.intake, null, { connection: createRedis(url, 'worker'), prefix: p });
    const job = await first.getNextJob('first-attempt');
    expect(job?.id).toBe(c.id);
    const earlier = { opd: 'dlh', opdName: 'Dinas Lingkungan Hidup', confidence: 0.9, reasons: ['earlier decision'], alternatives: [], decidedBy: 'rules' as const, triage: false, revision: 0, routedAt: new Date().toISOString(), routerVersion: 'earlier' };
    await new Queue(QueueNames.routed, { connection: conn, prefix: p }).add('routed', { ...c, routing: earlier, supporters: 0 }, { jobId: c.id });
    await job!.moveToFailed(new Error('router died'), 'first-attempt');
    await first.close();
    const again = await startRouterService({ redisUrl: url, prefix: p, logger: mem.logger });
    try {
      const store = new StatusStore(conn, p);
      await waitFor(async () => (await store.get(c.id))?.state === 'routed', { what: 'routed on the retry' });
      // The rules would say dishub: the retry kept dlh, so no OPD holds a complaint the status gives to another.
      expect((await store.get(c.id))?.opd).toBe('dlh');
      expect(await new Queue(QueueNames.opd('dlh'), { connection: conn, prefix: p }).getJob(c.id)).toBeDefined();
      expect(await new Queue(QueueNames.opd('dishub'), { connection: conn, prefix: p }).getJob(c.id)).toBeUndefined();
    } finally {
      await again.close();
      await deletePrefix(url, p);
    }
  });
});

/** What a first attempt that died left behind: the complaint recorded and its decision on the queues, written the way publishRouted writes them. */
async function diedAfterPublishing(p: string, c: Complaint, routing: Routing, opts: { recorded: boolean }) {
  const intakeQ = new Queue(QueueNames.intake, { connection: conn, prefix: p });
  await intakeQ.add('intake', c, { jobId: c.id, attempts: 3, backoff: { type: 'fixed', delay: 1_500 } });
  const first = new Worker(QueueNames.intake, null, { connection: createRedis(url, 'worker'), prefix: p });
  const job = await first.getNextJob('first-attempt');
  expect(job?.id).toBe(c.id);
  const store = new StatusStore(conn, p);
  await store.recordReceived({ id: c.id, ticket: c.ticket, channel: c.channel, receivedAt: c.receivedAt, replyAccount: c.source.account, replyTo: c.source.threadId! });
  const producer = new DurableProducer({ connection: conn, prefix: p, logger: mem.logger });
  if (opts.recorded) await publishRouted({ producer, status: store }, c, routing);
  else {
    const routed = { ...c, routing, supporters: 0 } as RoutedComplaint;
    await producer.add(QueueNames.routed, c.id, routed);
    await producer.add(routing.triage ? QueueNames.triage : QueueNames.opd(routing.opd), c.id, forOpd(routed));
  }
  await job!.moveToFailed(new Error('router died'), 'first-attempt');
  await first.close();
  return { store, producer, intakeQ };
}

const decision = (opd: string, opdName: string, extra: Partial<Routing> = {}): Routing => ({ opd, opdName, confidence: 0.9, reasons: ['test'], alternatives: [], decidedBy: 'rules', triage: false, revision: 0, routedAt: new Date().toISOString(), routerVersion: 'test', ...extra });

describe('router service, a router that died between publishing a decision and recording it', () => {
  it("applies the OPD's report made meanwhile once the retry records the decision, instead of refusing it for good", async () => {
    const p = uniquePrefix('router-gap');
    const c = chatComplaint('Jukir liar di depan Pasar Legi minta uang parkir lebih, tidak pakai karcis', 8);
    const { store } = await diedAfterPublishing(p, c, decision('dishub', 'Dinas Perhubungan'), { recorded: false });
    // The OPD's system took the complaint from opd.dishub and reported at once, as the README's consumer does.
    const statusQ = new Queue(QueueNames.status, { connection: conn, prefix: p });
    const updateId = `dishub-${c.id}-1`;
    await statusQ.add('status', { schemaVersion: 1, complaintId: c.id, opd: 'dishub', state: 'in_progress', message: 'Petugas menuju lokasi', at: new Date().toISOString(), updateId }, { jobId: updateId });
    const again = await startRouterService({ redisUrl: url, prefix: p, logger: mem.logger });
    try {
      await waitFor(async () => (await store.get(c.id))?.state === 'in_progress', { timeoutMs: 15_000, what: 'the report applied' });
      expect((await store.history(c.id)).map((h) => h.state)).toEqual(['received', 'routed', 'in_progress']);
      expect((await statusQ.getJob(updateId))?.failedReason).toBeUndefined();
      await waitFor(async () => (await new Queue('notify.whatsapp', { connection: conn, prefix: p }).getJob(`status.${updateId}`)) ?? null, { what: 'status notice' });
    } finally {
      await again.close();
      await deletePrefix(url, p);
    }
  });

  it('does not undo an admin re-assignment made while the job waited for its retry', async () => {
    const p = uniquePrefix('router-reassigned');
    const routed = chatComplaint('Jukir liar di depan Pasar Legi minta uang parkir lebih, tidak pakai karcis', 9);
    const unsure = chatComplaint('Tolong dicek yang di sana itu pak', 10);
    const one = await diedAfterPublishing(p, routed, decision('dishub', 'Dinas Perhubungan'), { recorded: false });
    const two = await diedAfterPublishing(p, unsure, decision('dlh', 'Dinas Lingkungan Hidup', { confidence: 0.1, triage: true }), { recorded: false });
    // An admin assigns both meanwhile (as assignComplaint does): revision 1, and the triage entry removed.
    const byAdmin = decision('dlh', 'Dinas Lingkungan Hidup', { decidedBy: 'admin', revision: 1, confidence: 1 });
    await publishRouted({ producer: one.producer, status: one.store }, routed, byAdmin);
    await publishRouted({ producer: two.producer, status: two.store }, unsure, byAdmin);
    const triageQ = new Queue(QueueNames.triage, { connection: conn, prefix: p });
    await triageQ.remove(unsure.id);
    const again = await startRouterService({ redisUrl: url, prefix: p, logger: mem.logger });
    try {
      for (const c of [routed, unsure]) await waitFor(async () => (await one.intakeQ.getJob(c.id))?.finishedOn, { timeoutMs: 15_000, what: 'the retry done' });
      for (const c of [routed, unsure]) expect(await one.store.get(c.id)).toMatchObject({ state: 'routed', opd: 'dlh' });
      expect(await triageQ.getJob(unsure.id)).toBeUndefined();
      expect(await conn.zscore(`${p}:opd:dishub:inbox`, routed.id)).toBeNull();
      expect(await new Queue('notify.whatsapp', { connection: conn, prefix: p }).getJob(`routed.${routed.id}.r0`)).toBeUndefined();
    } finally {
      await again.close();
      await deletePrefix(url, p);
    }
  });
});

describe('router service, the order of what the citizen hears', () => {
  it('tells where the complaint went before any progress, also when the router died right after recording the decision', async () => {
    const p = uniquePrefix('router-order');
    const c = chatComplaint('Jukir liar di depan Pasar Legi minta uang parkir lebih, tidak pakai karcis', 11);
    const intakeQ = new Queue(QueueNames.intake, { connection: conn, prefix: p });
    const store = new StatusStore(conn, p);
    // The first attempt dies right after its decision is recorded.
    const original = StatusStore.prototype.transition;
    const died = vi.spyOn(StatusStore.prototype, 'transition').mockImplementation(async function (this: StatusStore, id, entry) {
      const outcome = await original.call(this, id, entry);
      if (id === c.id && entry.state === 'routed' && died.mock.calls.length === 1) throw new Error('router died');
      return outcome;
    });
    const again = await startRouterService({ redisUrl: url, prefix: p, logger: mem.logger });
    try {
      await intakeQ.add('intake', c, { jobId: c.id, attempts: 3, backoff: { type: 'fixed', delay: 1_500 } });
      await waitFor(async () => (await store.get(c.id))?.state === 'routed', { what: 'decision recorded' });
      // The OPD, reading its feed meanwhile, reports at once.
      const statusQ = new Queue(QueueNames.status, { connection: conn, prefix: p });
      const updateId = `dishub-${c.id}-1`;
      await statusQ.add('status', { schemaVersion: 1, complaintId: c.id, opd: 'dishub', state: 'in_progress', at: new Date().toISOString(), updateId }, { jobId: updateId });
      const notify = new Queue('notify.whatsapp', { connection: conn, prefix: p });
      const [routedNote, statusNote] = await waitFor(async () => {
        const both = await Promise.all([notify.getJob(`routed.${c.id}.r0`), notify.getJob(`status.${updateId}`)]);
        return both.every(Boolean) ? both : null;
      }, { timeoutMs: 15_000, what: 'both notices' });
      // Router notices share one priority on notify.whatsapp (notifyPriority): taken in the order added.
      const order = (await notify.getJobs(['prioritized'], 0, -1, true)).map((j) => j.id);
      expect(order.indexOf(routedNote!.id)).toBeLessThan(order.indexOf(statusNote!.id));
    } finally {
      died.mockRestore();
      await again.close();
      await deletePrefix(url, p);
    }
  });
});

describe('router service, a report sent again after its jobs were cleaned up', () => {
  it('tells the citizen nothing again: a re-post is not a retry of the job that told them', async () => {
    const c = chatComplaint('Jukir liar di depan Pasar Legi minta uang parkir lebih, tidak pakai karcis', 12);
    await q(QueueNames.intake).add('intake', c, { jobId: c.id });
    await waitFor(async () => (await status.get(c.id))?.opd === 'dishub', { what: 'routed to dishub' });
    // As the OPD API queues it: `at` is when the gateway got the request, so a re-post has a new one.
    const post = async () => {
      const updateId = `dishub.repost-${c.id}`;
      await q(QueueNames.status).add('status', { schemaVersion: 1, complaintId: c.id, opd: 'dishub', state: 'in_progress', at: new Date().toISOString(), updateId }, { jobId: updateId });
      await waitFor(async () => (await q(QueueNames.status).getJob(updateId))?.finishedOn, { what: 'report handled' });
      return updateId;
    };
    const updateId = await post();
    const notice = `status.${updateId}`;
    expect(await q('notify.whatsapp').getJob(notice)).toBeDefined();
    // A week on, both jobs are gone (removeOnComplete), and the OPD's system sends the same report again.
    await q(QueueNames.status).remove(updateId);
    await q('notify.whatsapp').remove(notice);
    await post();
    expect((await status.history(c.id)).map((h) => h.state)).toEqual(['received', 'routed', 'in_progress']);
    expect(await q('notify.whatsapp').getJob(notice)).toBeUndefined();
  });
});

describe('router service, a status job started again after a failed attempt', () => {
  it('still tells the citizen when the first attempt recorded the report and died before its notice', async () => {
    const p = uniquePrefix('router-status-retry');
    const c = chatComplaint('Jukir liar di depan Pasar Legi minta uang parkir lebih, tidak pakai karcis', 13);
    const store = new StatusStore(conn, p);
    await store.recordReceived({ id: c.id, ticket: c.ticket, channel: c.channel, receivedAt: c.receivedAt, replyAccount: c.source.account, replyTo: c.source.threadId! });
    const producer = new DurableProducer({ connection: conn, prefix: p, logger: mem.logger });
    await publishRouted({ producer, status: store }, c, decision('dishub', 'Dinas Perhubungan'));
    const updateId = `dishub-${c.id}-1`;
    const update = { schemaVersion: 1, complaintId: c.id, opd: 'dishub', state: 'in_progress', at: new Date().toISOString(), updateId } as const;
    await new Queue(QueueNames.status, { connection: conn, prefix: p }).add('status', update, { jobId: updateId, attempts: 3, backoff: { type: 'fixed', delay: 100 } });
    const first = new Worker(QueueNames.status, null, { connection: createRedis(url, 'worker'), prefix: p });
    const job = await first.getNextJob('first-attempt');
    await store.transition(c.id, { state: 'in_progress', at: update.at, requireOpd: 'dishub', dedupeKey: `status.${updateId}` });
    await job!.moveToFailed(new Error('router died'), 'first-attempt');
    await first.close();
    const again = await startRouterService({ redisUrl: url, prefix: p, logger: mem.logger });
    try {
      await waitFor(async () => (await new Queue('notify.whatsapp', { connection: conn, prefix: p }).getJob(`status.${updateId}`)) ?? null, { what: 'status notice' });
      expect((await store.history(c.id)).map((h) => h.state)).toEqual(['received', 'routed', 'in_progress']);
    } finally {
      await again.close();
      await deletePrefix(url, p);
    }
  });
});

describe('router service, a photo sent after the complaint was filed (an addition)', () => {
  const photo = { kind: 'image', mimeType: 'image/jpeg', bytes: 10, sha256: 'b'.repeat(64), storageKey: `sha256/bb/${'b'.repeat(64)}` } as const;
  /** What the conversation engine files for a wordless burst soon after `earlier` was acknowledged. */
  const additionTo = (earlier: Complaint, n: number, confidential = false): Complaint => ({ ...chatComplaint(`(foto tambahan untuk aduan ${earlier.ticket}, dikirim setelah aduan itu tercatat)`, n, confidential), attachments: [photo] });
  const stranger = (c: Complaint): Complaint => ({ ...c, source: { ...c.source, senderId: '6281299990000@s.whatsapp.net', threadId: '6281299990000@s.whatsapp.net' }, reporter: { ...c.reporter, phone: '+6281299990000' } });
  async function routedTo(c: Complaint, state: 'routed' | 'triage' | 'external'): Promise<void> {
    await q(QueueNames.intake).add('intake', c, { jobId: c.id });
    await waitFor(async () => ((await status.get(c.id))?.state === state ? true : null), { what: `the earlier complaint ${state}` });
  }

  it("goes to the OPD the named complaint is routed to, with a note naming it, and stays confidential", async () => {
    const earlier = chatComplaint('Sampah di TPS Jl. Anggrek sudah seminggu tidak diangkut, bau busuk sekali', 60, true);
    await routedTo(earlier, 'routed');
    const extra = additionTo(earlier, 61, true);
    await q(QueueNames.intake).add('intake', extra, { jobId: extra.id });
    const job = await waitFor(async () => (await q('opd.dlh').getJob(extra.id)) ?? null, { what: 'the addition on opd.dlh' });
    expect(job.data.routing).toMatchObject({ opd: 'dlh', decidedBy: 'rules', confidence: 1, triage: false, revision: 0 });
    expect(job.data.routing.note).toContain(earlier.ticket);
    expect(job.data.routing.reasons.join(' ')).toContain(earlier.ticket);
    expect(job.data.reporter).toBeUndefined();
    expect(job.data.text).toContain(earlier.ticket);
    expect(await q(QueueNames.triage).getJob(extra.id)).toBeUndefined();
    await waitFor(async () => ((await status.get(extra.id))?.opd === 'dlh' ? true : null), { what: 'the addition recorded as routed to dlh' });
    // The citizen knows it as their photo sent after the complaint: the notice says so.
    const notice = await waitFor(async () => (await q('notify.whatsapp').getJob(`routed.${extra.id}.r0`)) ?? null, { what: "the addition's notice" });
    expect(notice.data.text).toBe(`Kiriman tambahan Anda untuk aduan *${earlier.ticket}* (nomor tiket *${extra.ticket}*) sudah kami teruskan ke Dinas Lingkungan Hidup, bersama aduan itu. Terima kasih.`);
    // The monthly report counts the complaint, by when it was received, and not its addition apart.
    const received = await status.receivedIn(Date.parse(earlier.receivedAt), Date.now() + 1);
    expect(received).toContain(earlier.id);
    expect(received).not.toContain(extra.id);
  });

  it('sends contact cards sent after the complaint (its cards on the lines after ours) there too', async () => {
    const earlier = chatComplaint('Sampah di TPS Jl. Kenari sudah seminggu tidak diangkut, bau busuk sekali', 70);
    await routedTo(earlier, 'routed');
    const cards = chatComplaint(`(kontak tambahan untuk aduan ${earlier.ticket}, dikirim setelah aduan itu tercatat)\nKontak: Pak RT 03 (+6285700000001)`, 71);
    await q(QueueNames.intake).add('intake', cards, { jobId: cards.id });
    const job = await waitFor(async () => (await q('opd.dlh').getJob(cards.id)) ?? null, { what: 'the cards on opd.dlh' });
    expect(job.data.routing.note).toContain(earlier.ticket);
    expect(job.data.text).toContain('Kontak: Pak RT 03 (+6285700000001)');
  });

  it("is routed by its words, as before, when it names another sender's complaint", async () => {
    const others = chatComplaint('Sampah di TPS Jl. Melati sudah seminggu tidak diangkut, bau busuk sekali', 62);
    await routedTo(others, 'routed');
    const extra = stranger(additionTo(others, 65));
    await q(QueueNames.intake).add('intake', extra, { jobId: extra.id });
    const job = await waitFor(async () => (await q(QueueNames.triage).getJob(extra.id)) ?? null, { what: `the stranger's addition in triage` });
    expect(job.data.routing.note).toBeUndefined();
    expect(job.data.routing.reasons.join(' ')).not.toContain(others.ticket);
    expect(await q('opd.dlh').getJob(extra.id)).toBeUndefined();
    expect(await status.additions(others.id)).toEqual([]);
  });

  it('waits in triage for a complaint in triage, linked to it, with a note saying it follows that complaint', async () => {
    const unsure = chatComplaint('Tolong dicek yang di sana itu pak', 63);
    await routedTo(unsure, 'triage');
    const extra = additionTo(unsure, 66);
    await q(QueueNames.intake).add('intake', extra, { jobId: extra.id });
    const job = await waitFor(async () => (await q(QueueNames.triage).getJob(extra.id)) ?? null, { what: `the addition to ${unsure.ticket} in triage` });
    expect(job.data.routing).toMatchObject({ triage: true, decidedBy: 'rules', revision: 0 });
    expect(job.data.routing.note).toContain(unsure.ticket);
    expect(job.data.routing.reasons[0]).toContain(unsure.ticket);
    expect(await status.additions(unsure.id)).toEqual([extra.id]);
    expect(await status.receivedIn(0, Date.now() + 1)).not.toContain(extra.id);
  });

  it('goes outside the city with its complaint, with the same advice for the citizen', async () => {
    const external = chatComplaint('Listrik PLN padam terus tiap malam di rumah saya, token juga error', 64);
    await routedTo(external, 'external');
    const named = (await q(QueueNames.routed).getJob(external.id))!.data.routing;
    const extra = additionTo(external, 67);
    await q(QueueNames.intake).add('intake', extra, { jobId: extra.id });
    const job = await waitFor(async () => (await q(QueueNames.routed).getJob(extra.id)) ?? null, { what: `the addition to ${external.ticket} decided` });
    expect(job.data.routing).toMatchObject({ opd: 'external', triage: false, external: named.external });
    expect(job.data.routing.note).toContain(external.ticket);
    expect(await q(QueueNames.triage).getJob(extra.id)).toBeUndefined();
    const notice = await waitFor(async () => (await q('notify.whatsapp').getJob(`routed.${extra.id}.r0`)) ?? null, { what: 'the citizen told' });
    expect(notice.data.text).toContain(named.external!.advice);
  });

  it('is decided after its complaint when both wait to be routed (a backlog), and follows it', async () => {
    const earlier = chatComplaint('Sampah di TPS Jl. Kenanga sudah seminggu tidak diangkut, bau busuk sekali', 68);
    // As the conversation engine files it: recorded, then queued; here its job waits 1.5 s (a backlog).
    await status.recordReceived({ id: earlier.id, ticket: earlier.ticket, channel: 'whatsapp', receivedAt: earlier.receivedAt, ...senderFields('whatsapp', earlier.source.senderId, earlier.reporter.phone), replyAccount: earlier.source.account, replyTo: earlier.source.threadId! });
    await q(QueueNames.intake).add('intake', earlier, { jobId: earlier.id, delay: 1_500 });
    const extra = additionTo(earlier, 69);
    await q(QueueNames.intake).add('intake', extra, { jobId: extra.id });
    const job = await waitFor(async () => (await q(QueueNames.routed).getJob(extra.id)) ?? null, { what: 'the addition decided', timeoutMs: 15_000 });
    expect(job.data.routing).toMatchObject({ opd: 'dlh', triage: false });
    expect(job.data.routing.note).toContain(earlier.ticket);
    expect(await status.additions(earlier.id)).toEqual([extra.id]);
  });

  it("is decided only once an admin's assignment of its complaint under way is done, and follows that assignment", async () => {
    const unsure = chatComplaint('Tolong dicek yang di pojok itu pak', 72);
    await routedTo(unsure, 'triage');
    // An admin is assigning the complaint right now (assignComplaint holds its decision lock).
    const lock = (await status.lockDecision(unsure.id, 30_000))!;
    const extra = additionTo(unsure, 73);
    await q(QueueNames.intake).add('intake', extra, { jobId: extra.id });
    await new Promise((r) => setTimeout(r, 1_000));
    // The admin's assignment: the complaint published to dlh, its additions looked up (none
    // published yet), the lock released.
    const { routing, ...triaged } = (await q(QueueNames.triage).getJob(unsure.id))!.data as RoutedComplaint;
    await publishRouted({ producer: new DurableProducer({ connection: conn, prefix, logger: mem.logger }), status }, triaged as RoutedComplaint, { ...routing, opd: 'dlh', opdName: 'Dinas Lingkungan Hidup', confidence: 1, reasons: ['assigned by admin admin'], alternatives: [], decidedBy: 'admin', triage: false, revision: 1, routedAt: new Date().toISOString() });
    expect(await status.additions(unsure.id)).toEqual([]);
    await status.unlockDecision(unsure.id, lock);
    const job = await waitFor(async () => (await q(QueueNames.routed).getJob(extra.id)) ?? null, { what: 'the addition decided', timeoutMs: 15_000 });
    expect(job.data.routing).toMatchObject({ opd: 'dlh', triage: false });
    expect(await q(QueueNames.triage).getJob(extra.id)).toBeUndefined();
  });

});
