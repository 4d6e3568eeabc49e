import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter, DEFAULT_TRIAGE_THRESHOLD, loadDirectory } from '@aduan/routing';
import { createRedis, publishRouted, QueueNames } from '@aduan/queue';
import { indexComplaint } from '@aduan/hints';
import { Complaint, RoutedComplaint } from '@aduan/schema';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { createTestGateway } from '../testing/harness.ts';

const url = testRedisUrl();
const prefix = uniquePrefix('desk');
const mem = memoryLogger('desk');
let gw: Awaited<ReturnType<typeof createTestGateway>>;
let intakeQ: Queue;
let routedQ: Queue;
let siti: string;
let budi: string;
const PASSWORD = 'kata-sandi-rahasia-1';
const router = createRouter(loadDirectory(), { triageThreshold: DEFAULT_TRIAGE_THRESHOLD });

async function login(username: string): Promise<string> {
  const res = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', headers: { 'content-type': 'application/json' }, payload: { username, password: PASSWORD } });
  return `aduan_session=${res.cookies.find((c) => c.name === 'aduan_session')?.value}`;
}

const post = (cookie: string, path: string, payload: unknown, key?: string) =>
  gw.app.inject({ method: 'POST', url: path, headers: { cookie, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) }, payload: payload as object });

/** What the router service does for one intake job (decide + publishRouted), without importing a service. */
async function routeOnce(id: string): Promise<void> {
  const job = await waitFor(async () => (await intakeQ.getJob(id)) ?? null, { what: 'intake job' });
  const c = Complaint.parse(job.data);
  const d = router.decide({ text: c.text, ...(c.category ? { category: c.category } : {}), ...(c.location ? { location: c.location } : {}) });
  await publishRouted({ producer: gw.deps.producer, status: gw.deps.status }, c, { opd: d.opd, opdName: d.opdName, confidence: d.confidence, reasons: d.reasons, alternatives: d.alternatives, decidedBy: 'rules', triage: d.triage, revision: 0, routedAt: new Date().toISOString(), routerVersion: 'test' });
  await indexComplaint(gw.deps.desk.entries, c);
}

const JUKIR = { text: 'Jukir liar di depan Pasar Legi minta parkir lima ribu, tidak pakai karcis', program: 'Halo Blitar Pagi', category: 'parkir', location: { kelurahan: 'bendogerit', description: 'Pasar Legi' }, reporter: { name: 'Pak Slamet', phone: '0812 3456 7890', contactConsent: true } };

beforeAll(async () => {
  gw = await createTestGateway({ redisUrl: url, prefix, logger: mem.logger });
  await gw.deps.auth.users.add({ username: 'siti', password: PASSWORD, role: 'operator', station: 'Radio Patria FM' });
  await gw.deps.auth.users.add({ username: 'budi', password: PASSWORD, role: 'operator', station: 'Radio Mayangkara' });
  siti = await login('siti');
  budi = await login('budi');
  intakeQ = new Queue(QueueNames.intake, { connection: createRedis(url, 'worker'), prefix });
  routedQ = new Queue(QueueNames.routed, { connection: createRedis(url, 'worker'), prefix });
});
afterAll(async () => {
  await intakeQ.close();
  await routedQ.close();
  await gw.close();
  await deletePrefix(url, prefix);
});

describe('POST /api/v1/desk/complaints', () => {
  it('refuses (403) an account whose station name is over the contract\'s 100 characters, rather than fail every call', async () => {
    // Made before user:add checked the length: written straight into Redis.
    await gw.deps.auth.users.add({ username: 'lama', password: PASSWORD, role: 'operator', station: 'Radio Lama' });
    await gw.deps.redis.hset(`${prefix}:user:lama`, 'station', 'R'.repeat(120));
    const res = await post(await login('lama'), '/api/v1/desk/complaints', JUKIR, 'lama-1');
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toBe('forbidden');
  });

  it('shows every invalid field at once, in the web form API error shape', async () => {
    const res = await post(siti, '/api/v1/desk/complaints', { text: 'pendek', reporter: { phone: '12' }, location: { kelurahan: 'Atlantis' }, callTime: '2999-01-01T00:00:00Z' });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error).toBe('validation_failed');
    expect(body.fields.text.code).toBe('too_short');
    expect(body.fields.program.code).toBe('required');
    expect(body.fields['reporter.phone'].code).toBe('invalid_phone');
    // A code the desk page words in Bahasa Indonesia (desk.js MESSAGES).
    expect(body.fields.callTime.code).toBe('call_time_in_future');
    // Directory checks run once the schema passes.
    const kel = await post(siti, '/api/v1/desk/complaints', { ...JUKIR, location: { kelurahan: 'Atlantis' } });
    expect(kel.json().fields['location.kelurahan'].code).toBe('unknown_kelurahan');
    // Signed out, the same body is 401 first: the desk keeps the entry for after the login
    // instead of marking it rejected.
    for (const [url, payload] of [['/api/v1/desk/complaints', { text: 'pendek' }], ['/api/v1/desk/similar', { text: 42 }], ['/api/v1/desk/complaints/ADU-AAAA-AAAA/supporters', { callTime: 42 }]] as const) {
      const signedOut = await gw.app.inject({ method: 'POST', url, payload });
      expect([url, signedOut.statusCode, signedOut.json().error]).toEqual([url, 401, 'unauthenticated']);
    }
  });

  it('queues a radio complaint with the operator, station, programme and call time; anonymous on air by default', async () => {
    const callTime = new Date(Date.now() - 60_000).toISOString();
    const res = await post(siti, '/api/v1/desk/complaints', { ...JUKIR, callTime }, 'entry-1');
    expect(res.statusCode).toBe(202);
    const { id, ticket, statusToken } = res.json();
    expect(ticket).toMatch(/^ADU-/);
    expect(statusToken).toBeTruthy();
    const c = Complaint.parse((await intakeQ.getJob(id))!.data);
    expect(c.channel).toBe('radio');
    expect(c.source.account).toBe('Radio Patria FM');
    expect(c.intake).toMatchObject({ transport: 'desk', operatorId: 'siti', station: 'Radio Patria FM', program: 'Halo Blitar Pagi', callTime });
    expect(c.submittedAt).toBe(callTime);
    expect(c.reporter).toMatchObject({ name: 'Pak Slamet', phone: '+6281234567890', anonymous: true });
    expect(c.location).toMatchObject({ kelurahan: 'Bendogerit', kecamatan: 'Sananwetan' });
    // The same entry resent after a network drop: same ticket, no second complaint.
    const again = await post(siti, '/api/v1/desk/complaints', { ...JUKIR, callTime }, 'entry-1');
    expect(again.json().ticket).toBe(ticket);
    expect(await intakeQ.getJobCounts('waiting')).toMatchObject({ waiting: 1 });
    // No caller data in the logs.
    expect(mem.text()).not.toContain('Slamet');
    expect(mem.text()).not.toContain('6281234567890');
  });

  it('remembers the programme for the operator', async () => {
    expect((await gw.deps.auth.users.get('siti'))?.lastProgram).toBe('Halo Blitar Pagi');
    const page = await gw.app.inject({ url: '/desk', headers: { cookie: siti } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('"lastProgram":"Halo Blitar Pagi"');
  });
});

describe('board, hints and linking', () => {
  let first: { id: string; ticket: string };

  it("today's board lists the station's entries and shows the OPD once routed; other stations do not see them", async () => {
    const res = await post(siti, '/api/v1/desk/complaints', { text: 'Lampu jalan PJU mati di Jalan Kalimantan sudah seminggu, gelap sekali', program: 'Halo Blitar Pagi', location: { kelurahan: 'Klampok' } }, 'entry-2');
    first = res.json();
    let board = (await gw.app.inject({ url: '/api/v1/desk/board', headers: { cookie: siti } })).json();
    expect(board.station).toBe('Radio Patria FM');
    expect(board.entries.map((e: { ticket: string }) => e.ticket)[0]).toBe(first.ticket);
    expect(board.entries[0]).toMatchObject({ state: 'received', kelurahan: 'Klampok', program: 'Halo Blitar Pagi', supporters: 0 });
    await routeOnce(first.id);
    board = (await gw.app.inject({ url: '/api/v1/desk/board', headers: { cookie: siti } })).json();
    expect(board.entries[0]).toMatchObject({ state: 'routed', opd: 'dishub' });
    expect(board.entries).toHaveLength(2);
    const other = (await gw.app.inject({ url: '/api/v1/desk/board', headers: { cookie: budi } })).json();
    expect(other.entries).toHaveLength(0);
  });

  it('hints a similar complaint (any station) and not an unrelated one', async () => {
    const similar = await post(budi, '/api/v1/desk/similar', { text: 'PJU di jalan Kalimantan mati, jalannya gelap', kelurahan: 'Klampok' });
    expect(similar.statusCode).toBe(200);
    const m = similar.json().matches[0];
    expect(m).toMatchObject({ ticket: first.ticket, station: 'Radio Patria FM', sameKelurahan: true, opd: 'dishub' });
    expect(m.shared).toEqual(expect.arrayContaining(['kalimantan', 'gelap']));
    const none = await post(budi, '/api/v1/desk/similar', { text: 'Pendaftaran KTP elektronik antre lama sekali', kelurahan: 'Sentul' });
    expect(none.json().matches).toEqual([]);
  });

  it('hints complaints from other channels too (web form, indexed when routed)', async () => {
    const web = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Baliho reklame roboh menutupi trotoar di Jalan Merdeka', location: { kelurahan: 'Kepanjenlor' } } });
    expect(web.statusCode).toBe(202);
    await routeOnce(web.json().id);
    const m = await waitFor(async () => (await post(siti, '/api/v1/desk/similar', { text: 'Ada baliho roboh di trotoar Jalan Merdeka', kelurahan: 'Kepanjenlor' })).json().matches[0], { what: 'web form hint' });
    expect(m).toMatchObject({ ticket: web.json().ticket, channel: 'webform' });
    expect(m.station).toBeUndefined();
  });

  it("never shows station staff a confidential complaint's words, nor an anonymous reporter's name or number", async () => {
    const secret = { text: 'Saya Rina Wulandari 081234567891, suami saya pelaku KDRT, lampu PJU di gang rumah mati, jangan sebut nama saya', location: { kelurahan: 'Kepanjenlor', description: 'gang depan rumah Rina Wulandari' }, reporter: { name: 'Rina Wulandari', phone: '081234567891', confidential: true } };
    const web = (await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: secret })).json();
    await routeOnce(web.id);
    const asked = { text: 'lampu PJU mati di gang', kelurahan: 'Kepanjenlor' };
    const m = await waitFor(async () => (await post(budi, '/api/v1/desk/similar', asked)).json().matches.find((x: { ticket: string }) => x.ticket === web.ticket), { what: 'confidential hint' });
    expect(m).toMatchObject({ channel: 'webform', confidential: true, landmark: 'gang depan rumah [disembunyikan]' });
    expect(m.snippet).toBeUndefined();
    const looked = (await gw.app.inject({ url: `/api/v1/desk/complaints/${web.ticket}`, headers: { cookie: budi } })).body;
    for (const shown of [JSON.stringify(m), looked]) {
      expect(shown).not.toContain('Rina');
      expect(shown).not.toContain('KDRT');
      expect(shown).not.toContain('1234567891');
    }
    // A caller keyed at the desk who asked not to be named on air: the words, without the name and number.
    const call = (await post(siti, '/api/v1/desk/complaints', { ...JUKIR, text: 'Saya Pak Slamet 0812 3456 7890, lampu PJU di Jalan Kalimantan mati', reporter: { ...JUKIR.reporter, anonymous: true } }, 'entry-anon')).json();
    const board = (await gw.app.inject({ url: '/api/v1/desk/board', headers: { cookie: siti } })).json();
    const entry = board.entries.find((e: { ticket: string }) => e.ticket === call.ticket);
    expect(entry.snippet).toBe('Saya [disembunyikan] [disembunyikan], lampu PJU di Jalan Kalimantan mati');
  });

  it('links a caller to a routed ticket once per entry and republishes routed with the count (<id>.s<n>)', async () => {
    const link = await post(budi, `/api/v1/desk/complaints/${first.ticket.toLowerCase()}/supporters`, { program: 'Kabar Kota' }, 'link-1');
    expect(link.statusCode).toBe(200);
    expect(link.json()).toEqual({ id: first.id, ticket: first.ticket, supporters: 1, published: true });
    const job = await routedQ.getJob(`${first.id}.s1`);
    const routed = RoutedComplaint.parse(job!.data);
    expect(routed.supporters).toBe(1);
    expect(routed.routing.opd).toBe('dishub');
    // Resent after a drop: counted once.
    expect((await post(budi, `/api/v1/desk/complaints/${first.ticket}/supporters`, { program: 'Kabar Kota' }, 'link-1')).json().supporters).toBe(1);
    expect((await gw.deps.status.get(first.id))?.supporters).toBe(1);
    expect(await gw.deps.status.supporters(first.id)).toEqual([expect.objectContaining({ station: 'Radio Mayangkara', program: 'Kabar Kota', operatorId: 'budi' })]);
    const board = (await gw.app.inject({ url: '/api/v1/desk/board', headers: { cookie: siti } })).json();
    expect(board.entries.find((e: { ticket: string }) => e.ticket === first.ticket).supporters).toBe(1);
  });

  it("looks up any station's ticket (GET /api/v1/desk/complaints/:ticket) without the reporter; 404 for an unknown one, 401 signed out", async () => {
    const res = await gw.app.inject({ url: `/api/v1/desk/complaints/${first.ticket.toLowerCase()}`, headers: { cookie: budi } });
    expect(res.statusCode).toBe(200);
    const t = res.json();
    expect(t).toMatchObject({ ticket: first.ticket, state: 'routed', channel: 'radio', opd: { code: 'dishub', name: 'Dinas Perhubungan' }, station: 'Radio Patria FM', kelurahan: 'Klampok', supporters: 1 });
    expect(t.snippet).toContain('PJU mati di Jalan Kalimantan');
    expect(t.history.map((h: { state: string }) => h.state)).toEqual(['received', 'routed']);
    // A caller who gave a name and number: neither is shown on a look-up.
    const named = (await post(siti, '/api/v1/desk/complaints', { ...JUKIR, text: 'Trotoar di Jalan Kalimantan rusak dan berlubang, bahaya untuk pejalan kaki' }, 'entry-lookup')).json();
    const body = (await gw.app.inject({ url: `/api/v1/desk/complaints/${named.ticket}`, headers: { cookie: budi } })).body;
    expect(JSON.parse(body)).toMatchObject({ ticket: named.ticket, state: 'received', channel: 'radio' });
    expect(body).not.toContain('Slamet');
    expect(body).not.toContain('3456');
    // The code alone, as a caller may say it.
    const code = first.ticket.slice(4).toLowerCase().replace('-', ' ');
    expect((await gw.app.inject({ url: `/api/v1/desk/complaints/${encodeURIComponent(code)}`, headers: { cookie: budi } })).json().ticket).toBe(first.ticket);
    expect((await gw.app.inject({ url: '/api/v1/desk/complaints/ADU-0000-0000', headers: { cookie: budi } })).statusCode).toBe(404);
    expect((await gw.app.inject({ url: '/api/v1/desk/complaints/bukan-tiket', headers: { cookie: budi } })).json()).toMatchObject({ error: 'not_found' });
    expect((await gw.app.inject({ url: `/api/v1/desk/complaints/${first.ticket}` })).statusCode).toBe(401);
  });

  it('links to a not-yet-routed complaint without publishing, and re-checks once it is routed', async () => {
    const { id, ticket } = (await post(siti, '/api/v1/desk/complaints', { text: 'Sampah menumpuk di TPS dekat Pasar Templek belum diangkut', program: 'Halo Blitar Pagi' }, 'entry-3')).json();
    const link = await post(budi, `/api/v1/desk/complaints/${ticket}/supporters`, { program: 'Kabar Kota' }, 'link-2');
    expect(link.json()).toMatchObject({ supporters: 1, published: false });
    // Routed without the count (a router that read it before the link): the re-check publishes it.
    await routeOnce(id);
    const job = await waitFor(async () => (await routedQ.getJob(`${id}.s1`)) ?? null, { what: 're-checked .s1 job', timeoutMs: 8_000 });
    expect(RoutedComplaint.parse(job.data).supporters).toBe(1);
    expect((await post(budi, '/api/v1/desk/complaints/ADU-0000-0000/supporters', { program: 'Kabar Kota' }, 'link-3')).statusCode).toBe(404);
  });

  it("lists a linked caller on the board of the station that took it, once also when resent: linked to the ticket, with its state, the programme and the call time, no caller data; not on another station's board", async () => {
    const board = async (cookie: string) => (await gw.app.inject({ url: '/api/v1/desk/board', headers: { cookie } })).json();
    const callTime = new Date(Date.now() - 2 * 60_000).toISOString();
    // A body with a caller in it (the desk sends none): a link keeps only the programme and time.
    const link = { program: 'Kabar Sore', callTime, reporter: { name: 'Pak Darto', phone: '0812 9999 8888' } };
    for (let i = 0; i < 2; i++) expect((await post(budi, `/api/v1/desk/complaints/${first.ticket}/supporters`, link, 'link-board')).json().supporters).toBe(2);
    const mayangkara = await board(budi);
    // Newest first, after the links Budi made earlier (the first to this ticket, one to another).
    expect(mayangkara.entries.map((e: { kind: string; ticket: string; program: string }) => [e.kind, e.ticket, e.program])).toEqual([
      ['link', first.ticket, 'Kabar Sore'],
      ['link', expect.any(String), 'Kabar Kota'],
      ['link', first.ticket, 'Kabar Kota'],
    ]);
    expect(mayangkara.entries[0]).toEqual({ kind: 'link', id: first.id, ticket: first.ticket, receivedAt: expect.any(String), callTime, program: 'Kabar Sore', operatorId: 'budi', state: 'routed', opd: 'dishub', opdName: 'Dinas Perhubungan', supporters: 2 });
    expect(Date.parse(mayangkara.entries[0].receivedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(JSON.stringify(mayangkara)).not.toMatch(/Darto|9999/);
    // The complaint's own station lists the complaint once (with the count), not the other station's callers.
    const patria = await board(siti);
    expect(patria.entries.filter((e: { kind: string }) => e.kind === 'link')).toEqual([]);
    expect(patria.entries.filter((e: { ticket: string }) => e.ticket === first.ticket)).toEqual([expect.objectContaining({ kind: 'complaint', supporters: 2 })]);
  });
});

describe("an operator's waiting entries sent by the next shift's operator (the desk's take-over)", () => {
  const sent = (cookie: string, payload: unknown, key: string, keyStation?: string) =>
    gw.app.inject({ method: 'POST', url: '/api/v1/desk/complaints', headers: { cookie, 'content-type': 'application/json', 'idempotency-key': key, ...(keyStation ? { 'x-aduan-key-station': encodeURIComponent(keyStation) } : {}) }, payload: payload as object });
  const jobsWith = async (text: string) => (await intakeQ.getJobs(['waiting', 'active', 'completed'])).filter((j) => j?.data.text === text).map((j) => Complaint.parse(j.data));
  const boardEntry = async (cookie: string, ticket: string) => (await gw.app.inject({ url: '/api/v1/desk/board', headers: { cookie } })).json().entries.find((e: { ticket: string }) => e.ticket === ticket);

  it('same station: a key another operator resends gets the first ticket, and the complaint stays the first operator\'s (queue and board)', async () => {
    await gw.deps.auth.users.add({ username: 'rina', password: PASSWORD, role: 'operator', station: 'Radio Patria FM' });
    const rina = await login('rina');
    const entry = { text: 'Pohon besar di depan SDN Sentul condong ke jalan, takut tumbang', program: 'Halo Blitar Pagi', location: { kelurahan: 'Sentul' } };
    // Siti's send reached the gateway, its answer did not reach her desk.
    const first = (await sent(siti, entry, 'shift-1', 'Radio Patria FM')).json();
    // Rina takes the entry over with its key: the same complaint, not a second one.
    const again = await sent(rina, entry, 'shift-1', 'Radio Patria FM');
    expect(again.statusCode).toBe(202);
    expect(again.json().ticket).toBe(first.ticket);
    const jobs = await jobsWith(entry.text);
    expect(jobs.map((c) => [c.ticket, c.intake.operatorId])).toEqual([[first.ticket, 'siti']]);
    expect(await boardEntry(rina, first.ticket)).toMatchObject({ operatorId: 'siti' });
    // One that never reached the gateway is filed by whoever sends it.
    const other = { ...entry, text: 'Lampu PJU di depan SDN Sentul mati sejak kemarin malam' };
    const taken = (await sent(rina, other, 'shift-2', 'Radio Patria FM')).json();
    expect((await jobsWith(other.text)).map((c) => [c.ticket, c.intake.operatorId])).toEqual([[taken.ticket, 'rina']]);
    expect(await boardEntry(rina, taken.ticket)).toMatchObject({ operatorId: 'rina' });
  });

  it("another station: the key is looked up in the station that first sent it (X-Aduan-Key-Station), so the complaint is not filed twice; a link is not counted twice", async () => {
    const entry = { text: 'Jalan di depan Makam Bung Karno berlubang besar, motor sering jatuh', program: 'Halo Blitar Pagi', location: { kelurahan: 'Bendogerit' } };
    const first = (await sent(siti, entry, 'shift-3', 'Radio Patria FM')).json();
    const again = await sent(budi, entry, 'shift-3', 'Radio Patria FM');
    expect(again.statusCode).toBe(202);
    expect(again.json().ticket).toBe(first.ticket);
    expect((await jobsWith(entry.text)).map((c) => [c.ticket, c.intake.operatorId, c.source.account])).toEqual([[first.ticket, 'siti', 'Radio Patria FM']]);
    // A link entry the same way.
    const link = (cookie: string) =>
      gw.app.inject({ method: 'POST', url: `/api/v1/desk/complaints/${first.ticket}/supporters`, headers: { cookie, 'content-type': 'application/json', 'idempotency-key': 'shift-link-1', 'x-aduan-key-station': encodeURIComponent('Radio Patria FM') }, payload: { program: 'Halo Blitar Pagi' } });
    expect((await link(siti)).json().supporters).toBe(1);
    expect((await link(budi)).json().supporters).toBe(1);
    // On the board of the station that linked it first, and only there.
    const links = async (cookie: string) => (await gw.app.inject({ url: '/api/v1/desk/board', headers: { cookie } })).json().entries.filter((e: { kind: string; ticket: string }) => e.kind === 'link' && e.ticket === first.ticket);
    expect(await links(siti)).toEqual([expect.objectContaining({ operatorId: 'siti', program: 'Halo Blitar Pagi' })]);
    expect(await links(budi)).toEqual([]);
    // A station name that is not percent-encoded text is refused as a field, not a 500.
    const bad = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/complaints', headers: { cookie: budi, 'content-type': 'application/json', 'idempotency-key': 'shift-4', 'x-aduan-key-station': '%E0%A4%A' }, payload: entry });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().fields['X-Aduan-Key-Station'].code).toBe('invalid');
  });
});

describe('the programme the desk offers next', () => {
  it("does not take the programme of a call sent late from the outbox (hours later, or another operator's taken over): it is an earlier programme", async () => {
    const callTime = new Date(Date.now() - 3 * 3_600_000).toISOString();
    const res = await post(siti, '/api/v1/desk/complaints', { ...JUKIR, text: 'Sampah menumpuk di TPS dekat Pasar Templek belum diangkut tiga hari', program: 'Kabar Malam', callTime }, 'entry-late');
    expect(res.statusCode).toBe(202);
    expect((await gw.deps.auth.users.get('siti'))?.lastProgram).toBe('Halo Blitar Pagi');
  });
});

describe('a desk page whose browser logged in as someone else meanwhile (X-Aduan-Desk-User)', () => {
  it('is refused (409 session_changed) before anything is filed, shown or checked; the page of the session\'s own user passes', async () => {
    const text = 'Got di depan SDN Sentul meluap setiap hujan deras, air masuk rumah';
    const asPage = (user: string) => ({ cookie: siti, 'content-type': 'application/json', 'x-aduan-desk-user': user });
    const filed = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/complaints', headers: { ...asPage('budi'), 'idempotency-key': 'changed-1' }, payload: { text, program: 'Halo Blitar Pagi' } });
    expect(filed.statusCode).toBe(409);
    expect(filed.json().error).toBe('session_changed');
    expect((await intakeQ.getJobs(['waiting', 'active', 'completed'])).filter((j) => j?.data.text === text)).toEqual([]);
    // Checked before the body: not a field error that would mark the entry refused.
    const invalid = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/complaints', headers: asPage('budi'), payload: { text: 'pendek' } });
    expect(invalid.json().error).toBe('session_changed');
    for (const req of [
      { method: 'GET' as const, url: '/api/v1/desk/board' },
      { method: 'GET' as const, url: '/api/v1/desk/complaints/ADU-0000-0000' },
      { method: 'POST' as const, url: '/api/v1/desk/similar', payload: { text: 'lampu jalan mati' } },
      { method: 'POST' as const, url: '/api/v1/desk/complaints/ADU-0000-0000/supporters', payload: { program: 'Halo Blitar Pagi' } },
    ]) {
      const res = await gw.app.inject({ ...req, headers: asPage('budi') });
      expect([req.url, res.statusCode, res.json().error]).toEqual([req.url, 409, 'session_changed']);
    }
    const own = await gw.app.inject({ url: '/api/v1/desk/board', headers: asPage('Siti') });
    expect(own.statusCode).toBe(200);
    expect(own.json().station).toBe('Radio Patria FM');
  });
});
