import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, publishRouted } from '@aduan/queue';
import type { RoutedComplaint } from '@aduan/schema';
import { startRouterService, type RouterService } from '@aduan/router';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { createTestGateway, multipartBody, PNG_1x1 } from '@aduan/gateway/testing';

const url = testRedisUrl();
const prefix = uniquePrefix('triage');
const { logger } = memoryLogger('triage');
const conn = createRedis(url, 'worker');
const q = (name: string) => new Queue(name, { connection: conn, prefix });
let router: RouterService;
let gw: Awaited<ReturnType<typeof createTestGateway>>;
const PASSWORD = 'kata-sandi-admin-77';

async function login(username: string): Promise<string> {
  const res = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', payload: { username, password: PASSWORD } });
  expect(res.statusCode).toBe(200);
  const c = res.cookies.find((x) => x.name === 'aduan_session');
  return `aduan_session=${c?.value}`;
}

beforeAll(async () => {
  router = await startRouterService({ redisUrl: url, prefix, logger });
  gw = await createTestGateway({ redisUrl: url, prefix, logger, routerAlive: router.alive });
  await gw.deps.auth.users.add({ username: 'admin', password: PASSWORD, role: 'admin' });
  await gw.deps.auth.users.add({ username: 'opr', password: PASSWORD, role: 'operator', station: 'Radio Patria FM' });
});
afterAll(async () => {
  await gw.close();
  await router.close();
  conn.disconnect();
  await deletePrefix(url, prefix);
});

describe('triage by a human', () => {
  it("the admin sees the complaint's photos on the triage page; nobody else can fetch them", async () => {
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', ...multipartBody({ text: 'Tolong dilihat fotonya, kondisinya sudah begini sejak lama' }, [{ name: 'photos', filename: 'kondisi.png', type: 'image/png', data: PNG_1x1 }]) });
    expect(res.statusCode).toBe(202);
    const { id } = res.json();
    await waitFor(async () => (await q('triage').getJob(id)) ?? null, { what: 'triage job' });
    const admin = await login('admin');
    const page = await gw.app.inject({ url: '/admin/triage', headers: { cookie: admin } });
    const src = new RegExp(`<img src="(/admin/triage/${id}/attachments/[0-9a-f]{64})" alt="Foto lampiran 1 dari `).exec(page.body)?.[1];
    expect(src).toBeDefined();
    const photo = await gw.app.inject({ url: src!, headers: { cookie: admin } });
    expect(photo.statusCode).toBe(200);
    expect(photo.rawPayload.equals(PNG_1x1)).toBe(true);
    expect(photo.headers).toMatchObject({ 'content-type': 'image/png', 'cache-control': 'private, no-store', 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'none'; sandbox" });
    expect(photo.headers['content-disposition']).toMatch(/^inline; /);
    // An operator, no session, a hash the complaint does not name.
    expect((await gw.app.inject({ url: src!, headers: { cookie: await login('opr') } })).statusCode).toBe(403);
    expect((await gw.app.inject({ url: src! })).statusCode).toBe(303); // to the login page
    expect((await gw.app.inject({ url: `/admin/triage/${id}/attachments/${'0'.repeat(64)}`, headers: { cookie: admin } })).statusCode).toBe(404);
  });

  it('an admin sees the unsure complaint, assigns it, and it is re-published, told and recorded', async () => {
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Mohon perhatiannya bapak ibu, ini sudah lama sekali dibiarkan begitu saja', location: { description: 'gang 3', kelurahan: 'Sananwetan' } } });
    const { id, ticket, statusToken } = res.json();
    await waitFor(async () => (await q('triage').getJob(id)) ?? null, { what: 'triage job' });

    expect((await gw.app.inject({ url: '/api/v1/triage' })).statusCode).toBe(401);
    // Who asks before what: without a session, a bad body is 401, and no validation error is told.
    const signedOut = await gw.app.inject({ method: 'POST', url: `/api/v1/complaints/${id}/assign`, payload: { opd: 42 } });
    expect([signedOut.statusCode, signedOut.json().error]).toEqual([401, 'unauthenticated']);
    const operator = await login('opr');
    expect((await gw.app.inject({ url: '/api/v1/triage', headers: { cookie: operator } })).statusCode).toBe(403);

    const admin = await login('admin');
    const list = await gw.app.inject({ url: '/api/v1/triage', headers: { cookie: admin } });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((c: { id: string }) => c.id)).toContain(id);
    const page = await gw.app.inject({ url: '/admin/triage', headers: { cookie: admin } });
    expect(page.body).toContain(ticket);
    expect(page.body).toContain(`${ticket} <span class="muted" style="font-weight:400">· formulir web · `);
    // Kelurahan and kecamatan of one name are told apart.
    expect(page.body).toContain('Lokasi: gang 3, Kel. Sananwetan, Kec. Sananwetan</p>');

    const bad = await gw.app.inject({ method: 'POST', url: `/api/v1/complaints/${id}/assign`, headers: { cookie: admin }, payload: { opd: 'nope' } });
    expect(bad.statusCode).toBe(400);
    const assigned = await gw.app.inject({ method: 'POST', url: `/api/v1/complaints/${id}/assign`, headers: { cookie: admin }, payload: { opd: 'dlh', note: 'Sampah liar, cek lokasi' } });
    expect(assigned.statusCode).toBe(200);
    expect(assigned.json()).toMatchObject({ opd: 'dlh', revision: 1 });

    const opdJob = await q('opd.dlh').getJob(`${id}.r1`);
    expect(opdJob?.data.routing).toMatchObject({ decidedBy: 'admin', opd: 'dlh', revision: 1, note: 'Sampah liar, cek lokasi' });
    expect(await q('routed').getJob(`${id}.r1`)).toBeDefined();
    expect(await q('triage').getJob(id)).toBeUndefined();
    const status = await gw.app.inject({ url: `/api/v1/complaints/${ticket}?token=${statusToken}` });
    expect(status.json()).toMatchObject({ state: 'routed', opd: { code: 'dlh' } });

    const exported = await gw.app.inject({ url: '/api/v1/triage/corrections', headers: { cookie: admin } });
    const lines = exported.body.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ id, opd: 'dlh', by: 'admin', router: { triage: true } });
    expect(lines[0].text).toContain('Mohon perhatiannya');
  });

  it('the page form re-assigns a routed complaint and redirects back with a confirmation', async () => {
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Jukir liar di depan Pasar Legi minta uang parkir lima ribu' } });
    const { id, ticket } = res.json();
    await waitFor(async () => (await q('opd.dishub').getJob(id)) ?? null, { what: 'routed to dishub' });
    const admin = await login('admin');
    const post = await gw.app.inject({ method: 'POST', url: `/admin/triage/${id}/assign`, headers: { cookie: admin, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'opd=satpolpp&note=ketertiban' });
    expect(post.statusCode).toBe(303);
    expect(post.headers.location).toBe(`/admin/triage?done=${ticket}#diteruskan`);
    expect((await q('opd.satpolpp').getJob(`${id}.r1`))?.data.routing.decidedBy).toBe('admin');
    // Dishub's system had not taken it yet: it is no longer on dishub's queue to be taken later.
    expect(await q('opd.dishub').getJob(id)).toBeUndefined();
  });

  it('says that the note did not go when the complaint is already with the OPD chosen', async () => {
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Jukir liar di depan Stadion Soepriadi minta uang parkir sepuluh ribu' } });
    const { id, ticket } = res.json();
    await waitFor(async () => (await q('opd.dishub').getJob(id)) ?? null, { what: 'routed to dishub' });
    const admin = await login('admin');
    const post = await gw.app.inject({ method: 'POST', url: `/admin/triage/${id}/assign`, headers: { cookie: admin, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'opd=dishub&note=mohon+didahulukan&revision=0' });
    expect(post.headers.location).toBe(`/admin/triage?done=${ticket}&note=unsent#diteruskan`);
    expect(await q('opd.dishub').getJob(`${id}.r1`)).toBeUndefined();
    const page = await gw.app.inject({ url: post.headers.location!, headers: { cookie: admin } });
    expect(page.body).toContain('<strong>Catatan Anda tidak ikut terkirim</strong>');
    // The same OPD with no note: nothing was lost, nothing to say.
    const plain = await gw.app.inject({ method: 'POST', url: `/admin/triage/${id}/assign`, headers: { cookie: admin, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'opd=dishub&note=&revision=0' });
    expect(plain.headers.location).toBe(`/admin/triage?done=${ticket}#diteruskan`);
  });

  it("leaves the earlier OPD's job where that OPD's system has already taken it", async () => {
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Jukir liar di depan Pasar Legi minta uang parkir sepuluh ribu' } });
    const { id } = res.json();
    await waitFor(async () => (await q('opd.dishub').getJob(id)) ?? null, { what: 'routed to dishub' });
    const dishub = new Worker('opd.dishub', null, { connection: createRedis(url, 'worker'), prefix });
    try {
      // Dishub's system takes the job and files it in its own case system (the job completes).
      let taken;
      while ((taken = await dishub.getNextJob('dishub-system'))) {
        await taken.moveToCompleted('ok', 'dishub-system', false);
        if (taken.id === id) break;
      }
      expect(taken?.id).toBe(id);
      const assigned = await gw.app.inject({ method: 'POST', url: `/api/v1/complaints/${id}/assign`, headers: { cookie: await login('admin') }, payload: { opd: 'satpolpp' } });
      expect(assigned.statusCode).toBe(200);
      expect(await (await q('opd.dishub').getJob(id))?.getState()).toBe('completed');
    } finally {
      await dishub.close();
    }
  });

  it('two admins deciding at once, or one clicking twice, send the complaint to one OPD only', async () => {
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Mohon perhatiannya, ini sudah lama sekali dibiarkan begitu saja tanpa tindakan' } });
    const { id, ticket } = res.json();
    await waitFor(async () => (await q('triage').getJob(id)) ?? null, { what: 'triage job' });
    await gw.deps.auth.users.add({ username: 'admin2', password: PASSWORD, role: 'admin' });
    const [a, b] = [await login('admin'), await login('admin2')];
    const assign = (cookie: string, opd: string, revision?: number) =>
      gw.app.inject({ method: 'POST', url: `/api/v1/complaints/${id}/assign`, headers: { cookie }, payload: { opd, ...(revision !== undefined ? { revision } : {}) } });
    // Both saw revision 0 on their triage page.
    const answers = await Promise.all([assign(a, 'dlh', 0), assign(b, 'dishub', 0)]);
    expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const loser = answers.find((r) => r.statusCode === 409)!;
    expect(loser.json().error).toBe('assignment_conflict');
    const winner = answers.find((r) => r.statusCode === 200)!.json().opd as string;
    const other = winner === 'dlh' ? 'dishub' : 'dlh';
    expect(await q(`opd.${winner}`).getJob(`${id}.r1`)).toBeDefined();
    expect(await q(`opd.${other}`).getJob(`${id}.r1`)).toBeUndefined();
    // The page's form, sent again (a double click, a resubmission): nothing new reaches any OPD.
    const form = { cookie: a, 'content-type': 'application/x-www-form-urlencoded' };
    const again = await gw.app.inject({ method: 'POST', url: `/admin/triage/${id}/assign`, headers: form, payload: `opd=${winner}&revision=1` });
    expect(again.headers.location).toBe(`/admin/triage?done=${ticket}#diteruskan`);
    const stale = await gw.app.inject({ method: 'POST', url: `/admin/triage/${id}/assign`, headers: form, payload: `opd=${other}&revision=0` });
    expect(stale.headers.location).toBe(`/admin/triage?tiket=${ticket}&error=conflict`);
    const shown = (await gw.app.inject({ url: stale.headers.location, headers: { cookie: a } })).body;
    expect(shown).toContain('baru saja diteruskan oleh admin lain');
    expect(shown).toContain(`Sudah diteruskan oleh admin ke <strong>${winner === 'dlh' ? 'Dinas Lingkungan Hidup' : 'Dinas Perhubungan'}</strong>`);
    expect(await q(`opd.${winner}`).getJob(`${id}.r2`)).toBeUndefined();
    expect(await q(`opd.${other}`).getJob(`${id}.r2`)).toBeUndefined();
    expect((await gw.deps.status.history(id)).map((h) => h.state)).toEqual(['received', 'triage', 'routed']);
  });

  it('an assignment sent again after it failed part-way (published, Redis gone before the rest) is finished, not refused as another admin\'s', async () => {
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Mohon ditindak, sudah lama sekali tidak ada yang peduli dengan keadaan ini' } });
    const { id, ticket } = res.json();
    const waiting = await waitFor(async () => (await q('triage').getJob(id)) ?? null, { what: 'triage job' });
    const { routing: before, ...complaint } = waiting.data as RoutedComplaint;
    // What the admin's assignment had done when Redis went away: published revision 1 (feed, the
    // OPD's queue, the status record), not yet taken it off triage nor recorded the correction.
    const routing = { ...before, opd: 'dlh', opdName: 'Dinas Lingkungan Hidup', confidence: 1, reasons: ['assigned by admin admin'], alternatives: [], decidedBy: 'admin' as const, triage: false, revision: 1, note: 'sampah', routedAt: new Date().toISOString() };
    await publishRouted({ producer: gw.deps.producer, status: gw.deps.status }, complaint as RoutedComplaint, routing);
    const corrections = async () => (await gw.app.inject({ url: '/api/v1/triage/corrections', headers: { cookie: admin } })).body.split('\n').filter((l) => l.includes(id));
    const admin = await login('admin');
    expect(await corrections()).toEqual([]);
    // The page the admin still has: revision 0. Sent again, twice: finished once, told as done.
    const form = { cookie: admin, 'content-type': 'application/x-www-form-urlencoded' };
    for (let i = 0; i < 2; i++) {
      const again = await gw.app.inject({ method: 'POST', url: `/admin/triage/${id}/assign`, headers: form, payload: 'opd=dlh&note=sampah&revision=0' });
      expect(again.headers.location).toBe(`/admin/triage?done=${ticket}#diteruskan`);
    }
    expect(await q('triage').getJob(id)).toBeUndefined();
    expect((await corrections()).map((l) => JSON.parse(l) as { opd: string; at: string })).toEqual([expect.objectContaining({ opd: 'dlh', at: routing.routedAt })]);
    expect(await q('opd.dlh').getJob(`${id}.r2`)).toBeUndefined();
    // Another admin's form on revision 0 is still refused: this was not theirs.
    await gw.deps.auth.users.add({ username: 'admin3', password: PASSWORD, role: 'admin' });
    const other = await gw.app.inject({ method: 'POST', url: `/admin/triage/${id}/assign`, headers: { ...form, cookie: await login('admin3') }, payload: 'opd=dlh&revision=0' });
    expect(other.headers.location).toBe(`/admin/triage?tiket=${ticket}&error=conflict`);
  });

  it("an assignment sent again with its note changed records the note its OPD got, not the one it did not", async () => {
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Mohon ditindak, keadaan ini sudah lama sekali tidak ada yang mengurus' } });
    const { id, ticket } = res.json();
    const waiting = await waitFor(async () => (await q('triage').getJob(id)) ?? null, { what: 'triage job' });
    const { routing: before, ...complaint } = waiting.data as RoutedComplaint;
    // Published with the first note, then Redis went away: the admin edits the note on the form that came back, and sends it again.
    const routing = { ...before, opd: 'dlh', opdName: 'Dinas Lingkungan Hidup', confidence: 1, reasons: ['assigned by admin admin'], alternatives: [], decidedBy: 'admin' as const, triage: false, revision: 1, note: 'sampah', routedAt: new Date().toISOString() };
    await publishRouted({ producer: gw.deps.producer, status: gw.deps.status }, complaint as RoutedComplaint, routing);
    const admin = await login('admin');
    const again = await gw.app.inject({ method: 'POST', url: `/admin/triage/${id}/assign`, headers: { cookie: admin, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'opd=dlh&note=sampah+liar+di+gang+3&revision=0' });
    expect(again.statusCode).toBe(303);
    expect((await q('opd.dlh').getJob(`${id}.r1`))?.data.routing.note).toBe('sampah');
    // The admin is told that their edit did not reach the OPD, not only that the complaint went.
    expect(again.headers.location).toBe(`/admin/triage?done=${ticket}&note=unsent#diteruskan`);
    const page = await gw.app.inject({ url: again.headers.location!, headers: { cookie: admin } });
    expect(page.body).toMatch(/sudah diteruskan ke <strong>Dinas Lingkungan Hidup<\/strong>\. <strong>Catatan Anda tidak ikut terkirim<\/strong>/);
    // An API client is told which note the OPD got.
    const api = await gw.app.inject({ method: 'POST', url: `/api/v1/complaints/${id}/assign`, headers: { cookie: admin }, payload: { opd: 'dlh', note: 'sampah liar di gang 3', revision: 0 } });
    expect(api.json()).toMatchObject({ opd: 'dlh', revision: 1, note: 'sampah' });
    const exported = await gw.app.inject({ url: '/api/v1/triage/corrections', headers: { cookie: admin } });
    const mine = exported.body.split('\n').filter((l) => l.includes(`"id":"${id}"`)).map((l) => JSON.parse(l) as { note?: string });
    expect(mine).toEqual([expect.objectContaining({ note: 'sampah' })]);
  });

  it('an assignment that was finished, sent again later (an old tab, an API client without revision), records nothing twice and tells the citizen nothing twice', async () => {
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Mohon ditindak segera, keadaannya sudah lama sekali dibiarkan begini' } });
    const { id } = res.json();
    await waitFor(async () => (await q('triage').getJob(id)) ?? null, { what: 'triage job' });
    // Its citizen follows it on WhatsApp: the assignment's notice goes to that chat.
    expect(await gw.deps.status.follow(id, { channel: 'whatsapp', account: '6281100000001', to: '6281234500077@s.whatsapp.net' })).toBe('followed');
    const admin = await login('admin');
    const done = await gw.app.inject({ method: 'POST', url: `/api/v1/complaints/${id}/assign`, headers: { cookie: admin }, payload: { opd: 'dlh', revision: 0 } });
    expect(done.statusCode).toBe(200);
    const notice = await q('notify.whatsapp').getJob(`routed.${id}.r1`);
    expect(notice?.data.kind).toBe('routed');
    // A week on, BullMQ has removed the notice sent; other admins have made many corrections since.
    await notice!.remove();
    const others = Array.from({ length: 60 }, (_, i) => JSON.stringify({ id: `other-${i}`, text: '-', opd: 'dishub', router: { opd: 'dlh', confidence: 0, triage: true, decidedBy: 'router' }, by: 'admin2', at: new Date().toISOString() }));
    await conn.rpush(`${prefix}:routing:corrections`, ...others);
    const form = { cookie: admin, 'content-type': 'application/x-www-form-urlencoded' };
    const oldTab = await gw.app.inject({ method: 'POST', url: `/admin/triage/${id}/assign`, headers: form, payload: 'opd=dlh&revision=0' });
    expect(oldTab.statusCode).toBe(303);
    const api = await gw.app.inject({ method: 'POST', url: `/api/v1/complaints/${id}/assign`, headers: { cookie: admin }, payload: { opd: 'dlh' } });
    expect(api.json()).toMatchObject({ opd: 'dlh', revision: 1 });
    const exported = await gw.app.inject({ url: '/api/v1/triage/corrections', headers: { cookie: admin } });
    expect(exported.body.split('\n').filter((l) => l.includes(`"id":"${id}"`))).toHaveLength(1);
    expect(await q('notify.whatsapp').getJob(`routed.${id}.r1`)).toBeUndefined();
  });

  it('carries the callers the radio desk linked to the OPD it assigns, and the OPD API shows them', async () => {
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Mohon perhatiannya bapak, ini sudah berbulan-bulan dibiarkan saja' } });
    const { id, ticket } = res.json();
    await waitFor(async () => (await q('triage').getJob(id)) ?? null, { what: 'triage job' });
    const desk = await login('opr');
    for (const key of ['l1', 'l2']) {
      const link = await gw.app.inject({ method: 'POST', url: `/api/v1/desk/complaints/${ticket}/supporters`, headers: { cookie: desk, 'idempotency-key': key }, payload: { program: 'Halo Blitar' } });
      expect(link.json().supporters).toBe(Number(key.slice(1)));
    }
    const admin = await login('admin');
    expect((await gw.app.inject({ method: 'POST', url: `/api/v1/complaints/${id}/assign`, headers: { cookie: admin }, payload: { opd: 'dlh' } })).statusCode).toBe(200);
    expect((await q('opd.dlh').getJob(`${id}.r1`))?.data.supporters).toBe(2);
    // A third caller after the decision: the OPD reads the count from the API.
    await gw.app.inject({ method: 'POST', url: `/api/v1/desk/complaints/${ticket}/supporters`, headers: { cookie: desk, 'idempotency-key': 'l3' }, payload: { program: 'Halo Blitar' } });
    const { secret } = await gw.deps.opdKeys.create('dlh', 'triage-test');
    const seen = await gw.app.inject({ url: `/api/v1/opd/complaints/${id}`, headers: { authorization: `Bearer ${secret}` } });
    expect(seen.statusCode).toBe(200);
    expect(seen.json().complaint.supporters).toBe(3);
  });

  it("a complaint an admin puts outside the city's remit tells its citizen where to go, on the status page as in the notice", async () => {
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Mohon perhatiannya bapak ibu, ini sudah lama sekali dibiarkan begitu saja di kampung kami' } });
    const { id, ticket, statusToken } = res.json();
    await waitFor(async () => (await q('triage').getJob(id)) ?? null, { what: 'triage job' });
    const assigned = await gw.app.inject({ method: 'POST', url: `/api/v1/complaints/${id}/assign`, headers: { cookie: await login('admin') }, payload: { opd: 'external' } });
    expect(assigned.statusCode).toBe(200);
    expect((await q('routed').getJob(`${id}.r1`))?.data.routing.external?.advice).toContain('lapor.go.id');
    const status = (await gw.app.inject({ url: `/api/v1/complaints/${ticket}?token=${statusToken}` })).json();
    expect(status.state).toBe('external');
    expect(JSON.stringify(status.history)).toContain('lapor.go.id');
  });

  it('lists each OPD once in the form, "external" included, with the revision it shows', async () => {
    const { id } = (await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Tolong diperhatikan pak, sudah lama sekali tidak ada yang peduli' } })).json();
    await waitFor(async () => (await q('triage').getJob(id)) ?? null, { what: 'triage job' });
    const admin = await login('admin');
    const page = (await gw.app.inject({ url: '/admin/triage', headers: { cookie: admin } })).body;
    const form = /<form method="post" action="\/admin\/triage\/[0-9A-Z]{26}\/assign">([\s\S]*?)<\/form>/.exec(page)?.[1] ?? '';
    expect(form).toContain('name="revision" value="0"');
    const values = [...form.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]);
    expect(values).toContain('external');
    expect(new Set(values).size).toBe(values.length);
    // A shared office computer: the admin can sign out from the page itself.
    expect(page).toMatch(/<form method="post" action="\/logout"[^>]*id="triage-logout"[^>]*>.*<button type="submit" class="secondary">Keluar<\/button><\/form>/);
  });

  it("marks a confidential complaint, so the admin's note to the OPD does not name the reporter", async () => {
    const file = async (confidential: boolean) => {
      const { id } = (await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Mohon ditindak, saya takut melapor langsung karena tetangga sendiri', reporter: { name: 'Rina', phone: '081234567890', confidential } } })).json();
      await waitFor(async () => (await q('triage').getJob(id)) ?? null, { what: 'triage job' });
      return id as string;
    };
    const [secret, open] = [await file(true), await file(false)];
    const page = (await gw.app.inject({ url: '/admin/triage', headers: { cookie: await login('admin') } })).body;
    const article = (id: string) => new RegExp(`<article class="card" aria-labelledby="t-${id}">([\\s\\S]*?)</article>`).exec(page)?.[1] ?? '';
    expect(article(secret)).toContain(`<p id="rahasia-${secret}"><strong>Rahasia:</strong>`);
    expect(article(secret)).toMatch(new RegExp(`<input type="text" id="note-${secret}" name="note" maxlength="2000" aria-describedby="rahasia-${secret}">`));
    expect(article(open)).toContain('takut melapor');
    expect(article(open)).not.toContain('Rahasia:');
  });

  it('refuses assignments another site could make with the admin\'s cookie, and ids that name no complaint', async () => {
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Jukir liar di depan Pasar Legi minta uang parkir lima ribu lagi' } });
    const { id } = res.json();
    await waitFor(async () => (await q('opd.dishub').getJob(id)) ?? null, { what: 'routed to dishub' });
    const admin = await login('admin');
    const form = { cookie: admin, 'content-type': 'application/x-www-form-urlencoded' };
    // The API takes JSON only: a form on another site cannot send it.
    const api = await gw.app.inject({ method: 'POST', url: `/api/v1/complaints/${id}/assign`, headers: form, payload: 'opd=dlh&note=csrf' });
    expect(api.statusCode).toBe(415);
    expect(api.json().error).toBe('json_required');
    // The page's form, posted from elsewhere (or from a sandboxed frame: Origin null).
    for (const origin of ['http://evil.example', 'null', 'not a url']) {
      const page = await gw.app.inject({ method: 'POST', url: `/admin/triage/${id}/assign`, headers: { ...form, origin }, payload: 'opd=dlh&note=csrf' });
      expect(page.statusCode).toBe(403);
      expect(page.headers['content-type']).toContain('text/html');
    }
    expect(await q('opd.dlh').getJob(`${id}.r1`)).toBeUndefined();
    // From this site, it goes through.
    const own = await gw.app.inject({ method: 'POST', url: `/admin/triage/${id}/assign`, headers: { ...form, origin: 'http://localhost:80', host: 'localhost:80' }, payload: 'opd=dlh' });
    expect(own.statusCode).toBe(303);
    // Fields that are not text (a JSON body with objects): the form again with nothing chosen (400), not a 500.
    const odd = await gw.app.inject({ method: 'POST', url: `/admin/triage/${id}/assign`, headers: { cookie: admin }, payload: { opd: { toString: 1 }, note: { toString: 1 } } });
    expect(odd.statusCode).toBe(400);
    expect(odd.body).toContain('Aduan belum diteruskan: ');
    expect(odd.body).toContain('<option value="" selected>— Pilih dinas —</option>');
    // Not a complaint id (BullMQ keeps `meta`, `id`, `events` beside the jobs): back to the page with an error, not a 500.
    for (const bad of ['meta', 'events']) {
      const page = await gw.app.inject({ method: 'POST', url: `/admin/triage/${bad}/assign`, headers: form, payload: 'opd=dlh' });
      expect(page.statusCode).toBe(303);
      expect(page.headers.location).toBe('/admin/triage?error=failed');
    }
    // An error code of the address that names no message (an Object.prototype key among them): the general one.
    const crafted = await gw.app.inject({ url: '/admin/triage?error=constructor', headers: { cookie: admin } });
    expect(crafted.body).toContain('Aduan tidak dapat diteruskan. Mohon coba lagi.');
    expect(crafted.body).not.toContain('function Object');
  });
  it('keeps a decision sent with an expired session for that admin to confirm: not from another site, not for another complaint, and against a decision made meanwhile', async () => {
    const filed = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Mohon perhatiannya, sudah lama sekali dibiarkan tanpa kejelasan di sini' } });
    const { id, ticket } = filed.json();
    await waitFor(async () => (await q('triage').getJob(id)) ?? null, { what: 'triage' });
    const form = { 'content-type': 'application/x-www-form-urlencoded', cookie: 'aduan_session=expired-long-ago' };
    // From another site: refused before anything is kept.
    const cross = await gw.app.inject({ method: 'POST', url: `/admin/triage/${id}/assign`, headers: { ...form, origin: 'http://evil.example' }, payload: 'opd=dlh&revision=0&note=csrf' });
    expect(cross.statusCode).toBe(403);
    expect(cross.cookies.map((c) => c.name)).not.toContain('aduan_triage_draft');
    const sent = await gw.app.inject({ method: 'POST', url: `/admin/triage/${id}/assign`, headers: form, payload: 'opd=dlh&revision=0&note=Mohon+dicek+RT+03' });
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toBe(`/login?next=${encodeURIComponent(`/admin/triage/${id}/assign`)}&expired=1`);
    expect(sent.headers.location).not.toContain('dicek');
    const draft = sent.cookies.find((c) => c.name === 'aduan_triage_draft')!;
    expect(draft).toMatchObject({ path: '/admin/triage', httpOnly: true, sameSite: 'Strict' });
    expect(draft.value).not.toContain('dicek');
    const cookie = `${await login('admin')}; aduan_triage_draft=${draft.value}`;
    const restored = await gw.app.inject({ method: 'GET', url: `/admin/triage/${id}/assign`, headers: { cookie } });
    expect(restored.statusCode).toBe(200);
    expect(restored.body).toContain('value="Mohon dicek RT 03"');
    expect(restored.body).toMatch(/<option value="dlh" selected>/);
    expect(await q('triage').getJob(id)).toBeDefined();
    // Another complaint's page shows no draft: the list, at that complaint.
    const other = await gw.app.inject({ method: 'GET', url: `/admin/triage/01ARZ3NDEKTSV4RRFFQ69G5FAV/assign`, headers: { cookie } });
    expect(other.headers.location).toBe('/admin/triage#t-01ARZ3NDEKTSV4RRFFQ69G5FAV');
    // Another admin assigns it meanwhile: the restored page says so and shows where it is now.
    expect((await gw.app.inject({ method: 'POST', url: `/api/v1/complaints/${id}/assign`, headers: { cookie: await login('admin') }, payload: { opd: 'dishub' } })).statusCode).toBe(200);
    const meanwhile = await gw.app.inject({ method: 'GET', url: `/admin/triage/${id}/assign`, headers: { cookie } });
    expect(meanwhile.body).toContain(`Sesi Anda tadi berakhir sebelum aduan <strong>${ticket}</strong> diteruskan. Aduan ini baru saja diteruskan oleh admin lain.`);
    // Their choice named, not selected (a stray Enter changes nothing); the note kept.
    expect(meanwhile.body).toContain('Pilihan Anda tadi: <strong>DLH — Dinas Lingkungan Hidup</strong>.');
    expect(meanwhile.body).toMatch(/<option value="dishub" selected>/);
    expect(meanwhile.body).toContain('value="Mohon dicek RT 03"');
    expect(meanwhile.body).toContain('Sudah diteruskan oleh admin ke <strong>Dinas Perhubungan</strong>');
    expect(meanwhile.body).toContain('name="revision" value="1"');
  });
  it('a forged draft with an OPD code the directory does not know selects no OPD: the browser must not fall back to the first one', async () => {
    const filed = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Mohon perhatiannya, sudah lama sekali dibiarkan tanpa kejelasan di sini juga' } });
    const { id } = filed.json();
    await waitFor(async () => (await q('triage').getJob(id)) ?? null, { what: 'triage' });
    const sent = await gw.app.inject({ method: 'POST', url: `/admin/triage/${id}/assign`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'opd=bukan-dinas&revision=0&note=Catatan' });
    const draft = sent.cookies.find((c) => c.name === 'aduan_triage_draft')!;
    const restored = await gw.app.inject({ method: 'GET', url: `/admin/triage/${id}/assign`, headers: { cookie: `${await login('admin')}; aduan_triage_draft=${draft.value}` } });
    expect(restored.statusCode).toBe(200);
    expect(restored.body).toContain('<option value="" selected>— Pilih dinas —</option>');
    expect(restored.body.match(/ selected>/g)).toHaveLength(1);
    expect(restored.body).not.toContain('bukan-dinas');
    expect(restored.body).toContain('value="Catatan"');
  });
  it("keeps at most 200 drafts for requests without a session, from however many addresses, and none with nothing to restore; an admin's own browser is not held to that", async () => {
    const filed = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Mohon perhatiannya, sudah lama sekali dibiarkan tanpa kejelasan di situ' } });
    const { id } = filed.json();
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    // The budget is shared: start it afresh (the drafts of the tests above counted).
    await conn.del(`${prefix}:triage-draft-budget`);
    const empty = await gw.app.inject({ method: 'POST', url: `/admin/triage/${id}/assign`, headers: form, payload: 'revision=0', remoteAddress: '2001:db8:ffff:1::1' });
    expect(empty.statusCode).toBe(303);
    expect(empty.cookies.map((c) => c.name)).not.toContain('aduan_triage_draft');
    // Each from its own /64: the per-address login limit (20 a minute) never applies.
    const note = `note=${'x'.repeat(2000)}`;
    const kept: boolean[] = [];
    for (let n = 0; n < 210; n++) {
      const res = await gw.app.inject({ method: 'POST', url: `/admin/triage/${id}/assign`, headers: form, payload: `opd=dlh&${note}`, remoteAddress: `2001:db8:${n.toString(16)}:1::1` });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toMatch(/^\/login\?next=/);
      kept.push(res.cookies.some((c) => c.name === 'aduan_triage_draft'));
    }
    expect(kept.filter(Boolean)).toHaveLength(200);
    expect(kept.slice(200)).toEqual(Array(10).fill(false));
    // The budget used up, an admin's own browser (it logged in before: its device cookie) still has its draft kept.
    const loggedIn = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', payload: { username: 'admin', password: PASSWORD } });
    const device = loggedIn.cookies.find((c) => c.name === 'aduan_device')!.value;
    const own = await gw.app.inject({ method: 'POST', url: `/admin/triage/${id}/assign`, headers: { ...form, cookie: `aduan_device=${device}` }, payload: 'opd=dlh&note=Mohon+dicek', remoteAddress: '2001:db8:eeee:1::1' });
    expect(own.headers.location).toMatch(/^\/login\?next=/);
    const ownDraft = own.cookies.find((c) => c.name === 'aduan_triage_draft')!;
    expect(await conn.get(`${prefix}:triage-draft-budget`)).toBe('210');
    const back = await gw.app.inject({ method: 'GET', url: `/admin/triage/${id}/assign`, headers: { cookie: `aduan_session=${loggedIn.cookies.find((c) => c.name === 'aduan_session')!.value}; aduan_triage_draft=${ownDraft.value}` } });
    expect(back.body).toContain('value="Mohon dicek"');
    // A made-up device cookie is no admin's browser.
    const forged = await gw.app.inject({ method: 'POST', url: `/admin/triage/${id}/assign`, headers: { ...form, cookie: `aduan_device=${'A'.repeat(32)}` }, payload: 'opd=dlh&note=x', remoteAddress: '2001:db8:eeee:2::1' });
    expect(forged.cookies.map((c) => c.name)).not.toContain('aduan_triage_draft');
    const keys = await conn.keys(`${prefix}:triage-draft:*`);
    expect(keys.length).toBeLessThanOrEqual(200 + 6);
    // Leave the budget to the other tests.
    await conn.del(`${prefix}:triage-draft-budget`, ...keys);
  });
  it('keeps at most 20 drafts per browser some account logged in from: one device cookie cannot fill Redis from many addresses', async () => {
    const filed = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Mohon perhatiannya, gorong-gorong tersumbat sudah lama tanpa kejelasan' } });
    const { id } = filed.json();
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    // Any account's browser holds one: here an operator's, who has no use for triage drafts.
    const loggedIn = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', payload: { username: 'opr', password: PASSWORD } });
    const device = loggedIn.cookies.find((c) => c.name === 'aduan_device')!.value;
    const before = (await conn.keys(`${prefix}:triage-draft:*`)).length;
    const kept: boolean[] = [];
    // Each from its own /64: the per-address login limit (20 a minute) never applies.
    for (let n = 0; n < 30; n++) {
      const res = await gw.app.inject({ method: 'POST', url: `/admin/triage/${id}/assign`, headers: { ...form, cookie: `aduan_device=${device}` }, payload: `opd=dlh&note=${'y'.repeat(2000)}`, remoteAddress: `2001:db8:dddd:${n.toString(16)}::1` });
      expect(res.headers.location).toMatch(/^\/login\?next=/);
      kept.push(res.cookies.some((c) => c.name === 'aduan_triage_draft'));
    }
    expect(kept.slice(0, 20)).toEqual(Array(20).fill(true));
    expect(kept.slice(20)).toEqual(Array(10).fill(false));
    expect((await conn.keys(`${prefix}:triage-draft:*`)).length - before).toBe(20);
    // Another browser's budget is its own: the admin's still has its draft kept.
    const admin = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', payload: { username: 'admin', password: PASSWORD } });
    const own = await gw.app.inject({ method: 'POST', url: `/admin/triage/${id}/assign`, headers: { ...form, cookie: `aduan_device=${admin.cookies.find((c) => c.name === 'aduan_device')!.value}` }, payload: 'opd=dlh&note=Mohon+dicek', remoteAddress: '2001:db8:dddd:ffff::1' });
    expect(own.cookies.map((c) => c.name)).toContain('aduan_triage_draft');
  });
  it('says that an OPD returned the complaint, not that another admin assigned it, when its return came first', async () => {
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Jukir liar di depan Pasar Templek minta uang parkir tanpa karcis' } });
    const { id, ticket } = res.json();
    await waitFor(async () => ((await gw.deps.status.get(id))?.opd === 'dishub' ? true : null), { what: 'routed to dishub' });
    const admin = await login('admin');
    // The admin looks it up (revision 0, with Dishub) and decides; Dishub returns it first.
    expect((await gw.app.inject({ url: `/admin/triage?tiket=${ticket}`, headers: { cookie: admin } })).body).toContain('name="revision" value="0"');
    await q('status').add('status', { schemaVersion: 1, complaintId: id, opd: 'dishub', state: 'returned', message: 'Bukan kewenangan kami', at: new Date().toISOString(), updateId: `ret-${id}` }, { jobId: `ret-${id}` });
    await waitFor(async () => (await q('triage').getJob(`${id}.r1`)) ?? null, { what: 'returned to triage' });
    const sent = await gw.app.inject({ method: 'POST', url: `/admin/triage/${id}/assign`, headers: { cookie: admin, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'opd=satpolpp&revision=0&note=Tolong+ditertibkan' });
    expect(sent.headers.location).toBe(`/admin/triage?tiket=${ticket}&error=conflict`);
    const draft = sent.cookies.find((c) => c.name === 'aduan_triage_draft')!;
    const page = await gw.app.inject({ url: sent.headers.location as string, headers: { cookie: `${admin}; aduan_triage_draft=${draft.value}` } });
    expect(page.body).toContain('Aduan ini baru saja dikembalikan oleh Dinas Perhubungan: menurut dinas itu, bukan kewenangannya.');
    expect(page.body).not.toContain('admin lain');
    expect(page.body).toContain('value="Tolong ditertibkan"');
    expect(page.body).toContain('name="revision" value="1"');
  });
  it('says how many wait when there are more than the page shows, and finds any of them by its ticket', async () => {
    const file = async (text: string) => {
      const { id, ticket } = (await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text } })).json();
      return { id: id as string, ticket: ticket as string, job: await waitFor(async () => (await q('triage').getJob(id)) ?? null, { what: 'triage job' }) };
    };
    const first = await file('Mohon perhatiannya bapak ibu, sudah berbulan-bulan tidak ada tindakan sama sekali');
    // 200 more complaints wait before the one the admin looks for (copies, with ids of their own).
    const older = Array.from({ length: 200 }, (_, i) => `00000000000000000000${String(i).padStart(6, '0')}`);
    await q('triage').addBulk(older.map((o, i) => ({ name: 'triage', data: { ...first.job.data, id: o, ticket: `ADU-0000-${String(i).padStart(4, '0')}` }, opts: { jobId: o } })));
    const { id, ticket } = await file('Tolong diperhatikan bapak ibu, sudah berbulan-bulan tidak ada yang datang melihat');
    try {
      const admin = await login('admin');
      const waiting = await q('triage').getJobCountByTypes('waiting', 'prioritized', 'delayed');
      expect(waiting).toBeGreaterThan(200);
      const page = (await gw.app.inject({ url: '/admin/triage', headers: { cookie: admin } })).body;
      expect(page).toContain(`<strong>${waiting}</strong> aduan menunggu triase. Yang tampil 200 paling lama; sisanya muncul setelah ini diteruskan, atau cari tiketnya.`);
      expect(page).not.toContain(ticket);
      const found = (await gw.app.inject({ url: `/admin/triage?tiket=${encodeURIComponent(ticket.toLowerCase())}`, headers: { cookie: admin } })).body;
      expect(found).toContain(`action="/admin/triage/${id}/assign"`);
      expect(found.match(/<article /g)).toHaveLength(1);
    } finally {
      for (const o of older) await q('triage').remove(o);
      for (const c of [first.id, id]) await q('triage').remove(c);
    }
  });
  it("keeps a confidential reporter's name and number out of the corrections export, as out of the OPD's job", async () => {
    const res = await gw.app.inject({
      method: 'POST',
      url: '/api/v1/complaints',
      payload: { text: 'Saya Budi Santoso (0812) 3456-7890, jukir liar di depan Pasar Legi minta uang parkir dua puluh ribu', location: { description: 'depan rumah Budi Santoso' }, reporter: { name: 'Budi Santoso', phone: '081234567890', email: 'budi.santoso77@gmail.com', confidential: true } },
    });
    const { id } = res.json();
    await waitFor(async () => (await q('opd.dishub').getJob(id)) ?? null, { what: 'routed to dishub' });
    const admin = await login('admin');
    expect((await gw.app.inject({ method: 'POST', url: `/api/v1/complaints/${id}/assign`, headers: { cookie: admin }, payload: { opd: 'satpolpp' } })).statusCode).toBe(200);
    const exported = await gw.app.inject({ url: '/api/v1/triage/corrections', headers: { cookie: admin } });
    const line = exported.body.trim().split('\n').find((l) => l.includes(id))!;
    expect(line).toBeDefined();
    for (const leak of ['Budi', 'Santoso', '3456', '7890', 'budi.santoso77']) expect(line, leak).not.toContain(leak);
    // The words the router learns from stay.
    expect(JSON.parse(line)).toMatchObject({ opd: 'satpolpp', location: { description: 'depan rumah [disembunyikan]' } });
    expect(JSON.parse(line).text).toContain('jukir liar di depan Pasar Legi');
  });
});
