import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '@aduan/queue';
import { startRouterService, type RouterService } from '@aduan/router';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { createTestGateway } from '@aduan/gateway/testing';
import { ACCOUNT, citizenMessage, intakeJobs, startHarness, testConfig, type Harness } from '../../services/whatsapp/src/test-support/harness.ts';
import type { ServiceConfig } from '../../services/whatsapp/src/service.ts';

/**
 * A WhatsApp citizen's journey with the real services: the WhatsApp service through the Baileys
 * seam, the router, and the gateway (the OPD API, the admin's re-assignment).
 */
const url = testRedisUrl();
const prefix = uniquePrefix('journey-wa');
const { logger } = memoryLogger('journey');
const PASSWORD = 'kata-sandi-admin-77';
let router: RouterService;
let gw: Awaited<ReturnType<typeof createTestGateway>>;
let config: ServiceConfig;
let h: Harness;
/** Every text sent to citizens, across restarts of the WhatsApp service. */
const sent: { jid: string; text: string }[] = [];
const collect = () => {
  for (const s of h.socket.sent.splice(0)) sent.push({ jid: s.jid, text: (s.content as { text: string }).text });
  return sent;
};
const textsTo = (jid: string) => collect().filter((s) => s.jid === jid).map((s) => s.text);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startWhatsApp(): Promise<void> {
  h = await startHarness(config);
  await waitFor(() => h.service.sessions.get(ACCOUNT)!.status.state === 'connected', { what: 'connected' });
}

beforeAll(async () => {
  router = await startRouterService({ redisUrl: url, prefix, logger });
  gw = await createTestGateway({ redisUrl: url, prefix, logger, routerAlive: router.alive });
  await gw.deps.auth.users.add({ username: 'admin', password: PASSWORD, role: 'admin' });
  config = testConfig(url, prefix);
  await startWhatsApp();
});
afterAll(async () => {
  await h.stop();
  await gw.close();
  await router.close();
  await deletePrefix(url, prefix);
});

describe('a WhatsApp citizen hears when the OPD acts', () => {
  it('"sudah ada kabar?" a week later is answered with the status (after a restart and a re-assignment), not filed as a new complaint', async () => {
    const citizen = '6281234500001@s.whatsapp.net';
    const say = (text: string) => h.socket.deliver([citizenMessage({ conversation: text }, {}, citizen)]);
    say('Jukir liar di depan Pasar Legi minta uang parkir lima ribu, tolong ditertibkan');
    const [c] = await waitFor(async () => ((await intakeJobs(url, prefix)).length ? intakeJobs(url, prefix) : null), { what: 'complaint' });
    const rec = await waitFor(async () => ((await gw.deps.status.get(c!.id))?.opd ? gw.deps.status.get(c!.id) : null), { what: 'routed' });
    await waitFor(() => textsTo(citizen).length >= 2, { what: 'ack and routed notice' });

    // The OPD reports with its own formatting habits: hours with "~", a lone "*", a link.
    const { secret } = await gw.deps.opdKeys.create(rec!.opd!, 'journey');
    const report = await gw.app.inject({
      method: 'POST',
      url: `/api/v1/opd/complaints/${c!.id}/status`,
      headers: { authorization: `Bearer ${secret}` },
      payload: { state: 'in_progress', updateId: 'u1', message: 'Petugas patroli jam 08.00~10.00 dan 13.00~15.00, tarif resmi Rp 2.000*. Info: https://dishub.blitarkota.go.id/parkir_resmi' },
    });
    expect(report.statusCode).toBe(202);
    const notice = await waitFor(() => textsTo(citizen).find((t) => t.includes('sedang ditindaklanjuti')), { what: 'status notice' });
    // No WhatsApp formatting from the OPD's words (the only marks are the bold ticket's own); the
    // link as written, with no full stop stuck to it.
    expect(notice).toMatch(new RegExp(`^Aduan \\*${c!.ticket}\\* `));
    expect(notice!.replace(`*${c!.ticket}*`, '')).not.toMatch(/[*~`]/);
    expect(notice).toMatch(/https:\/\/dishub\.blitarkota\.go\.id\/parkir_resmi$/);
    expect(notice).toContain('08.00\u223C10.00');

    // The WhatsApp service restarts; an admin re-assigns the complaint.
    collect();
    await h.stop();
    await startWhatsApp();
    const login = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', payload: { username: 'admin', password: PASSWORD } });
    const cookie = `aduan_session=${login.cookies.find((x) => x.name === 'aduan_session')?.value}`;
    const assigned = await gw.app.inject({ method: 'POST', url: `/api/v1/complaints/${c!.id}/assign`, headers: { cookie }, payload: { opd: 'satpolpp', note: 'internal: Pak Joko yang pegang' } });
    expect(assigned.statusCode).toBe(200);
    await waitFor(() => textsTo(citizen).find((t) => t.includes('Satuan Polisi Pamong Praja')), { what: 'routed notice after re-assignment' });

    // A week later: the acknowledgement's memory is gone (what its TTL does on day 7).
    const redis = createRedis(url, 'worker');
    try {
      for (const key of await redis.keys(`${prefix}:conv:acked:*`)) await redis.pexpire(key, 1);
      for (const key of await redis.keys(`${prefix}:conv:noticed:*`)) await redis.pexpire(key, 1);
    } finally {
      redis.disconnect();
    }
    await sleep(50);
    const before = textsTo(citizen).length;
    say('sudah ada kabar?');
    const answer = await waitFor(() => textsTo(citizen)[before], { what: 'answer' });
    expect(answer).toContain(c!.ticket);
    expect(answer).toContain('Satuan Polisi Pamong Praja');
    expect(answer).not.toContain('Pak Joko');
    // No second complaint, and nothing more to the citizen (no acknowledgement of a new ticket).
    await sleep(config.CONVERSATION_QUIET + 1_500);
    expect((await intakeJobs(url, prefix)).map((j) => j.id)).toEqual([c!.id]);
    expect(textsTo(citizen)).toHaveLength(before + 1);
  }, 60_000);

  it('a web form citizen who sends "cek <ticket>" from the number they gave hears every later step in that chat', async () => {
    const citizen = '6281234500077@s.whatsapp.net';
    const filed = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Lampu penerangan jalan di Jl. Kalimantan padam sejak seminggu, gelap sekali malam hari', reporter: { name: 'Wulan', phone: '0812-3450-0077' } } });
    expect(filed.statusCode).toBe(202);
    const { id, ticket } = filed.json<{ id: string; ticket: string }>();
    const rec = await waitFor(async () => ((await gw.deps.status.get(id))?.opd ? gw.deps.status.get(id) : null), { what: 'routed' });
    // Routed before they asked: nothing is sent to a chat that never wrote to us.
    await sleep(300);
    expect(textsTo(citizen)).toEqual([]);

    h.socket.deliver([citizenMessage({ conversation: `cek ${ticket}` }, {}, citizen)]);
    const answer = await waitFor(() => textsTo(citizen)[0], { what: 'cek answer' });
    expect(answer).toContain('sudah diteruskan');
    expect(answer).toContain('kami kirimkan ke WhatsApp ini');

    const { secret } = await gw.deps.opdKeys.create(rec!.opd!, 'journey-web');
    const report = await gw.app.inject({ method: 'POST', url: `/api/v1/opd/complaints/${id}/status`, headers: { authorization: `Bearer ${secret}` }, payload: { state: 'in_progress', updateId: 'web-u1', message: 'Petugas dijadwalkan memperbaiki besok pagi' } });
    expect(report.statusCode).toBe(202);
    const progress = await waitFor(() => textsTo(citizen).find((t) => t.includes('sedang ditindaklanjuti')), { what: 'status notice in the followed chat' });
    expect(progress).toContain(ticket);
    expect(progress).toContain('Petugas dijadwalkan memperbaiki besok pagi');

    // An admin re-assigns it: the routed notice comes to that chat too.
    const login = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', payload: { username: 'admin', password: PASSWORD } });
    const cookie = `aduan_session=${login.cookies.find((x) => x.name === 'aduan_session')?.value}`;
    const to = rec!.opd === 'dpupr' ? 'dishub' : 'dpupr';
    expect((await gw.app.inject({ method: 'POST', url: `/api/v1/complaints/${id}/assign`, headers: { cookie }, payload: { opd: to } })).statusCode).toBe(200);
    const routed = await waitFor(() => textsTo(citizen).find((t) => t.includes('sudah kami teruskan ke')), { what: 'routed notice in the followed chat' });
    expect(routed).toContain(ticket);
    expect(routed).toContain(to === 'dpupr' ? 'Pekerjaan Umum' : 'Perhubungan');
    // Nothing of it was filed as a complaint.
    expect((await intakeJobs(url, prefix)).filter((j) => j.channel === 'whatsapp' && j.source.senderId === citizen)).toEqual([]);
  }, 30_000);

  it('a sender with no complaint asking "gimana perkembangan laporan saya?" is told how to check, and nothing is filed', async () => {
    const stranger = '6281234500002@s.whatsapp.net';
    const filed = (await intakeJobs(url, prefix)).length;
    h.socket.deliver([citizenMessage({ conversation: 'gimana perkembangan laporan saya?' }, {}, stranger)]);
    const answer = await waitFor(() => textsTo(stranger)[0], { what: 'answer' });
    expect(answer).toMatch(/cek ADU-/);
    await sleep(config.CONVERSATION_QUIET + 1_500);
    expect(await intakeJobs(url, prefix)).toHaveLength(filed);
    expect(textsTo(stranger)).toHaveLength(1);
  }, 30_000);
});
