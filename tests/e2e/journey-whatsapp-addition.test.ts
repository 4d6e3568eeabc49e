import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import exifr from 'exifr';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, QueueNames } from '@aduan/queue';
import type { RoutedComplaint, StatusView } from '@aduan/schema';
import { startRouterService, type RouterService } from '@aduan/router';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { createTestGateway } from '@aduan/gateway/testing';
import { ACCOUNT, citizenMessage, intakeJobs, startHarness, testConfig, type Harness } from '../../services/whatsapp/src/test-support/harness.ts';
import { MediaServer } from '../../services/whatsapp/src/test-support/media-server.ts';
import type { ServiceConfig } from '../../services/whatsapp/src/service.ts';

/**
 * A WhatsApp citizen's vague complaint, the photo they send a few minutes after its
 * acknowledgement, and what each party sees as the city handles it: the citizen (what the
 * WhatsApp service sends through the Baileys seam), the admin (the triage page and its form), and
 * the OPDs' systems (the OPD API with their keys). Real WhatsApp service, router and gateway on
 * real Redis; the gateway reads the photos from the directory the WhatsApp service writes them to,
 * as the two share it in production.
 *
 * "A few minutes later" is sent at once: the engine treats every photo within its 15 minutes of
 * acknowledgement memory alike, and this keeps the run short.
 */
const url = testRedisUrl();
const prefix = uniquePrefix('journey-wa-add');
const { logger } = memoryLogger('journey-add');
const PASSWORD = 'kata-sandi-admin-77';
const CITIZEN = '6281234500321@s.whatsapp.net';
/** A phone photo with the phone's Exif: GPS, serial, owner. */
const PHOTO = readFileSync(join(import.meta.dirname, '../fixtures/photos/phone-orientation6.jpg'));
const media = new MediaServer();
const conn = createRedis(url, 'worker');
const q = (name: string) => new Queue(name, { connection: conn, prefix });
let router: RouterService;
let gw: Awaited<ReturnType<typeof createTestGateway>>;
let config: ServiceConfig;
let h: Harness;

/** What the citizen's phone shows, in order: every text the WhatsApp service sent to them. */
const chat: string[] = [];
const texts = () => {
  for (const s of h.socket.sent.splice(0)) if (s.jid === CITIZEN) chat.push((s.content as { text: string }).text);
  return chat;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The next `n` texts the citizen receives after the first `from`. */
const nextTexts = (from: number, n: number, what: string) => waitFor(() => (texts().length >= from + n ? texts().slice(from, from + n) : null), { what, timeoutMs: 15_000 });
const say = (text: string) => h.socket.deliver([citizenMessage({ conversation: text }, {}, CITIZEN)]);

let admin: string;
/** The admin's page form, as the browser sends it from the triage page. */
const assignByForm = (id: string, opd: string, revision: number, note = '') =>
  gw.app.inject({ method: 'POST', url: `/admin/triage/${id}/assign`, headers: { cookie: admin, origin: 'http://localhost:80', host: 'localhost:80', 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ opd, note, revision: String(revision) }).toString() });
const asOpd = (secret: string, method: 'GET' | 'POST', path: string, payload?: object) => gw.app.inject({ method, url: path, headers: { authorization: `Bearer ${secret}` }, ...(payload ? { payload } : {}) });
type FeedItem = { complaint: RoutedComplaint; status: StatusView };
const feed = async (secret: string) => {
  const res = await asOpd(secret, 'GET', '/api/v1/opd/complaints');
  expect(res.statusCode).toBe(200);
  return (res.json() as { items: FeedItem[] }).items;
};
/** One complaint's card on the triage page. */
const card = (page: string, id: string) => {
  const start = page.indexOf(`<article class="card" aria-labelledby="t-${id}">`);
  expect(start).toBeGreaterThanOrEqual(0);
  return page.slice(start, page.indexOf('</article>', start));
};
const statusOf = async (id: string) => (await gw.deps.status.get(id))!;

beforeAll(async () => {
  await media.start();
  config = testConfig(url, prefix);
  router = await startRouterService({ redisUrl: url, prefix, logger });
  gw = await createTestGateway({ redisUrl: url, prefix, logger, routerAlive: router.alive, env: { ATTACHMENT_DIR: config.ATTACHMENT_DIR } });
  await gw.deps.auth.users.add({ username: 'admin', password: PASSWORD, role: 'admin' });
  h = await startHarness(config);
  await waitFor(() => h.service.sessions.get(ACCOUNT)!.status.state === 'connected', { what: 'connected' });
});
afterAll(async () => {
  await h.stop();
  await gw.close();
  await router.close();
  await media.stop();
  conn.disconnect();
  await deletePrefix(url, prefix);
});

describe('a WhatsApp citizen, a photo sent after the acknowledgement, the admin and two OPDs', () => {
  it('each party sees what they should at each step', async () => {
    // 1. A vague complaint: acknowledged with ticket A, and the router cannot tell whose it is.
    say('Pak, tolong dicek yang di ujung gang itu, sudah lama dibiarkan');
    const [ackA] = await nextTexts(0, 1, 'acknowledgement of A');
    const A = /\*(ADU-[0-9A-Z]{4}-[0-9A-Z]{4})\*/.exec(ackA!)?.[1];
    expect(ackA).toBe(`Terima kasih, aduan Anda sudah kami terima dengan nomor tiket *${A}*. Aduan akan kami teruskan ke instansi terkait. Pesan Anda berikutnya akan kami catat sebagai aduan baru. Untuk melihat perkembangannya, ketik: cek ${A}`);
    const idA = (await gw.deps.status.idForTicket(A!))!;
    await waitFor(async () => ((await statusOf(idA)).state === 'triage' ? true : null), { what: 'A in triage' });
    expect(await q(QueueNames.triage).getJob(idA)).toBeDefined();

    // 2. Minutes later, the photo, with no words: an addition to A under a ticket of its own.
    const photo = await media.add('/photo/gang', PHOTO, 'image');
    h.socket.deliver([citizenMessage({ imageMessage: { ...photo, mimetype: 'image/jpeg' } }, {}, CITIZEN)]);
    const [ackB] = await nextTexts(1, 1, 'acknowledgement of B');
    const B = /^Terima kasih, kiriman Anda sudah kami terima dengan nomor tiket \*(ADU-[0-9A-Z]{4}-[0-9A-Z]{4})\*/.exec(ackB!)?.[1];
    expect(ackB).toBe(`Terima kasih, kiriman Anda sudah kami terima dengan nomor tiket *${B}* dan kami catat sebagai tambahan untuk aduan *${A}*. Untuk melihat perkembangannya, ketik: cek ${B}`);
    const idB = (await gw.deps.status.idForTicket(B!))!;
    await waitFor(async () => ((await statusOf(idB)).state === 'triage' ? true : null), { what: 'B in triage' });
    const waitingB = (await q(QueueNames.triage).getJob(idB))!.data as RoutedComplaint;
    expect(waitingB.routing.note).toBe(`Tambahan untuk aduan ${A} dari pelapor yang sama. Aduan itu belum di OPD mana pun; tambahan ini ikut ke OPD yang ditugaskan untuk aduan itu.`);
    expect(waitingB.attachments).toHaveLength(1);
    // Triage is no news for the citizen: nothing more than the two acknowledgements.
    await sleep(300);
    expect(texts()).toHaveLength(2);

    // 3. The admin logs in and assigns A to DPUPR with the page's form: B goes with it.
    const login = await gw.app.inject({ method: 'POST', url: '/login', headers: { origin: 'http://localhost:80', host: 'localhost:80', 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ username: 'admin', password: PASSWORD, next: '/admin/triage' }).toString() });
    expect([login.statusCode, login.headers.location]).toEqual([303, '/admin/triage']);
    admin = `aduan_session=${login.cookies.find((c) => c.name === 'aduan_session')!.value}`;
    const page = (await gw.app.inject({ url: '/admin/triage', headers: { cookie: admin } })).body;
    // B's own card says it follows A, with a link to A's card: nothing to decide for it.
    expect(page).toContain(`<p id="ikut-${idB}" style="border-left:4px solid #0b5394;padding:4px 0 4px 12px"><strong>Ikut aduan <a href="#t-${idA}">${A}</a></strong>`);
    // A's own card shows the photo that says what "yang di ujung gang itu" is, and that it goes with A.
    const [photoB] = waitingB.attachments;
    expect(card(page, idA)).toContain(`<img src="/admin/triage/${idB}/attachments/${photoB!.sha256}"`);
    expect(card(page, idA)).toMatch(new RegExp(`<strong>${B}</strong> <span class="muted">[^<]*</span> · ikut diteruskan bersama aduan ini`));
    const toDpupr = await assignByForm(idA, 'dpupr', 0);
    expect([toDpupr.statusCode, toDpupr.headers.location]).toEqual([303, `/admin/triage?done=${A}#diteruskan`]);
    expect((await q('opd.dpupr').getJob(`${idA}.r1`))?.data.routing).toMatchObject({ opd: 'dpupr', decidedBy: 'admin' });
    expect((await q('opd.dpupr').getJob(`${idB}.r1`))?.data.routing).toMatchObject({ opd: 'dpupr', decidedBy: 'admin' });
    expect(await q(QueueNames.triage).getJob(idB)).toBeUndefined();
    const dpuprName = 'Dinas Pekerjaan Umum dan Penataan Ruang';
    expect(await nextTexts(2, 2, 'routed notices of A and B')).toEqual([
      `Aduan *${A}* sudah kami teruskan ke ${dpuprName}. Kami akan mengabari Anda lagi bila ada tindak lanjut. Terima kasih.`,
      // B as the citizen knows it: their photo sent after A, with its own ticket.
      `Kiriman tambahan Anda untuk aduan *${A}* (nomor tiket *${B}*) sudah kami teruskan ke ${dpuprName}, bersama aduan itu. Terima kasih.`,
    ]);

    // 4. DPUPR's system reads its feed: A, and B naming A, with its photo (without the phone's Exif).
    const { secret: dpupr } = await gw.deps.opdKeys.create('dpupr', 'SIM DPUPR');
    const items = await feed(dpupr);
    expect(items.map((i) => i.complaint.ticket)).toEqual([A, B]);
    const b = items[1]!.complaint;
    expect(b.routing.note).toBe(`Tambahan untuk aduan ${A} dari pelapor yang sama; ikut aduan itu.`);
    expect(b.text).toContain(A);
    const [attachment] = b.attachments;
    expect(attachment).toMatchObject({ kind: 'image', mimeType: 'image/jpeg' });
    const file = await asOpd(dpupr, 'GET', `/api/v1/opd/complaints/${idB}/attachments/${attachment!.sha256}`);
    expect([file.statusCode, file.headers['content-type']]).toEqual([200, 'image/jpeg']);
    expect(file.rawPayload.length).toBe(attachment!.bytes);
    expect(await exifr.gps(file.rawPayload)).toBeUndefined();

    // DPUPR returns A: back in triage, no longer DPUPR's.
    const ret = await asOpd(dpupr, 'POST', `/api/v1/opd/complaints/${idA}/status`, { state: 'returned', message: 'bukan kewenangan kami', updateId: 'ret-1' });
    expect(ret.statusCode).toBe(202);
    await waitFor(async () => ((await q(QueueNames.triage).getJob(`${idA}.r2`)) ? true : null), { what: 'A back in triage' });
    expect((await asOpd(dpupr, 'GET', `/api/v1/opd/complaints/${idA}`)).statusCode).toBe(404);
    // B, A's photo, goes back with it (services/router/README.md): no longer DPUPR's either.
    await waitFor(async () => ((await gw.deps.status.get(idB))?.state === 'triage' ? true : null), { what: 'B back in triage with A' });
    expect((await feed(dpupr)).map((i) => i.complaint.ticket)).toEqual([]);
    expect((await asOpd(dpupr, 'GET', `/api/v1/opd/complaints/${idB}`)).statusCode).toBe(404);
    // The admin deciding A again sees B's photo on A's card, going with it.
    const returned = (await gw.app.inject({ url: '/admin/triage', headers: { cookie: admin } })).body;
    expect(card(returned, idA)).toContain('Alasan dari dinas: bukan kewenangan kami');
    expect(card(returned, idA)).toContain(`<img src="/admin/triage/${idB}/attachments/${attachment!.sha256}"`);
    expect(card(returned, idA)).toMatch(new RegExp(`<strong>${B}</strong> <span class="muted">[^<]*</span> · ikut diteruskan bersama aduan ini`));
    const shown = await gw.app.inject({ url: `/admin/triage/${idB}/attachments/${attachment!.sha256}`, headers: { cookie: admin } });
    expect([shown.statusCode, shown.headers['content-type']]).toEqual([200, 'image/jpeg']);
    // The return is not the citizen's news.
    await sleep(300);
    expect(texts()).toHaveLength(4);

    // The admin assigns A to DLH: B goes with it.
    const toDlh = await assignByForm(idA, 'dlh', 2, 'Tumpukan sampah di ujung gang, mohon dicek');
    expect(toDlh.statusCode).toBe(303);
    expect((await q('opd.dlh').getJob(`${idB}.r3`))?.data.routing).toMatchObject({ opd: 'dlh', decidedBy: 'admin' });
    // DPUPR's system had not taken B from its queue: withdrawn at the return; its feed and API no longer give it.
    expect(await q('opd.dpupr').getJob(`${idB}.r1`)).toBeUndefined();
    expect((await feed(dpupr)).map((i) => i.complaint.ticket)).toEqual([]);
    expect((await asOpd(dpupr, 'GET', `/api/v1/opd/complaints/${idB}`)).statusCode).toBe(404);
    expect((await asOpd(dpupr, 'POST', `/api/v1/opd/complaints/${idB}/status`, { state: 'in_progress', message: 'Petugas meluncur', updateId: 'b-1' })).statusCode).toBe(404);
    // DLH sees both, B with its photo.
    const { secret: dlh } = await gw.deps.opdKeys.create('dlh', 'SIM DLH');
    const atDlh = await feed(dlh);
    expect(atDlh.map((i) => i.complaint.ticket)).toEqual([A, B]);
    expect(atDlh[0]!.complaint.routing.note).toBe('Tumpukan sampah di ujung gang, mohon dicek');
    expect((await asOpd(dlh, 'GET', `/api/v1/opd/complaints/${idB}/attachments/${attachment!.sha256}`)).statusCode).toBe(200);
    const dlhName = 'Dinas Lingkungan Hidup';
    expect(await nextTexts(4, 2, 'routed notices of A and B to DLH')).toEqual([
      `Aduan *${A}* sudah kami teruskan ke ${dlhName}. Kami akan mengabari Anda lagi bila ada tindak lanjut. Terima kasih.`,
      // B as the citizen knows it: their photo sent after A, with its own ticket.
      `Kiriman tambahan Anda untuk aduan *${A}* (nomor tiket *${B}*) sudah kami teruskan ke ${dlhName}, bersama aduan itu. Terima kasih.`,
    ]);

    // 5. A fire next door: 112 at once, before the quiet period files it; then filed, for Satpol PP (Damkar).
    say('ada kebakaran di rumah sebelah pak, tolong');
    const [emergency] = await nextTexts(6, 1, '112 notice');
    // Told while the message still waits for its quiet period: nothing filed yet but A and B.
    expect((await intakeJobs(url, prefix)).map((c) => c.ticket).sort()).toEqual([A, B].sort());
    expect(emergency).toBe('Bila ini keadaan darurat yang sedang terjadi, jangan menunggu tindak lanjut aduan: segera telepon 112 (gratis, 24 jam). Pesan Anda tetap kami catat sebagai aduan.');
    const [ackC] = await nextTexts(7, 1, 'acknowledgement of C');
    const C = /nomor tiket \*(ADU-[0-9A-Z]{4}-[0-9A-Z]{4})\*\. Aduan akan/.exec(ackC!)?.[1];
    expect(C).toBeDefined();
    const [routedC] = await nextTexts(8, 1, 'routed notice of C');
    expect(routedC).toBe(`Aduan *${C}* sudah kami teruskan ke Satuan Polisi Pamong Praja. Kami akan mengabari Anda lagi bila ada tindak lanjut. Terima kasih.`);

    // 6. "cek A": where it is now.
    say(`cek ${A}`);
    const [answer] = await nextTexts(9, 1, 'cek answer');
    expect(answer).toMatch(new RegExp(`^Aduan \\*${A}\\* sudah diteruskan ke ${dlhName}\\. Terakhir diperbarui .+ WIB\\.$`));
    // Nothing more to the citizen: no duplicate, nothing out of order.
    await sleep(config.CONVERSATION_QUIET + 500);
    expect(texts()).toHaveLength(10);
  }, 60_000);
});
