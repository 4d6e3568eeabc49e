import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway } from '@aduan/gateway/testing';
import { OpdKeyStore } from '@aduan/gateway';
import { startRouterService, type RouterService } from '@aduan/router';
import { Queue, QueueNames, createRedis } from '@aduan/queue';
import type { RoutedComplaint } from '@aduan/schema';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { JUKIR } from '../../services/router/src/testing/reports.ts';

/**
 * A citizen says "belum selesai" (ADR 0014), end to end: a web complaint routed by the real router,
 * resolved by its OPD, reopened through the API and the status page; back on the OPD's inbox, feed
 * and queue with the reason, and its citizen told. On real Redis.
 */
const url = testRedisUrl();
const prefix = uniquePrefix('reopen');
const log = memoryLogger('reopen');
let router: RouterService;
let gw: Awaited<ReturnType<typeof createTestGateway>>;
const redis = createRedis(url, 'worker');
const keys = new OpdKeyStore(redis, prefix);
const queues = new Map<string, Queue>();
const q = (name: string) => queues.get(name) ?? queues.set(name, new Queue(name, { connection: redis, prefix })).get(name)!;
let dishubKey: string;
let budi: string;
const REASON = 'Jukirnya masih ada setiap sore dan tetap menarik uang tanpa karcis';

type Filed = { id: string; ticket: string; statusToken: string };
type View = { state: string; history: { state: string; message?: string }[] };

const citizenView = async (c: Filed) => (await gw.app.inject({ url: `/api/v1/complaints/${c.ticket}`, headers: { authorization: `Bearer ${c.statusToken}` } })).json() as View;
const reopenApi = (c: Filed, payload: object, token = c.statusToken) =>
  gw.app.inject({ method: 'POST', url: `/api/v1/complaints/${c.ticket}/reopen`, headers: { authorization: `Bearer ${token}` }, payload });
const untilState = (c: Filed, state: string) => waitFor(async () => ((await citizenView(c)).state === state ? true : null), { timeoutMs: 15_000, what: state });

async function fileRouted(): Promise<Filed> {
  const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: JUKIR, location: { kelurahan: 'Kepanjenlor' }, reporter: { name: 'Pak Darto', phone: '0812 3456 7890' } } });
  expect(res.statusCode).toBe(202);
  const c = res.json() as Filed;
  await untilState(c, 'routed');
  return c;
}

/** dishub's system reports it resolved (dated `at`, now by default) through the OPD API. */
async function resolve(c: Filed, at?: string): Promise<void> {
  const res = await gw.app.inject({ method: 'POST', url: `/api/v1/opd/complaints/${c.id}/status`, headers: { authorization: `Bearer ${dishubKey}` }, payload: { state: 'resolved', message: 'Sudah ditertibkan', updateId: `res-${c.id}-${Date.now()}`, ...(at ? { at } : {}) } });
  expect(res.statusCode).toBe(202);
  await untilState(c, 'resolved');
}

beforeAll(async () => {
  router = await startRouterService({ redisUrl: url, prefix, logger: log.logger });
  gw = await createTestGateway({ redisUrl: url, prefix, logger: log.logger, routerAlive: router.alive });
  dishubKey = (await keys.create('dishub', 'SIM Dishub')).secret;
  await gw.deps.auth.users.add({ username: 'budi', password: 'kata-sandi-budi-91', role: 'opd', opd: 'dishub' });
  const login = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', payload: { username: 'budi', password: 'kata-sandi-budi-91' } });
  budi = `aduan_session=${login.cookies.find((k) => k.name === 'aduan_session')?.value}`;
});
afterAll(async () => {
  await gw.close();
  await router.close();
  for (const queue of queues.values()) await queue.close();
  redis.disconnect();
  await deletePrefix(url, prefix);
});

describe('a citizen reopens a resolved complaint', () => {
  it('through the API: back with its OPD (inbox, feed, queue) with the reason, the citizen told; sent twice, reopened once', async () => {
    const c = await fileRouted();
    // The citizen follows it on WhatsApp: the notice goes there.
    await gw.deps.status.follow(c.id, { channel: 'whatsapp', account: '6281100000000', to: '6281234567890@s.whatsapp.net' });
    expect((await reopenApi(c, { reason: REASON })).json()).toMatchObject({ error: 'not_resolved' });
    await resolve(c);

    expect((await reopenApi(c, { reason: REASON }, 'WRONG-TOKEN')).statusCode).toBe(404);
    const blank = await reopenApi(c, { reason: '   ' });
    expect([blank.statusCode, blank.json().fields?.reason?.code]).toEqual([400, 'required']);
    expect((await reopenApi(c, { reason: 'x'.repeat(1001) })).json().fields?.reason?.code).toBe('too_long');

    // A double-submitted request: both taken, one reopen.
    const [a, b] = await Promise.all([reopenApi(c, { reason: REASON }), reopenApi(c, { reason: REASON })]);
    expect([a.statusCode, b.statusCode]).toEqual([202, 202]);
    expect(a.json()).toEqual({ ticket: c.ticket });
    await untilState(c, 'routed');
    expect((await citizenView(c)).history.at(-1)).toMatchObject({ state: 'routed', message: REASON });
    expect((await reopenApi(c, { reason: REASON })).json()).toMatchObject({ error: 'not_resolved' });
    expect(await q(QueueNames.routed).getJob(`${c.id}.r2`)).toBeUndefined();

    // On opd.dishub as a new revision, marked reopened.
    const job = (await q(QueueNames.opd('dishub')).getJob(`${c.id}.r1`))?.data as RoutedComplaint;
    expect(job.routing).toMatchObject({ revision: 1, opd: 'dishub', reopened: { reason: REASON, count: 1 } });
    // The OPD API's feed carries it again, with the field.
    const feed = (await gw.app.inject({ url: '/api/v1/opd/complaints', headers: { authorization: `Bearer ${dishubKey}` } })).json() as { items: { complaint: RoutedComplaint; respondBy?: string }[] };
    const item = feed.items.find((i) => i.complaint.id === c.id);
    expect(item?.complaint.routing.reopened?.reason).toBe(REASON);
    expect(item?.respondBy).toBeDefined();
    // The inbox: waiting for an answer again, marked, with the reason.
    const inbox = (await gw.app.inject({ url: '/opd', headers: { cookie: budi } })).body;
    const waiting = inbox.slice(inbox.indexOf('id="menunggu"'), inbox.indexOf('id="diproses"'));
    expect(waiting).toContain(c.ticket);
    expect(waiting).toContain('Dibuka kembali oleh warga');
    expect(waiting).toContain(REASON);
    // The citizen hears it on the chat they follow it in.
    const told = await waitFor(async () => (await q(QueueNames.notify('whatsapp')).getJob(`routed.${c.id}.r1`)) ?? null, { what: 'notice' });
    expect(told.data.text).toBe(`Aduan *${c.ticket}* kami teruskan kembali ke Dinas Perhubungan beserta keterangan Anda, agar ditindaklanjuti lagi. Kami akan mengabari Anda bila ada perkembangan. Terima kasih.`);
    expect(log.text()).not.toContain('Jukirnya masih');

    // Reopened up to REOPEN_MAX (2) times; the third is refused.
    await resolve(c);
    expect((await reopenApi(c, { reason: 'Masih sama saja' })).statusCode).toBe(202);
    await untilState(c, 'routed');
    await resolve(c);
    expect((await reopenApi(c, { reason: 'Masih juga' })).json()).toMatchObject({ error: 'reopen_limit_reached' });
    // The month's report counts both against dishub.
    const report = (await gw.app.inject({ url: '/api/v1/opd/report', headers: { authorization: `Bearer ${dishubKey}` } })).json() as { reopened: number };
    expect(report.reopened).toBe(2);
  });

  it('refuses a reopen past REOPEN_DAYS after the resolution', async () => {
    const c = await fileRouted();
    // Resolved as of 15 days ago by the OPD's date (the complaint was received before that, as far as the OPD API checks).
    await redis.hset(`${prefix}:complaint:${c.id}`, 'receivedAt', new Date(Date.now() - 30 * 86_400_000).toISOString());
    await resolve(c, new Date(Date.now() - 15 * 86_400_000).toISOString());
    const res = await reopenApi(c, { reason: REASON });
    expect([res.statusCode, res.json().error]).toEqual([409, 'reopen_window_closed']);
    // The status page offers no form.
    expect((await gw.app.inject({ url: `/status?ticket=${c.ticket}&token=${c.statusToken}` })).body).not.toContain('Masalahnya belum selesai?');
  });

  it('through the status page: the form, its errors next to the field, a cross-site post refused, and the thanks', async () => {
    const c = await fileRouted();
    const statusUrl = `/status?ticket=${c.ticket}&token=${c.statusToken}`;
    expect((await gw.app.inject({ url: statusUrl })).body).not.toContain('Masalahnya belum selesai?');
    await resolve(c);
    const page = (await gw.app.inject({ url: statusUrl })).body;
    expect(page).toContain('Masalahnya belum selesai?');
    expect(page).toContain('action="/status/belum-selesai"');
    const post = (fields: Record<string, string>, origin = 'http://localhost:80') =>
      gw.app.inject({ method: 'POST', url: '/status/belum-selesai', headers: { 'content-type': 'application/x-www-form-urlencoded', origin, host: 'localhost:80' }, payload: new URLSearchParams(fields).toString() });
    const empty = await post({ ticket: c.ticket, token: c.statusToken, reason: ' ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('id="reason-error">Mohon tuliskan apa yang belum selesai.');
    expect((await post({ ticket: c.ticket, token: c.statusToken, reason: REASON }, 'https://elsewhere.example')).statusCode).toBe(403);
    expect((await post({ ticket: c.ticket, token: 'WRONG', reason: REASON })).statusCode).toBe(404);
    const sent = await post({ ticket: c.ticket, token: c.statusToken, reason: REASON });
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toBe(`${statusUrl}&dibuka=1`);
    const thanks = (await gw.app.inject({ url: sent.headers.location as string })).body;
    expect(thanks).toContain('Terima kasih, keterangan Anda sudah kami terima.');
    expect(thanks).not.toContain('Masalahnya belum selesai?');
    await untilState(c, 'routed');
    expect((await citizenView(c)).history.at(-1)?.message).toBe(REASON);
  });
});
