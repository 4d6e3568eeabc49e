import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, publishRouted, QueueNames } from '@aduan/queue';
import type { Complaint, RoutedComplaint } from '@aduan/schema';
import { startRouterService, type RouterService } from '@aduan/router';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { whatsappComplaint } from '@aduan/testkit/complaints';
import { createTestGateway, PNG_1x1 } from '@aduan/gateway/testing';

// A photo a citizen sends minutes after their WhatsApp complaint was acknowledged is filed as an
// addition naming that complaint. These follow one complaint and its addition through an admin's
// assignments: the addition goes where the complaint goes.

const url = testRedisUrl();
const prefix = uniquePrefix('triage-additions');
const { logger } = memoryLogger('triage-additions');
const conn = createRedis(url, 'worker');
const q = (name: string) => new Queue(name, { connection: conn, prefix });
let router: RouterService;
let gw: Awaited<ReturnType<typeof createTestGateway>>;
let admin: string;
const PASSWORD = 'kata-sandi-admin-77';
const photo = { kind: 'image', mimeType: 'image/jpeg', bytes: 10, sha256: 'c'.repeat(64), storageKey: `sha256/cc/${'c'.repeat(64)}` } as const;

/** A WhatsApp complaint as the conversation engine files it, from one citizen. */
const chatComplaint = (text: string, attachments: Complaint['attachments'] = []): Complaint => whatsappComplaint(prefix, text, { attachments });
const additionTo = (earlier: Complaint, attachments: Complaint['attachments'] = [photo]) => whatsappComplaint(prefix, `(foto tambahan untuk aduan ${earlier.ticket}, dikirim setelah aduan itu tercatat)`, { attachments, confidential: earlier.reporter.confidential });

/** A photo the gateway's storage really holds (the admin's page shows it). */
async function storedPhoto(): Promise<Complaint['attachments'][number]> {
  const stored = await gw.deps.storage.put(PNG_1x1);
  return { kind: 'image', mimeType: 'image/png', ...stored };
}

/** The triage page (or a ticket's look-up) as the admin gets it. */
async function triagePage(tiket?: string): Promise<string> {
  const res = await gw.app.inject({ url: `/admin/triage${tiket ? `?tiket=${encodeURIComponent(tiket)}` : ''}`, headers: { cookie: admin } });
  expect(res.statusCode).toBe(200);
  return res.body;
}

/** One complaint's card on the page. */
function card(page: string, id: string): string {
  const start = page.indexOf(`<article class="card" aria-labelledby="t-${id}">`);
  expect(start, `card of ${id}`).toBeGreaterThanOrEqual(0);
  return page.slice(start, page.indexOf('</article>', start));
}

/** Files `c` through the real router; waits for its decision. */
async function file(c: Complaint): Promise<void> {
  await q(QueueNames.intake).add('intake', c, { jobId: c.id });
  await waitFor(async () => (await q(QueueNames.routed).getJob(c.id)) ?? null, { what: `${c.ticket} decided` });
}

async function assign(id: string, opd: string): Promise<void> {
  const res = await gw.app.inject({ method: 'POST', url: `/api/v1/complaints/${id}/assign`, headers: { cookie: admin }, payload: { opd } });
  expect(res.statusCode).toBe(200);
}

beforeAll(async () => {
  router = await startRouterService({ redisUrl: url, prefix, logger });
  gw = await createTestGateway({ redisUrl: url, prefix, logger, routerAlive: router.alive });
  await gw.deps.auth.users.add({ username: 'admin', password: PASSWORD, role: 'admin' });
  const res = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', payload: { username: 'admin', password: PASSWORD } });
  admin = `aduan_session=${res.cookies.find((c) => c.name === 'aduan_session')!.value}`;
});
afterAll(async () => {
  await gw.close();
  await router.close();
  conn.disconnect();
  await deletePrefix(url, prefix);
});

describe('an addition follows its complaint when an admin assigns it', () => {
  it('leaves triage with its complaint for the OPD the admin chose, and the citizen is told under its own ticket', async () => {
    const earlier = chatComplaint('Tolong dicek yang di sana itu pak, sudah lama dibiarkan');
    await file(earlier);
    const extra = additionTo(earlier);
    await file(extra);
    expect(await q(QueueNames.triage).getJob(extra.id)).toBeDefined();
    // The admin is told it goes with its complaint: nothing to decide for it.
    expect(card(await triagePage(), extra.id)).toContain(`<p id="ikut-${extra.id}"`);
    // And so is a system reading the list.
    const listed = (await gw.app.inject({ url: '/api/v1/triage', headers: { cookie: admin } })).json() as { items: { id: string; additions?: unknown[]; follows?: unknown }[] };
    expect(listed.items.find((i) => i.id === earlier.id)?.additions).toEqual([{ id: extra.id, ticket: extra.ticket, receivedAt: extra.receivedAt, follows: true }]);
    expect(listed.items.find((i) => i.id === extra.id)?.follows).toEqual({ id: earlier.id, ticket: earlier.ticket });

    await assign(earlier.id, 'dlh');
    // The admin's confirmation names the addition that went with it.
    const confirmed = await gw.app.inject({ url: `/admin/triage?done=${earlier.ticket}`, headers: { cookie: admin } });
    expect(confirmed.body).toContain(`sudah diteruskan ke <strong>Dinas Lingkungan Hidup</strong>, bersama tambahan dari pelapor yang sama: <strong>${extra.ticket}</strong>.`);
    const job = await q('opd.dlh').getJob(`${extra.id}.r1`);
    expect(job?.data.routing).toMatchObject({ opd: 'dlh', decidedBy: 'admin', triage: false, revision: 1 });
    expect(job?.data.routing.note).toContain(earlier.ticket);
    expect(job?.data.attachments).toHaveLength(1);
    expect(await q(QueueNames.triage).getJob(extra.id)).toBeUndefined();
    expect((await gw.deps.status.get(extra.id))?.opd).toBe('dlh');
    const notice = await q('notify.whatsapp').getJob(`routed.${extra.id}.r1`);
    expect(notice?.data).toMatchObject({ ticket: extra.ticket, to: extra.source.threadId });
    expect(notice?.data.text).toContain(`Kiriman tambahan Anda untuk aduan *${earlier.ticket}* (nomor tiket *${extra.ticket}*) sudah kami teruskan ke Dinas Lingkungan Hidup`);
    // The admin's page no longer lists it.
    const page = await gw.app.inject({ url: '/admin/triage', headers: { cookie: admin } });
    expect(page.body).not.toContain(extra.ticket);
    // Its words are ours: no label for the router to learn from, only the admin's own decision.
    const corrections = (await gw.app.inject({ url: '/api/v1/triage/corrections', headers: { cookie: admin } })).body.trim().split('\n').map((l) => JSON.parse(l) as { id: string });
    expect(corrections.map((c) => c.id)).toContain(earlier.id);
    expect(corrections.map((c) => c.id)).not.toContain(extra.id);
  });

  it("moves from the OPD its complaint leaves to the one it goes to, and off the first one's queue", async () => {
    const earlier = chatComplaint('Sampah di TPS Jl. Mawar sudah seminggu tidak diangkut, bau busuk sekali');
    await file(earlier);
    const extra = additionTo(earlier);
    await file(extra);
    expect(await q('opd.dlh').getJob(extra.id)).toBeDefined();

    await assign(earlier.id, 'disperkim');
    expect((await q('opd.disperkim').getJob(`${extra.id}.r1`))?.data.routing).toMatchObject({ opd: 'disperkim', decidedBy: 'admin' });
    // DLH's system had not taken it: it is not left there to be taken later.
    expect(await q('opd.dlh').getJob(extra.id)).toBeUndefined();
  });

  it('follows its complaint that its OPD returned, from that OPD to the one the admin chooses', async () => {
    const earlier = chatComplaint('Sampah di TPS Jl. Cempaka sudah seminggu tidak diangkut, bau busuk sekali');
    await file(earlier);
    const extra = additionTo(earlier);
    await file(extra);
    await q(QueueNames.status).add('status', { schemaVersion: 1, complaintId: earlier.id, opd: 'dlh', state: 'returned', message: 'Lahan milik perumahan', at: new Date().toISOString(), updateId: `ret-${earlier.id}` }, { jobId: `ret-${earlier.id}` });
    await waitFor(async () => (await q(QueueNames.triage).getJob(`${earlier.id}.r1`)) ?? null, { what: 'returned to triage' });
    // The addition came back with it: not left with DLH (its queue, its deadline), shown in the
    // complaint's card and, on its own card, as following it.
    await waitFor(async () => ((await gw.deps.status.get(extra.id))?.state === 'triage' ? true : null), { what: 'the addition back in triage' });
    expect(await q('opd.dlh').getJob(extra.id)).toBeUndefined();
    const page = await triagePage();
    expect(card(page, earlier.id)).toContain(`<div id="tambahan-item-${extra.id}"`);
    expect(card(page, earlier.id)).toContain('ikut diteruskan bersama aduan ini');
    expect(card(page, extra.id)).toContain(`<p id="ikut-${extra.id}"`);

    await assign(earlier.id, 'disperkim');
    expect((await q('opd.disperkim').getJob(`${extra.id}.r2`))?.data.routing).toMatchObject({ opd: 'disperkim', decidedBy: 'admin', revision: 2 });
    expect(await q(QueueNames.triage).getJob(`${extra.id}.r1`)).toBeUndefined();
  });

  it('is moved all the way when its complaint\'s assignment is sent again after it failed part-way through the addition', async () => {
    const earlier = chatComplaint('Tolong dicek yang di ujung gang itu pak, sudah lama dibiarkan');
    await file(earlier);
    const extra = additionTo(earlier);
    await file(extra);
    const triaged = async (c: Complaint) => (await q(QueueNames.triage).getJob(c.id))!.data as RoutedComplaint;
    const [a, b] = [await triaged(earlier), await triaged(extra)];
    // Where the admin's assignment of the complaint was when Redis went away: the complaint
    // published, its addition's move published to the feed only (not its OPD's queue, its status,
    // its notice; still in triage).
    const moved = (r: RoutedComplaint, reasons: string[], note?: string) => ({ ...r.routing, opd: 'dlh', opdName: 'Dinas Lingkungan Hidup', confidence: 1, reasons, alternatives: [], decidedBy: 'admin' as const, triage: false, revision: 1, routedAt: new Date().toISOString(), ...(note ? { note } : {}) });
    const { routing: _a, ...complaintA } = a;
    await publishRouted({ producer: gw.deps.producer, status: gw.deps.status }, complaintA as RoutedComplaint, moved(a, ['assigned by admin admin']));
    await gw.deps.producer.add(QueueNames.routed, `${extra.id}.r1`, { ...b, routing: moved(b, ['assigned by admin admin', `tambahan untuk aduan ${earlier.ticket}`], `Tambahan untuk aduan ${earlier.ticket} dari pelapor yang sama; ikut aduan itu.`) });

    // The admin sends it again (the page they still have): the addition's move is finished too.
    const again = await gw.app.inject({ method: 'POST', url: `/api/v1/complaints/${earlier.id}/assign`, headers: { cookie: admin }, payload: { opd: 'dlh', revision: 0 } });
    expect(again.statusCode).toBe(200);
    expect((await q('opd.dlh').getJob(`${extra.id}.r1`))?.data.routing).toMatchObject({ opd: 'dlh', decidedBy: 'admin', revision: 1 });
    expect(await q(QueueNames.triage).getJob(extra.id)).toBeUndefined();
    expect((await gw.deps.status.get(extra.id))?.state).toBe('routed');
    expect(await q('notify.whatsapp').getJob(`routed.${extra.id}.r1`)).toBeDefined();
    expect(await q(QueueNames.routed).getJob(`${extra.id}.r2`)).toBeUndefined();
  });

  it('stays where an admin sent it on its own', async () => {
    const earlier = chatComplaint('Sampah di TPS Jl. Dahlia sudah seminggu tidak diangkut, bau busuk sekali');
    await file(earlier);
    const extra = additionTo(earlier);
    await file(extra);
    await assign(extra.id, 'dinkes');

    await assign(earlier.id, 'disperkim');
    expect(await q('opd.disperkim').getJob(`${extra.id}.r2`)).toBeUndefined();
    expect((await gw.deps.status.get(extra.id))?.opd).toBe('dinkes');
  });
});

describe("the triage page shows a complaint's additions with it", () => {
  it("shows the addition's photo in its complaint's card, and the addition's own card says it follows that complaint, its form folded away", async () => {
    const earlier = chatComplaint('Tolong dicek yang di sana itu pak, sudah lama sekali dibiarkan');
    await file(earlier);
    const shot = await storedPhoto();
    const extra = additionTo(earlier, [shot]);
    await file(extra);
    const page = await triagePage();

    const a = card(page, earlier.id);
    const src = `/admin/triage/${extra.id}/attachments/${shot.sha256}`;
    expect(a).toContain(`<h3 id="tambahan-${earlier.id}"`);
    expect(a).toContain('Tambahan dari pelapor yang sama');
    expect(a).toContain(`<strong>${extra.ticket}</strong>`);
    expect(a).toContain(`<a href="${src}" target="_blank" rel="noopener"><img src="${src}" alt="Foto lampiran 1 dari ${extra.ticket}"`);
    expect(a).toContain('ikut diteruskan bersama aduan ini');
    // The thumbnail is served to the admin.
    const img = await gw.app.inject({ url: src, headers: { cookie: admin } });
    expect(img.statusCode).toBe(200);
    expect(img.headers['content-type']).toBe('image/png');

    const b = card(page, extra.id);
    expect(b).toContain(`<p id="ikut-${extra.id}"`);
    expect(b).toContain(`<strong>Ikut aduan <a href="#t-${earlier.id}">${earlier.ticket}</a></strong>`);
    expect(b).toContain('tidak perlu diputuskan tersendiri');
    // No guess made on our words, no form in the way: one folded away, with nothing chosen.
    expect(b).not.toContain('Tebakan sistem');
    expect(b).toMatch(new RegExp(`<details id="sendiri-${extra.id}">\\s*<summary[^>]*>Putuskan tersendiri</summary>[\\s\\S]*<form method="post" action="/admin/triage/${extra.id}/assign">[\\s\\S]*</details>`));
    expect(b).toContain('<option value="" selected>— Pilih dinas —</option>');

    // Looked up alone, the addition leads to its complaint's look-up; the complaint's shows the addition.
    expect(card(await triagePage(extra.ticket), extra.id)).toContain(`<a href="/admin/triage?tiket=${earlier.ticket}">${earlier.ticket}</a>`);
    expect(card(await triagePage(earlier.ticket), earlier.id)).toContain(`alt="Foto lampiran 1 dari ${extra.ticket}"`);

    // Assigned: re-assigning the complaint later (its look-up) says the addition moves with it.
    await assign(earlier.id, 'dlh');
    const routed = card(await triagePage(earlier.ticket), earlier.id);
    expect(routed).toContain(`alt="Foto lampiran 1 dari ${extra.ticket}"`);
    expect(routed).toContain('ikut dialihkan bersama aduan ini');
  });

  it('says which addition an admin sent elsewhere on its own: it stays there', async () => {
    const earlier = chatComplaint('Tolong dicek yang di pojok sana itu pak, sudah lama dibiarkan');
    await file(earlier);
    const extra = additionTo(earlier);
    await file(extra);
    await assign(extra.id, 'dinkes');

    const page = await triagePage();
    expect(page).not.toContain(`aria-labelledby="t-${extra.id}"`);
    expect(card(page, earlier.id)).toContain('sudah diteruskan tersendiri ke <strong>Dinas Kesehatan</strong>; tidak ikut aduan ini');
  });

  it("shows a confidential complaint's additions to the admin as its own photos", async () => {
    const earlier = whatsappComplaint(prefix, 'Rahasia ya pak, tolong dicek yang di belakang situ', { confidential: true });
    await file(earlier);
    const shot = await storedPhoto();
    const extra = additionTo(earlier, [shot]);
    expect(extra.reporter.confidential).toBe(true);
    await file(extra);

    const a = card(await triagePage(), earlier.id);
    expect(a).toContain(`<p id="rahasia-${earlier.id}">`);
    expect(a).toContain(`<img src="/admin/triage/${extra.id}/attachments/${shot.sha256}" alt="Foto lampiran 1 dari ${extra.ticket}"`);
  });

  it('shows the oldest 10 additions of a complaint and counts the others', async () => {
    const earlier = chatComplaint('Tolong dicek yang di sebelah situ pak, sudah lama dibiarkan');
    await file(earlier);
    const extras = Array.from({ length: 12 }, () => additionTo(earlier));
    // One at a time: each takes its complaint's decision lock, and one that finds it busy waits a second.
    for (const x of extras) await file(x);

    const a = card(await triagePage(), earlier.id);
    const shown = [...a.matchAll(/<div id="tambahan-item-([0-9A-Z]{26})"/g)].map((m) => m[1]);
    expect(shown).toEqual(extras.map((x) => x.id).sort().slice(0, 10));
    expect(a).toContain('Dan 2 tambahan lain, tidak ditampilkan di sini.');
  });
});

