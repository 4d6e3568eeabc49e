import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, multipartBody, PNG_1x1 } from '@aduan/gateway/testing';
import { OpdKeyStore } from '@aduan/gateway';
import { startRouterService, type RouterService } from '@aduan/router';
import { Queue, QueueNames, createRedis, routedCopyKey } from '@aduan/queue';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { JUKIR } from '../../services/router/src/testing/reports.ts';

/**
 * The OPD inbox end to end: complaints filed through the web API and routed by the real router
 * reach `/opd` for their OPD's staff (and no other's), who answer them with the page's form; the
 * router applies the answer and the citizen's status shows it. On real Redis.
 */
const url = testRedisUrl();
const prefix = uniquePrefix('opdinbox');
const log = memoryLogger('opdinbox');
let router: RouterService;
let gw: Awaited<ReturnType<typeof createTestGateway>>;
const cookies: Record<string, string> = {};
const redis = createRedis(url, 'worker');
const routedQueue = new Queue(QueueNames.routed, { connection: redis, prefix });

type Filed = { id: string; ticket: string; statusToken: string };
type View = { state: string; history: { state: string; message?: string }[] };

async function login(username: string, password: string): Promise<string> {
  const res = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', payload: { username, password } });
  expect(res.statusCode).toBe(200);
  return `aduan_session=${res.cookies.find((c) => c.name === 'aduan_session')?.value}`;
}
const page = (who: string, path: string) => gw.app.inject({ url: path, headers: { cookie: cookies[who] ?? '' } });
const send = (who: string | null, id: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  gw.app.inject({ method: 'POST', url: `/opd/aduan/${id}/tanggapan`, headers: { 'content-type': 'application/x-www-form-urlencoded', ...(who ? { cookie: cookies[who] ?? '' } : {}), ...headers }, payload: new URLSearchParams(fields).toString() });
const citizenView = async (c: Filed) => (await gw.app.inject({ url: `/api/v1/complaints/${c.ticket}`, headers: { authorization: `Bearer ${c.statusToken}` } })).json() as View;
/** The form's own id, as the page drew it. */
const formId = (body: string) => /name="updateId" value="([^"]+)"/.exec(body)?.[1] ?? '';

async function fileRouted(payload: object | ReturnType<typeof multipartBody>, state = 'routed'): Promise<Filed> {
  const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', ...('payload' in payload ? payload : { payload }) });
  expect(res.statusCode).toBe(202);
  const c = res.json() as Filed;
  await waitFor(async () => ((await citizenView(c)).state === state ? true : null), { timeoutMs: 15_000, what: state });
  return c;
}

beforeAll(async () => {
  router = await startRouterService({ redisUrl: url, prefix, logger: log.logger });
  gw = await createTestGateway({ redisUrl: url, prefix, logger: log.logger, routerAlive: router.alive });
  const users = gw.deps.auth.users;
  await users.add({ username: 'budi', password: 'kata-sandi-budi-91', role: 'opd', opd: 'dishub' });
  await users.add({ username: 'sari', password: 'kata-sandi-sari-91', role: 'opd', opd: 'dlh' });
  await users.add({ username: 'siti', password: 'kata-sandi-siti-91', role: 'operator', station: 'Radio Patria FM' });
  await users.add({ username: 'admin', password: 'kata-sandi-admin-91', role: 'admin' });
  for (const [who, pw] of [['budi', 'kata-sandi-budi-91'], ['sari', 'kata-sandi-sari-91'], ['siti', 'kata-sandi-siti-91'], ['admin', 'kata-sandi-admin-91']] as const) cookies[who] = await login(who, pw);
});
afterAll(async () => {
  await gw.close();
  await router.close();
  await routedQueue.close();
  redis.disconnect();
  await deletePrefix(url, prefix);
});

describe('OPD inbox', () => {
  it("lists what waits for the OPD's answer, with the reporter's contact; another OPD's staff see none of it", async () => {
    const c = await fileRouted({ text: JUKIR, category: 'parkir', location: { kelurahan: 'Kepanjenlor' }, reporter: { name: 'Pak Darto', phone: '0812 3456 7890' } });
    const inbox = await page('budi', '/opd');
    expect(inbox.statusCode).toBe(200);
    expect(inbox.body).toContain('Kotak masuk Dinas Perhubungan');
    expect(inbox.body).toMatch(/Menunggu tanggapan \(1\)/);
    expect(inbox.body).toContain(`/opd/aduan/${c.id}`);
    expect(inbox.body).toContain('Jukir liar di depan Pasar Legi');
    expect(inbox.body).toContain('Kel. Kepanjenlor');
    expect(inbox.body).toContain('Tanggapi paling lambat');

    const own = await page('budi', `/opd/aduan/${c.id}`);
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain(c.ticket);
    expect(own.body).toContain('Pak Darto');
    expect(own.body).toContain('+6281234567890');
    // The category by its name, not the directory's code.
    expect(own.body).toContain('Kategori: Parkir / juru parkir liar');

    // DLH's staff: not in their list, not by its address, not by its ticket.
    expect((await page('sari', '/opd')).body).not.toContain(c.ticket);
    const other = await page('sari', `/opd/aduan/${c.id}`);
    expect(other.statusCode).toBe(404);
    expect(other.body).not.toContain('Jukir');
    const search = await page('sari', `/opd?tiket=${c.ticket.toLowerCase()}`);
    expect(search.statusCode).toBe(200);
    expect(search.body).toContain('tidak ada di kotak masuk Dinas Lingkungan Hidup');
    // Budi finds it by its ticket, however typed.
    const found = await page('budi', `/opd?tiket=${encodeURIComponent(` ${c.ticket.toLowerCase().replace(/-/g, ' ')} `)}`);
    expect([found.statusCode, found.headers.location]).toEqual([303, `/opd/aduan/${c.id}`]);
  });

  it('hides a confidential reporter, and shows the photos to its OPD only', async () => {
    const c = await fileRouted(multipartBody({ text: 'Banyak jukir liar di sekitar Alun-alun, parkir seenaknya bikin macet', 'reporter.phone': '081299887766', 'reporter.confidential': 'true' }, [{ name: 'photos', filename: 'jukir.png', type: 'image/png', data: PNG_1x1 }]));
    const own = await page('budi', `/opd/aduan/${c.id}`);
    expect(own.body).toContain('dirahasiakan');
    expect(own.body).not.toContain('81299887766');
    const src = new RegExp(`src="(/opd/aduan/${c.id}/lampiran/[0-9a-f]{64})"`).exec(own.body)?.[1];
    expect(src).toBeDefined();
    const photo = await page('budi', src!);
    expect([photo.statusCode, photo.headers['content-type']]).toEqual([200, 'image/png']);
    expect(photo.rawPayload.equals(PNG_1x1)).toBe(true);
    expect((await page('sari', src!)).statusCode).toBe(404);
  });

  it("answers through the form: the router applies it once, however often sent, and the citizen's status shows the message", async () => {
    const c = await fileRouted({ text: `${JUKIR}, tiap sore` });
    const id = formId((await page('budi', `/opd/aduan/${c.id}`)).body);
    expect(id).not.toBe('');
    const fields = { state: 'in_progress', message: 'Petugas Dishub akan menertibkan jukir di lokasi besok pagi.', updateId: id };
    const sent = await send('budi', c.id, fields);
    expect([sent.statusCode, sent.headers.location]).toEqual([303, `/opd/aduan/${c.id}?terkirim=in_progress`]);
    // A double click sends the same form again: one report.
    expect((await send('budi', c.id, fields)).statusCode).toBe(303);
    await waitFor(async () => ((await citizenView(c)).state === 'in_progress' ? true : null), { what: 'in_progress' });
    const view = await citizenView(c);
    expect(view.history.filter((h) => h.state === 'in_progress')).toEqual([{ state: 'in_progress', at: expect.any(String), message: fields.message }]);
    expect((await page('budi', `/opd/aduan/${c.id}?terkirim=in_progress`)).body).toContain('Tanggapan terkirim');
    const inbox = (await page('budi', '/opd')).body;
    expect(inbox.slice(inbox.indexOf('id="diproses"'))).toContain(c.ticket);
    expect(log.lines.some((l) => l.msg === 'opd status update queued' && l.staff === 'budi' && l.complaintId === c.id)).toBe(true);
  });

  it('refuses an incomplete answer with the reason next to the field, keeping what was typed', async () => {
    const c = await fileRouted({ text: `${JUKIR}, di sisi timur` });
    const noState = await send('budi', c.id, { message: 'Sudah kami cek', updateId: 'formulir-tanpa-status-1' });
    expect(noState.statusCode).toBe(400);
    expect(noState.body).toContain('Pilih status tanggapan.');
    expect(noState.body).toContain('>Sudah kami cek</textarea>');
    const noReason = await send('budi', c.id, { state: 'rejected', message: '  ', updateId: 'formulir-tanpa-alasan-1' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('Tulis alasannya untuk pelapor');
    expect(noReason.body).toMatch(/id="state-rejected" name="state" value="rejected" checked/);
    expect((await citizenView(c)).state).toBe('routed');
  });

  it('returns a complaint that is not theirs to the admin, and it leaves their inbox', async () => {
    const c = await fileRouted({ text: `${JUKIR}, dekat stasiun` });
    const id = formId((await page('budi', `/opd/aduan/${c.id}`)).body);
    const sent = await send('budi', c.id, { state: 'returned', message: 'Lokasi ini lahan PT KAI, bukan kewenangan Dishub', updateId: id });
    expect([sent.statusCode, sent.headers.location]).toEqual([303, `/opd?dikembalikan=${c.ticket}`]);
    expect((await page('budi', sent.headers.location as string)).body).toContain(`Aduan ${c.ticket} dikembalikan ke admin`);
    await waitFor(async () => ((await citizenView(c)).state === 'triage' ? true : null), { what: 'triage' });
    expect((await page('budi', `/opd/aduan/${c.id}`)).statusCode).toBe(404);
    expect((await page('budi', '/opd')).body).not.toContain(c.ticket);
  });

  it("gives the message back when the session has ended, and refuses a form from another site", async () => {
    const c = await fileRouted({ text: `${JUKIR}, di depan toko` });
    const lapsed = await send(null, c.id, { state: 'resolved', message: 'Jukir sudah ditertibkan kemarin.', updateId: 'formulir-sesi-habis-1' });
    expect(lapsed.statusCode).toBe(401);
    expect(lapsed.body).toContain('belum terkirim');
    expect(lapsed.body).toContain('>Jukir sudah ditertibkan kemarin.</textarea>');
    expect(lapsed.body).toContain(`/login?next=${encodeURIComponent(`/opd/aduan/${c.id}`)}`);
    expect(lapsed.body).toContain('Salin pesan di bawah ini, masuk lagi, lalu kirim ulang');
    // With no message to copy, the steps still make a sentence.
    const empty = await send(null, c.id, { state: 'in_progress', message: '', updateId: 'formulir-sesi-habis-2' });
    expect(empty.body).toContain('belum terkirim</strong>. Silakan masuk lagi, lalu kirim ulang dari halaman aduannya.');
    const crossSite = await send('budi', c.id, { state: 'resolved', message: 'x', updateId: 'formulir-situs-lain-1' }, { origin: 'https://contoh.example' });
    expect(crossSite.statusCode).toBe(403);
    expect((await citizenView(c)).state).toBe('routed');
  });

  it('is for OPD accounts only; an OPD account lands in its inbox and sees no staff page of others', async () => {
    const operator = await page('siti', '/opd');
    expect(operator.statusCode).toBe(403);
    expect((await page('', '/opd')).headers.location).toBe('/login?next=%2Fopd');
    const landing = await page('budi', '/desk');
    expect([landing.statusCode, landing.headers.location]).toEqual([303, '/opd']);
    expect((await page('budi', '/admin/triage')).statusCode).toBe(403);
    expect((await page('budi', '/admin/rekap')).statusCode).toBe(403);
    expect((await gw.app.inject({ url: '/api/v1/desk/board', headers: { cookie: cookies.budi ?? '' } })).statusCode).toBe(403);
  });

  it("shows a complaint routed long ago and re-assigned lately, whose first routing `routed` has dropped, and takes its return", async () => {
    const c = await fileRouted({ text: 'Sampah menumpuk di TPS Jl. Anggrek sudah seminggu tidak diangkut' });
    expect((await gw.app.inject({ method: 'POST', url: `/api/v1/complaints/${c.id}/assign`, headers: { cookie: cookies.admin ?? '' }, payload: { opd: 'dishub' } })).statusCode).toBe(200);
    await waitFor(async () => ((await gw.deps.status.get(c.id))?.opd === 'dishub' ? true : null), { what: 're-assigned' });
    // `routed` keeps a decision 30 days: the first one (to DLH) is gone, the re-assignment is not.
    await (await routedQueue.getJob(c.id))!.remove();
    const own = await page('budi', `/opd/aduan/${c.id}`);
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain('Sampah menumpuk di TPS');
    expect(own.body).toContain('value="returned"');
    // Returned: the router finds the re-assignment too, and the complaint goes back to triage.
    const sent = await send('budi', c.id, { state: 'returned', message: 'Sampah urusan DLH', updateId: formId(own.body) });
    expect(sent.statusCode).toBe(303);
    await waitFor(async () => ((await citizenView(c)).state === 'triage' ? true : null), { what: 'back in triage' });
  });

  it("shows a complaint routed long ago and still open whole, on the page and the OPD API, and takes its return to the admin", async () => {
    const c = await fileRouted(multipartBody({ text: `${JUKIR}, sudah dua bulan`, 'reporter.name': 'Pak Darto', 'reporter.phone': '0812 3456 7890' }, [{ name: 'photos', filename: 'jukir.png', type: 'image/png', data: PNG_1x1 }]));
    // `routed` keeps a decision 30 days: gone, as for a complaint routed two months ago.
    await (await routedQueue.getJob(c.id))!.remove();
    const own = await page('budi', `/opd/aduan/${c.id}`);
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain('sudah dua bulan');
    expect(own.body).toContain('Pak Darto');
    expect(own.body).not.toContain('tidak lagi tersimpan');
    const src = new RegExp(`src="(/opd/aduan/${c.id}/lampiran/([0-9a-f]{64}))"`).exec(own.body);
    expect(src).not.toBeNull();
    const photo = await page('budi', src![1]!);
    expect([photo.statusCode, photo.rawPayload.equals(PNG_1x1)]).toEqual([200, true]);
    expect((await page('budi', '/opd')).body).toContain('sudah dua bulan');

    // Dishub's system reads it through the OPD API, photo too.
    const key = (await new OpdKeyStore(redis, prefix).create('dishub', 'SIM Dishub')).secret;
    const api = await gw.app.inject({ url: `/api/v1/opd/complaints/${c.id}`, headers: { authorization: `Bearer ${key}` } });
    expect(api.statusCode).toBe(200);
    expect(api.json()).toMatchObject({ complaint: { text: expect.stringContaining('sudah dua bulan'), attachments: [{ sha256: src![2] }] } });
    const file = await gw.app.inject({ url: `/api/v1/opd/complaints/${c.id}/attachments/${src![2]}`, headers: { authorization: `Bearer ${key}` } });
    expect([file.statusCode, file.rawPayload.equals(PNG_1x1)]).toEqual([200, true]);

    // Not theirs: returned, with its words and photo, to the admin, who finds it by its ticket.
    expect(own.body).toContain('value="returned"');
    const sent = await send('budi', c.id, { state: 'returned', message: 'Lahan PT KAI, bukan kewenangan Dishub', updateId: formId(own.body) });
    expect(sent.statusCode).toBe(303);
    await waitFor(async () => ((await citizenView(c)).state === 'triage' ? true : null), { what: 'back in triage' });
    expect((await routedQueue.getJob(`${c.id}.r1`))?.data).toMatchObject({ text: expect.stringContaining('sudah dua bulan'), attachments: [{ sha256: src![2] }], routing: { triage: true, decidedBy: 'opd' } });
    expect((await page('admin', `/admin/triage?tiket=${c.ticket}`)).body).toContain('sudah dua bulan');
  });

  it('lets an admin find and re-assign an open complaint routed long ago', async () => {
    const c = await fileRouted({ text: 'Sampah menumpuk di TPS Jl. Mawar sudah dua minggu tidak diangkut' });
    await (await routedQueue.getJob(c.id))!.remove();
    const found = await page('admin', `/admin/triage?tiket=${c.ticket}`);
    expect(found.body).toContain('TPS Jl. Mawar');
    const assigned = await gw.app.inject({ method: 'POST', url: `/api/v1/complaints/${c.id}/assign`, headers: { cookie: cookies.admin ?? '' }, payload: { opd: 'dishub', revision: 0 } });
    expect([assigned.statusCode, assigned.json().revision]).toEqual([200, 1]);
    await waitFor(async () => ((await gw.deps.status.get(c.id))?.opd === 'dishub' ? true : null), { what: 're-assigned' });
    expect((await page('budi', `/opd/aduan/${c.id}`)).body).toContain('TPS Jl. Mawar');
  });

  it('answers a complaint routed before its routing was kept, but does not offer to return it (nor take a return)', async () => {
    const c = await fileRouted({ text: `${JUKIR}, sudah sebulan lebih` });
    // Routed over 30 days before the upgrade that keeps routed copies: neither the job nor a copy.
    await (await routedQueue.getJob(c.id))!.remove();
    await redis.del(routedCopyKey(prefix, c.id));
    const own = await page('budi', `/opd/aduan/${c.id}`);
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain('tidak lagi tersimpan');
    expect(own.body).not.toContain('value="returned"');
    expect((await page('budi', '/opd')).body).toContain(c.ticket);
    // Sent anyway (a page drawn before): refused, with the reason, and nothing queued for the router to drop.
    const returned = await send('budi', c.id, { state: 'returned', message: 'Bukan kewenangan kami', updateId: 'formulir-kembali-lama-1' });
    expect(returned.statusCode).toBe(409);
    expect(returned.body).toContain('tidak dapat dikembalikan');
    const sent = await send('budi', c.id, { state: 'resolved', message: 'Sudah ditertibkan.', updateId: formId(own.body) });
    expect(sent.statusCode).toBe(303);
    await waitFor(async () => ((await citizenView(c)).state === 'resolved' ? true : null), { what: 'resolved' });
    // The closed list names it, the latest closed first.
    const inbox = (await page('budi', '/opd')).body;
    expect(inbox.slice(inbox.indexOf('id="selesai"'))).toContain(c.ticket);
    expect((await page('budi', `/opd/aduan/${c.id}?terkirim=constructor`)).body).not.toContain('native code');
  });
});
