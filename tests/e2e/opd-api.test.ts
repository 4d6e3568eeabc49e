import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, multipartBody, PNG_1x1 } from '@aduan/gateway/testing';
import { OpdKeyStore } from '@aduan/gateway';
import { startRouterService, type RouterService } from '@aduan/router';
import { createRedis, QueueNames } from '@aduan/queue';
import { deterministicComplaintId, ticketFor, type Complaint } from '@aduan/schema';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';

/** The OPD API, end to end: gateway + real router + Redis; keys made as the CLI makes them. */
const url = testRedisUrl();
const prefix = uniquePrefix('opdapi');
const { logger, lines, text } = memoryLogger('opdapi');
let router: RouterService;
let gw: Awaited<ReturnType<typeof createTestGateway>>;
const redis = createRedis(url, 'worker');
const keys = new OpdKeyStore(redis, prefix);
const statusQueue = new Queue('status', { connection: redis, prefix });
let dishub: string;
let dlh: string;
let revoked: string;

type View = { state: string; opd?: { code: string }; history: { state: string; at: string; message?: string }[] };

async function fileRouted(payload: object): Promise<{ id: string; ticket: string; statusToken: string }> {
  const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload });
  expect(res.statusCode).toBe(202);
  const c = res.json() as { id: string; ticket: string; statusToken: string };
  await waitFor(async () => ((await citizenView(c)).state === 'routed' ? true : null), { timeoutMs: 15_000, what: 'routed' });
  return c;
}
const citizenView = async (c: { ticket: string; statusToken: string }) => (await gw.app.inject({ url: `/api/v1/complaints/${c.ticket}`, headers: { authorization: `Bearer ${c.statusToken}` } })).json() as View;
const asOpd = (secret: string | undefined, method: 'GET' | 'POST', path: string, payload?: object) =>
  gw.app.inject({ method, url: path, ...(secret ? { headers: { authorization: `Bearer ${secret}` } } : {}), ...(payload ? { payload } : {}) });

beforeAll(async () => {
  router = await startRouterService({ redisUrl: url, prefix, logger });
  gw = await createTestGateway({ redisUrl: url, prefix, logger, routerAlive: router.alive });
  dishub = (await keys.create('dishub', 'SIM Dishub')).secret;
  dlh = (await keys.create('dlh', 'SIM DLH')).secret;
  const old = await keys.create('dishub', 'old laptop');
  await keys.revoke(old.key.id);
  revoked = old.secret;
  await gw.deps.auth.users.add({ username: 'admin', password: 'kata-sandi-admin-77', role: 'admin' });
});
afterAll(async () => {
  await gw.close();
  await router.close();
  await statusQueue.close();
  redis.disconnect();
  await deletePrefix(url, prefix);
});

describe('OPD API', () => {
  it('lets an OPD read its own complaint, without the reporter when confidential, and no one else', async () => {
    const c = await fileRouted({ text: 'Banyak jukir liar di sekitar Alun-alun, parkir seenaknya bikin macet', reporter: { name: 'Siti Aminah', phone: '0812 3456 7890', confidential: true } });
    const own = await asOpd(dishub, 'GET', `/api/v1/opd/complaints/${c.id}`);
    expect(own.statusCode).toBe(200);
    const body = own.json() as { complaint: { id: string; reporter?: unknown; routing: { opd: string } }; status: View };
    expect(body.complaint).toMatchObject({ id: c.id, routing: { opd: 'dishub' } });
    expect(body.complaint.reporter).toBeUndefined();
    expect(own.body).not.toContain('Siti');
    expect(body.status.state).toBe('routed');
    // Another OPD's key, an unknown id, no key, a made-up key, a revoked key.
    expect((await asOpd(dlh, 'GET', `/api/v1/opd/complaints/${c.id}`)).json()).toMatchObject({ error: 'not_found' });
    expect((await asOpd(dishub, 'GET', '/api/v1/opd/complaints/01ARZ3NDEKTSV4RRFFQ69G5FAV')).statusCode).toBe(404);
    expect((await asOpd(undefined, 'GET', `/api/v1/opd/complaints/${c.id}`)).json()).toMatchObject({ error: 'key_required' });
    for (const bad of ['aduan_opd_made-up', revoked, c.statusToken]) {
      const res = await asOpd(bad, 'GET', `/api/v1/opd/complaints/${c.id}`);
      expect([res.statusCode, res.json().error]).toEqual([401, 'invalid_key']);
    }
    // Each refusal is logged with where it came from, never with the key that was tried.
    const refusals = lines.filter((l) => l.event === 'opd_key_refused');
    expect(refusals.map((l) => [l.reason, l.action, l.client])).toEqual([['key_required', 'read', '127.0.0.1'], ...Array(3).fill(['invalid_key', 'read', '127.0.0.1'])]);
    expect(text()).not.toContain(revoked);
    // Operators see who uses the API and how (the OPD of the key, never the key).
    const metrics = (await gw.app.inject({ url: '/metrics' })).body;
    const value = (labels: string) => Number(new RegExp(`^aduan_gateway_opd_requests_total\\{${labels}\\} (\\d+)$`, 'm').exec(metrics)?.[1]);
    expect(value('opd="dishub",action="read",outcome="ok"')).toBe(1);
    expect(value('opd="dishub",action="read",outcome="not_found"')).toBe(1);
    expect(value('opd="dlh",action="read",outcome="not_found"')).toBe(1);
    expect(value('opd="none",action="read",outcome="unauthenticated"')).toBe(4);
    expect(metrics).not.toContain(dishub);
  });

  it('takes progress from the OPD the complaint is routed to, once per updateId, and the citizen sees it', async () => {
    const c = await fileRouted({ text: 'Banyak jukir liar di depan Pasar Legi, tarif parkir tidak sesuai karcis' });
    const update = { state: 'in_progress', message: 'Petugas menuju lokasi', updateId: 'sim-41' };
    // Another OPD cannot move it: refused before anything is queued.
    const before = await statusQueue.count();
    expect((await asOpd(dlh, 'POST', `/api/v1/opd/complaints/${c.id}/status`, update)).statusCode).toBe(404);
    expect(await statusQueue.count()).toBe(before);
    const res = await asOpd(dishub, 'POST', `/api/v1/opd/complaints/${c.id}/status`, update);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ updateId: 'dishub.sim-41', outcome: 'queued' });
    const view = await waitFor(async () => {
      const v = await citizenView(c);
      return v.state === 'in_progress' ? v : null;
    }, { timeoutMs: 15_000, what: 'in_progress' });
    expect(view.history.at(-1)).toMatchObject({ state: 'in_progress', message: 'Petugas menuju lokasi' });
    // A retry of the same update changes nothing; a new one moves it on.
    const retried = await asOpd(dishub, 'POST', `/api/v1/opd/complaints/${c.id}/status`, update);
    expect([retried.statusCode, retried.json()]).toEqual([202, { updateId: 'dishub.sim-41', outcome: 'queued' }]);
    // The same updateId for another report on it would be dropped as that retry: refused aloud.
    const otherReport = await asOpd(dishub, 'POST', `/api/v1/opd/complaints/${c.id}/status`, { ...update, state: 'resolved' });
    expect([otherReport.statusCode, otherReport.json().error]).toEqual([409, 'update_id_reused']);
    const otherMessage = await asOpd(dishub, 'POST', `/api/v1/opd/complaints/${c.id}/status`, { ...update, message: 'Sudah ditertibkan' });
    expect([otherMessage.statusCode, otherMessage.json().error]).toEqual([409, 'update_id_reused']);
    expect((await asOpd(dishub, 'POST', `/api/v1/opd/complaints/${c.id}/status`, { state: 'resolved', updateId: 'sim-42' })).statusCode).toBe(202);
    const done = await waitFor(async () => {
      const v = await citizenView(c);
      return v.state === 'resolved' ? v : null;
    }, { timeoutMs: 15_000, what: 'resolved' });
    expect(done.history.filter((h) => h.state === 'in_progress')).toHaveLength(1);
    // The same updateId for another complaint would be taken for a retry and dropped: refused aloud.
    const other = await fileRouted({ text: 'Jukir liar di depan Alun-alun minta parkir dua kali lipat, tanpa karcis' });
    const reused = await asOpd(dishub, 'POST', `/api/v1/opd/complaints/${other.id}/status`, { state: 'in_progress', updateId: 'sim-42' });
    expect([reused.statusCode, reused.json().error]).toEqual([409, 'update_id_reused']);
    // The log line names the OPD and key, not the key itself.
    const logged = lines.find((l) => l.msg === 'opd status update queued' && l.updateId === 'dishub.sim-41');
    expect(logged).toMatchObject({ opd: 'dishub', complaintId: c.id });
    expect(text()).not.toContain(dishub);
  });

  it('refuses a malformed update with the field named', async () => {
    const c = await fileRouted({ text: 'Jukir liar di Jl. Mastrip minta uang parkir dua kali lipat' });
    const res = await asOpd(dishub, 'POST', `/api/v1/opd/complaints/${c.id}/status`, { state: 'done', updateId: 'a:b' });
    expect(res.statusCode).toBe(400);
    const body = res.json() as { error: string; fields: Record<string, unknown> };
    expect(body.error).toBe('validation_failed');
    expect(Object.keys(body.fields).sort()).toEqual(['state', 'updateId']);
    // Without a key, nothing is said about the request, not even that it is malformed.
    const anon = await asOpd(undefined, 'POST', '/api/v1/opd/complaints/not-an-id/status', { state: 'done' });
    expect([anon.statusCode, anon.json().error]).toEqual([401, 'key_required']);
  });

  it('gives each OPD a feed of its own complaints, oldest first, page by page, without ones re-assigned away', async () => {
    type Feed = { items: { complaint: { id: string; routing: { opd: string } } }[]; next: string };
    const feed = async (secret: string, query = '') => {
      const res = await asOpd(secret, 'GET', `/api/v1/opd/complaints${query}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      return res.json() as Feed;
    };
    // The earlier tests routed four complaints to dishub; now one for dlh and one more for dishub.
    const trash = await fileRouted({ text: 'Sampah menumpuk di TPS Jl. Kalimantan sudah seminggu tidak diangkut, baunya menyengat' });
    const last = await fileRouted({ text: 'Jukir liar di depan Stasiun Blitar memaksa minta uang parkir' });
    const all = await feed(dishub);
    expect(all.items).toHaveLength(5);
    expect(all.items.every((i) => i.complaint.routing.opd === 'dishub')).toBe(true);
    expect(all.items.at(-1)?.complaint.id).toBe(last.id);
    expect((await feed(dlh)).items.map((i) => i.complaint.id)).toEqual([trash.id]);
    // Page by page with the cursor: the same five, in the same order, then nothing new.
    const seen: string[] = [];
    let next = '';
    for (let page = 0; page < 6; page++) {
      const p = await feed(dishub, `?limit=1${next ? `&after=${next}` : ''}`);
      if (p.items.length === 0) {
        expect(p.next).toBe(next);
        break;
      }
      seen.push(...p.items.map((i) => i.complaint.id));
      next = p.next;
    }
    expect(seen).toEqual(all.items.map((i) => i.complaint.id));
    // An admin re-assigns the last one to dlh: it leaves dishub's feed and enters dlh's.
    const login = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', payload: { username: 'admin', password: 'kata-sandi-admin-77' } });
    const cookie = `aduan_session=${login.cookies.find((x) => x.name === 'aduan_session')?.value}`;
    expect((await gw.app.inject({ method: 'POST', url: `/api/v1/complaints/${last.id}/assign`, headers: { cookie }, payload: { opd: 'dlh' } })).statusCode).toBe(200);
    expect((await feed(dishub)).items.map((i) => i.complaint.id)).not.toContain(last.id);
    expect((await feed(dlh)).items.map((i) => i.complaint.id)).toEqual([trash.id, last.id]);
    expect((await asOpd(dishub, 'GET', `/api/v1/opd/complaints/${last.id}`)).statusCode).toBe(404);
    // A cursor that is not one is refused; no key, no feed.
    expect((await asOpd(dishub, 'GET', '/api/v1/opd/complaints?after=yesterday')).json()).toMatchObject({ error: 'validation_failed' });
    expect((await asOpd(undefined, 'GET', '/api/v1/opd/complaints')).statusCode).toBe(401);
  });
});

// After the feed and metric counts above: its complaint is routed to dishub too.
describe('OPD API: attachments', () => {
  it("gives an OPD the photos of its own complaint, as downloads, and no one else's", async () => {
    const res = await gw.app.inject({
      method: 'POST',
      url: '/api/v1/complaints',
      ...multipartBody({ text: 'Banyak jukir liar di sekitar Alun-alun, parkir seenaknya bikin macet', 'reporter.confidential': 'true' }, [{ name: 'photos', filename: 'jukir.png', type: 'image/png', data: PNG_1x1 }]),
    });
    expect(res.statusCode).toBe(202);
    const c = res.json() as { id: string; ticket: string; statusToken: string };
    await waitFor(async () => ((await citizenView(c)).state === 'routed' ? true : null), { timeoutMs: 15_000, what: 'routed' });
    const { complaint } = (await asOpd(dishub, 'GET', `/api/v1/opd/complaints/${c.id}`)).json() as { complaint: { attachments: { sha256: string; mimeType: string }[] } };
    const [photo] = complaint.attachments;
    expect(photo).toMatchObject({ mimeType: 'image/png' });
    const path = `/api/v1/opd/complaints/${c.id}/attachments/${photo!.sha256}`;
    const own = await asOpd(dishub, 'GET', path);
    expect(own.statusCode).toBe(200);
    expect(own.rawPayload.equals(PNG_1x1)).toBe(true);
    expect(own.headers).toMatchObject({ 'content-type': 'image/png', 'content-length': String(PNG_1x1.length), 'cache-control': 'private, no-store', 'x-content-type-options': 'nosniff' });
    expect(own.headers['content-disposition']).toBe(`attachment; filename="${photo!.sha256.slice(0, 16)}.png"`);
    // Another OPD, no key, a hash the complaint does not name, an id routed nowhere.
    expect((await asOpd(dlh, 'GET', path)).statusCode).toBe(404);
    expect((await asOpd(undefined, 'GET', path)).statusCode).toBe(401);
    expect((await asOpd(dishub, 'GET', `/api/v1/opd/complaints/${c.id}/attachments/${'0'.repeat(64)}`)).statusCode).toBe(404);
    expect((await asOpd(dishub, 'GET', `/api/v1/opd/complaints/01ARZ3NDEKTSV4RRFFQ69G5FAV/attachments/${photo!.sha256}`)).statusCode).toBe(404);
    expect((await asOpd(dishub, 'GET', `/api/v1/opd/complaints/${c.id}/attachments/not-a-hash`)).statusCode).toBe(400);
  });
});

describe('OPD API: report times', () => {
  it("refuses a report dated ahead of the clock, and a re-assigned complaint takes its new OPD's reports", async () => {
    const c = await fileRouted({ text: 'Jukir liar di depan Kantor Pos Blitar minta parkir tanpa karcis' });
    const status = (secret: string, body: object) => asOpd(secret, 'POST', `/api/v1/opd/complaints/${c.id}/status`, body);
    const future = await status(dishub, { state: 'in_progress', at: '2099-12-31T00:00:00Z', updateId: 'far-1' });
    expect(future.statusCode).toBe(400);
    expect(future.json().fields.at.code).toBe('in_future');
    // Before the complaint was received (a system's WIB time written as UTC, 7 hours early):
    // refused, rather than shown to the citizen as done before they complained.
    const early = await status(dishub, { state: 'in_progress', at: new Date(Date.now() - 7 * 3_600_000).toISOString(), updateId: 'early-1' });
    expect(early.statusCode).toBe(400);
    expect(early.json().fields.at.code).toBe('before_received');
    expect((await status(dishub, { state: 'in_progress', updateId: 'near-1' })).statusCode).toBe(202);
    await waitFor(async () => ((await citizenView(c)).state === 'in_progress' ? true : null), { timeoutMs: 15_000, what: 'in_progress' });
    // A report dated after it is applied, and its retry is still a retry (202, once in the history).
    const timed = { state: 'in_progress', message: 'Petugas di lokasi', at: new Date().toISOString(), updateId: 'timed-1' };
    expect((await status(dishub, timed)).statusCode).toBe(202);
    await waitFor(async () => ((await citizenView(c)).history.some((h) => h.message === 'Petugas di lokasi') ? true : null), { timeoutMs: 15_000, what: 'timed report' });
    expect((await status(dishub, timed)).json()).toMatchObject({ updateId: 'dishub.timed-1' });
    // One dated before it would be ignored by the router: refused now (409), not accepted and
    // dropped. A return dated before it too; nothing is queued for either.
    const before = new Date(Date.parse(timed.at) - 60_000).toISOString();
    for (const late of [{ state: 'resolved', message: 'Selesai', at: before, updateId: 'late-1' }, { state: 'returned', message: 'bukan kewenangan kami', at: before, updateId: 'late-2' }]) {
      const res = await status(dishub, late);
      expect([res.statusCode, res.json().error]).toEqual([409, 'stale_report']);
      expect(res.json().message).toContain(timed.at.slice(0, 16));
      expect(await statusQueue.getJob(`dishub.${late.updateId}`)).toBeUndefined();
    }
    const seen = await citizenView(c);
    expect([seen.state, seen.opd?.code, seen.history.filter((h) => h.message === 'Petugas di lokasi').length]).toEqual(['in_progress', 'dishub', 1]);
    // A system that adds to `status` itself, not through the API: the date is taken as now.
    await statusQueue.add('status', { schemaVersion: 1, complaintId: c.id, state: 'in_progress', opd: 'dishub', message: 'Dijadwalkan', at: '2099-12-31T00:00:00.000Z', updateId: 'dishub.direct-1' }, { jobId: 'dishub.direct-1' });
    const dated = await waitFor(async () => (await citizenView(c)).history.find((h) => h.message === 'Dijadwalkan') ?? null, { timeoutMs: 15_000, what: 'direct report' });
    expect(Date.parse(dated.at)).toBeLessThan(Date.now() + 60_000);
    // Re-assigned to dlh, whose clock runs two minutes behind dishub's: its report is applied,
    // not held against dishub's last one.
    const login = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', payload: { username: 'admin', password: 'kata-sandi-admin-77' } });
    const cookie = `aduan_session=${login.cookies.find((x) => x.name === 'aduan_session')?.value}`;
    expect((await gw.app.inject({ method: 'POST', url: `/api/v1/complaints/${c.id}/assign`, headers: { cookie }, payload: { opd: 'dlh' } })).statusCode).toBe(200);
    await waitFor(async () => ((await citizenView(c)).opd?.code === 'dlh' ? true : null), { timeoutMs: 15_000, what: 're-assigned' });
    expect((await status(dlh, { state: 'resolved', message: 'Sudah ditertibkan', at: new Date(Date.now() - 120_000).toISOString(), updateId: 'dlh-1' })).statusCode).toBe(202);
    const done = await waitFor(async () => {
      const v = await citizenView(c);
      return v.state === 'resolved' ? v : null;
    }, { timeoutMs: 15_000, what: 'resolved by the new OPD' });
    expect(done.history.at(-1)).toMatchObject({ state: 'resolved', message: 'Sudah ditertibkan' });
  });
});

// Last: its complaints go through triage and to dlh, which the feed counts above do not expect.
describe('OPD API: a report without a date', () => {
  it('is dated no earlier than the last one applied, so one dated a little ahead (a fast clock, allowed) does not make it stale', async () => {
    const c = await fileRouted({ text: 'Parkir liar di trotoar Jalan Merdeka Blitar, pejalan kaki turun ke jalan' });
    const status = (secret: string, body: object) => asOpd(secret, 'POST', `/api/v1/opd/complaints/${c.id}/status`, body);
    // The OPD's clock runs four minutes fast: within the five allowed, applied as dated.
    const ahead = new Date(Date.now() + 4 * 60_000).toISOString();
    expect((await status(dishub, { state: 'in_progress', message: 'Petugas berangkat', at: ahead, updateId: 'fast-1' })).statusCode).toBe(202);
    await waitFor(async () => ((await citizenView(c)).state === 'in_progress' ? true : null), { timeoutMs: 15_000, what: 'in_progress' });
    // "Leave `at` out to report as of now" (stale_report's advice): accepted, and applied, not
    // dropped by the router as older than the report dated ahead.
    expect((await status(dishub, { state: 'resolved', message: 'Sudah ditertibkan', updateId: 'now-1' })).statusCode).toBe(202);
    const done = await waitFor(async () => ((await citizenView(c)).state === 'resolved' ? true : null), { timeoutMs: 10_000, what: 'resolved' });
    expect(done).toBe(true);
    expect(text()).not.toContain('older than the last one applied');
  });
});

describe('OPD API: "bukan kewenangan kami"', () => {
  const queue = (name: string) => new Queue(name, { connection: redis, prefix });
  const adminCookie = async () => {
    const login = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', payload: { username: 'admin', password: 'kata-sandi-admin-77' } });
    return `aduan_session=${login.cookies.find((x) => x.name === 'aduan_session')?.value}`;
  };
  /** A WhatsApp complaint, as the adapter queues it, routed to dishub. */
  async function chatRouted(n: number): Promise<Complaint> {
    const at = new Date(Date.now() - 60_000);
    const id = deterministicComplaintId(at, 'whatsapp', '6281100000000', `RET${n}-${prefix}`);
    const c: Complaint = {
      schemaVersion: 1, id, ticket: ticketFor(id), channel: 'whatsapp',
      source: { account: '6281100000000', senderId: '6285712345678@s.whatsapp.net', threadId: '6285712345678@s.whatsapp.net', messageIds: [`RET${n}`] },
      receivedAt: at.toISOString(), submittedAt: at.toISOString(),
      reporter: { name: 'Pak Slamet', phone: '+6285712345678', anonymous: false, confidential: false },
      text: 'Jukir liar di depan Pasar Legi minta uang parkir dua kali lipat tanpa karcis', attachments: [], language: 'id', intake: { transport: 'baileys' },
    };
    const intake = queue(QueueNames.intake);
    await intake.add('intake', c, { jobId: c.id });
    await intake.close();
    await waitFor(async () => ((await gw.deps.status.get(c.id))?.opd === 'dishub' ? true : null), { timeoutMs: 15_000, what: 'routed to dishub' });
    return c;
  }
  const noticesOf = async (id: string) => {
    const notify = queue('notify.whatsapp');
    const jobs = await notify.getJobs(['waiting', 'prioritized', 'active', 'completed', 'failed', 'delayed']);
    await notify.close();
    return jobs.filter((j) => j.data.complaintId === id).map((j) => ({ id: j.id, text: j.data.text as string })).sort((a, b) => String(a.id).localeCompare(String(b.id)));
  };

  it('sends a misrouted complaint back to the admin, who assigns it on; the citizen only hears where it went', async () => {
    const c = await chatRouted(1);
    const status = (secret: string, body: object) => asOpd(secret, 'POST', `/api/v1/opd/complaints/${c.id}/status`, body);
    // Without a reason the admin could not act on it: refused, nothing queued.
    const bare = await status(dishub, { state: 'returned', updateId: 'ret-0' });
    expect([bare.statusCode, bare.json().error, bare.json().fields?.message?.code]).toEqual([400, 'validation_failed', 'required']);
    expect(await statusQueue.getJob('dishub.ret-0')).toBeUndefined();
    const reason = 'Bukan kewenangan kami, <b>mungkin</b> DLH';
    expect((await status(dishub, { state: 'returned', message: reason, updateId: 'ret-1' })).statusCode).toBe(202);
    const cookie = await adminCookie();
    type Item = { id: string; routing: { triage: boolean; decidedBy: string; opd: string; note?: string; revision: number } };
    const item = await waitFor(async () => {
      const res = await gw.app.inject({ url: '/api/v1/triage', headers: { cookie } });
      return (res.json() as { items: Item[] }).items.find((i) => i.id === c.id) ?? null;
    }, { timeoutMs: 15_000, what: 'in triage' });
    expect(item.routing).toMatchObject({ triage: true, decidedBy: 'opd', opd: 'dishub', note: reason, revision: 1 });
    const page = (await gw.app.inject({ url: '/admin/triage', headers: { cookie } })).body;
    expect(page).toContain('Dikembalikan oleh Dishub — Dinas Perhubungan');
    expect(page).toContain('Bukan kewenangan kami, &lt;b&gt;mungkin&lt;/b&gt; DLH');
    // The citizen: "being checked", no OPD, not the OPD's message, and no chat notice for it.
    const rec = await gw.deps.status.read(c.id);
    expect([rec?.view.state, rec?.view.opd]).toEqual(['triage', undefined]);
    expect(JSON.stringify(rec?.view)).not.toContain('kewenangan');
    expect((await noticesOf(c.id)).map((n) => n.id)).toEqual([`routed.${c.id}.r0`]);
    // dishub no longer sees it, nor may report on it; but its system retrying the return (its
    // answer lost) is told it arrived, not 404.
    expect((await asOpd(dishub, 'GET', `/api/v1/opd/complaints/${c.id}`)).statusCode).toBe(404);
    const retriedReturn = await status(dishub, { state: 'returned', message: reason, updateId: 'ret-1' });
    expect([retriedReturn.statusCode, retriedReturn.json()]).toEqual([202, { updateId: 'dishub.ret-1', outcome: 'queued' }]);
    expect((await status(dishub, { state: 'in_progress', updateId: 'after-return' })).statusCode).toBe(404);
    // The admin assigns it to dlh: dlh's queue and feed get it, the citizen hears where it went.
    const assigned = await gw.app.inject({ method: 'POST', url: `/api/v1/complaints/${c.id}/assign`, headers: { cookie }, payload: { opd: 'dlh', revision: 1 } });
    expect(assigned.json()).toMatchObject({ opd: 'dlh', revision: 2 });
    const opdDlh = queue('opd.dlh');
    expect((await opdDlh.getJob(`${c.id}.r2`))?.data.routing).toMatchObject({ opd: 'dlh', decidedBy: 'admin', triage: false });
    await opdDlh.close();
    expect((await asOpd(dlh, 'GET', `/api/v1/opd/complaints/${c.id}`)).statusCode).toBe(200);
    const notices = await noticesOf(c.id);
    expect(notices.map((n) => n.id)).toEqual([`routed.${c.id}.r0`, `routed.${c.id}.r2`]);
    expect(notices[1]?.text).toContain('sudah kami teruskan ke Dinas Lingkungan Hidup');
    expect(notices.map((n) => n.text).join(' ')).not.toContain('kewenangan');
    expect((await gw.deps.status.view(c.id))?.state).toBe('routed');
    // dlh reports as usual; dishub is still refused.
    expect((await asOpd(dlh, 'POST', `/api/v1/opd/complaints/${c.id}/status`, { state: 'in_progress', updateId: 'dlh-ret-1' })).statusCode).toBe(202);
    await waitFor(async () => ((await gw.deps.status.view(c.id))?.state === 'in_progress' ? true : null), { timeoutMs: 15_000, what: "dlh's report" });
    expect((await status(dishub, { state: 'resolved', updateId: 'after-return-2' })).statusCode).toBe(404);
  });

  it("exports the admin's correction of a returned complaint with the router's decision it corrects and the OPD's reason", async () => {
    const c = await chatRouted(3);
    const first = (await gw.deps.status.get(c.id))!;
    expect(first.opd).toBe('dishub');
    const reason = 'Bukan kewenangan kami, sampah urusan DLH';
    expect((await asOpd(dishub, 'POST', `/api/v1/opd/complaints/${c.id}/status`, { state: 'returned', message: reason, updateId: 'ret-3' })).statusCode).toBe(202);
    await waitFor(async () => ((await gw.deps.status.get(c.id))?.state === 'triage' ? true : null), { timeoutMs: 15_000, what: 'in triage' });
    const cookie = await adminCookie();
    expect((await gw.app.inject({ method: 'POST', url: `/api/v1/complaints/${c.id}/assign`, headers: { cookie }, payload: { opd: 'dlh', revision: 1 } })).statusCode).toBe(200);
    const lines = (await gw.app.inject({ url: '/api/v1/triage/corrections', headers: { cookie } })).body.trim().split('\n').map((l) => JSON.parse(l) as { id: string; opd: string; router: { opd: string; triage: boolean; decidedBy: string; confidence: number }; returned?: { opd: string; note: string } });
    const correction = lines.find((l) => l.id === c.id);
    // The label corrects what the router decided (dishub, sure enough to send it there), not the return.
    expect(correction?.opd).toBe('dlh');
    expect(correction?.router).toMatchObject({ opd: 'dishub', triage: false, decidedBy: 'rules' });
    expect(correction?.router.confidence).toBeGreaterThan(0);
    expect(correction?.returned).toEqual({ opd: 'dishub', note: reason });
  });

  it("shows an OPD no complaint whose return is published but not recorded yet, and an admin's assignment waits for a report being applied", async () => {
    const c = await chatRouted(4);
    const routedQ = queue(QueueNames.routed);
    const first = (await routedQ.getJob(c.id))!.data as Complaint & { routing: Record<string, unknown> };
    // A router that died between the return's revision and the record.
    await routedQ.add('routed', { ...first, routing: { ...first.routing, triage: true, decidedBy: 'opd', revision: 1, confidence: 0, reasons: ['returned by dishub'], note: 'bukan kami' } }, { jobId: `${c.id}.r1` });
    await routedQ.close();
    expect((await gw.deps.status.get(c.id))?.opd).toBe('dishub');
    expect((await asOpd(dishub, 'GET', `/api/v1/opd/complaints/${c.id}`)).statusCode).toBe(404);
    const feed = (await asOpd(dishub, 'GET', '/api/v1/opd/complaints?limit=100')).json() as { items: { complaint: { id: string } }[] };
    expect(feed.items.map((i) => i.complaint.id)).not.toContain(c.id);
    // A report holds the complaint's decision lock for a moment: the admin's assignment waits for it.
    const token = await gw.deps.status.lockDecision(c.id, 30_000);
    setTimeout(() => void gw.deps.status.unlockDecision(c.id, token!), 400);
    const cookie = await adminCookie();
    const assigned = await gw.app.inject({ method: 'POST', url: `/api/v1/complaints/${c.id}/assign`, headers: { cookie }, payload: { opd: 'dlh', revision: 1 } });
    expect(assigned.statusCode).toBe(200);
    expect(assigned.json()).toMatchObject({ opd: 'dlh', revision: 2 });
  });

  it('lets the admin assign a returned complaint back to the same OPD: a new revision on its queue', async () => {
    const c = await chatRouted(2);
    expect((await asOpd(dishub, 'POST', `/api/v1/opd/complaints/${c.id}/status`, { state: 'returned', message: 'Sepertinya bukan wilayah kami', updateId: 'ret-2' })).statusCode).toBe(202);
    await waitFor(async () => ((await gw.deps.status.get(c.id))?.state === 'triage' ? true : null), { timeoutMs: 15_000, what: 'in triage' });
    const cookie = await adminCookie();
    const back = await gw.app.inject({ method: 'POST', url: `/api/v1/complaints/${c.id}/assign`, headers: { cookie }, payload: { opd: 'dishub', note: 'Jukir di Pasar Legi memang wilayah Dishub', revision: 1 } });
    expect(back.json()).toMatchObject({ opd: 'dishub', revision: 2 });
    const opdDishub = queue('opd.dishub');
    expect((await opdDishub.getJob(`${c.id}.r2`))?.data.routing).toMatchObject({ opd: 'dishub', decidedBy: 'admin', revision: 2 });
    await opdDishub.close();
    expect((await asOpd(dishub, 'GET', `/api/v1/opd/complaints/${c.id}`)).statusCode).toBe(200);
    expect((await noticesOf(c.id)).map((n) => n.id)).toEqual([`routed.${c.id}.r0`, `routed.${c.id}.r2`]);
  });
});
