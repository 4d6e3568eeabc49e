import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway } from '@aduan/gateway/testing';
import { OpdKeyStore } from '@aduan/gateway';
import { startRouterService, type RouterService } from '@aduan/router';
import { createRedis } from '@aduan/queue';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { JUKIR } from '../../services/router/src/testing/reports.ts';
import { monthOf, shiftMonth } from '../../services/gateway/src/report/monthly-report.ts';

/**
 * The admins' monthly report end to end: complaints filed through the web API, routed by the real
 * router, answered through the OPD API, counted by `GET /api/v1/reports/monthly`, its CSV and the
 * `/admin/rekap` page, on real Redis. Records written before the report's index existed are found
 * by the gateway at start (once), their additions left out.
 */
const url = testRedisUrl();
const prefix = uniquePrefix('report');
const log = memoryLogger('report');
const redis = createRedis(url, 'worker');
let router: RouterService;
let gw: Awaited<ReturnType<typeof createTestGateway>>;
let adminCookie: string;
let operatorCookie: string;

/** A complaint and its addition as the version before the index left them, received on 15 Sep 2026 (WIB). */
const LEGACY = '01J00000000000000000LEGAC1';
const LEGACY_ADDITION = '01J00000000000000000LEGAC2';
async function legacyRecords(): Promise<void> {
  const receivedAt = '2026-09-15T03:00:00.000Z';
  await redis.hset(`${prefix}:complaint:${LEGACY}`, { id: LEGACY, ticket: 'ADU-LEGA-CY01', channel: 'radio', state: 'resolved', opd: 'satpolpp', opdName: 'Satpol PP', receivedAt, updatedAt: receivedAt });
  await redis.rpush(`${prefix}:complaint:${LEGACY}:history`, JSON.stringify({ state: 'routed', at: '2026-09-15T03:01:00.000Z', opd: 'satpolpp' }), JSON.stringify({ state: 'resolved', at: '2026-09-15T05:01:00.000Z', opd: 'satpolpp' }));
  await redis.hset(`${prefix}:complaint:${LEGACY_ADDITION}`, { id: LEGACY_ADDITION, ticket: 'ADU-LEGA-CY02', channel: 'whatsapp', state: 'routed', opd: 'satpolpp', opdName: 'Satpol PP', receivedAt, updatedAt: receivedAt });
  await redis.sadd(`${prefix}:complaint:${LEGACY}:additions`, LEGACY_ADDITION);
}

const asAdmin = (path: string, cookie = adminCookie) => gw.app.inject({ url: path, headers: { cookie } });
async function login(username: string, password: string): Promise<string> {
  const res = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', payload: { username, password } });
  return `aduan_session=${res.cookies.find((c) => c.name === 'aduan_session')?.value}`;
}
async function file(text: string): Promise<{ id: string; ticket: string }> {
  const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text } });
  expect(res.statusCode).toBe(202);
  return res.json() as { id: string; ticket: string };
}

beforeAll(async () => {
  await legacyRecords();
  router = await startRouterService({ redisUrl: url, prefix, logger: log.logger });
  gw = await createTestGateway({ redisUrl: url, prefix, logger: log.logger, routerAlive: router.alive });
  await gw.deps.receivedBackfill;
  await gw.deps.auth.users.add({ username: 'admin', password: 'kata-sandi-admin-91', role: 'admin' });
  await gw.deps.auth.users.add({ username: 'siti', password: 'kata-sandi-siti-91', role: 'operator', station: 'Radio Patria FM' });
  adminCookie = await login('admin', 'kata-sandi-admin-91');
  operatorCookie = await login('siti', 'kata-sandi-siti-91');
});
afterAll(async () => {
  await gw.close();
  await router.close();
  redis.disconnect();
  await deletePrefix(url, prefix);
});

describe('monthly report', () => {
  it('finds the complaints received before its index existed, once, without their additions', async () => {
    const res = await asAdmin('/api/v1/reports/monthly?month=2026-09');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ month: '2026-09', total: 1, byChannel: { radio: 1, whatsapp: 0 }, opds: [{ opd: 'satpolpp', total: 1, resolved: 1, answered: 1, answeredOnTime: 1, medianResponseHours: 2 }] });
    expect(log.lines.filter((l) => l.msg === 'received index filled from the status records (once, after the upgrade)').map((l) => l.added)).toEqual([1]);
    expect(await redis.exists(`${prefix}:received:backfilled`)).toBe(1);
  });

  it('counts web complaints routed by the router, per OPD as they stand, with the OPD API answer on time; as JSON, CSV and the page', async () => {
    const answered = await file(JUKIR);
    const waiting = await file(`${JUKIR}, setiap malam`);
    const unclear = await file('Tolong dicek yang di sana itu pak, sudah lama dibiarkan');
    for (const [c, state] of [[answered, 'routed'], [waiting, 'routed'], [unclear, 'triage']] as const) await waitFor(async () => ((await gw.deps.status.get(c.id))?.state === state ? true : null), { what: state });
    const key = (await new OpdKeyStore(redis, prefix).create('dishub', 'SIM Dishub')).secret;
    const rep = await gw.app.inject({ method: 'POST', url: `/api/v1/opd/complaints/${answered.id}/status`, headers: { authorization: `Bearer ${key}` }, payload: { state: 'in_progress', updateId: 'report-1' } });
    expect(rep.statusCode).toBe(202);
    await waitFor(async () => ((await gw.deps.status.get(answered.id))?.state === 'in_progress' ? true : null), { what: 'the report applied' });

    // The month they were received in (a run across 00.00 WIB on the 1st could split them: not counted on).
    const months = await Promise.all([answered, waiting, unclear].map(async (c) => monthOf(Date.parse((await gw.deps.status.get(c.id))!.receivedAt))));
    const month = months[0]!;
    if (months.some((m) => m !== month)) return;
    const res = await asAdmin(`/api/v1/reports/monthly?month=${month}`);
    expect(res.statusCode).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ month, total: 3, byChannel: { webform: 3 }, responseDays: 5, inTriage: 1, external: 0 });
    const dishub = report.opds.find((o: { opd: string }) => o.opd === 'dishub');
    expect(dishub).toMatchObject({ opdName: 'Dinas Perhubungan', opdShortName: 'Dishub', total: 2, waiting: 1, inProgress: 1, answered: 1, answeredOnTime: 1, overdue: 0 });
    expect(dishub.medianResponseHours).toBeLessThan(1);
    // Another month holds none of them.
    expect((await asAdmin(`/api/v1/reports/monthly?month=${shiftMonth(month, -1)}`)).json()).toMatchObject({ total: 0, opds: [] });

    const csv = await asAdmin(`/api/v1/reports/monthly.csv?month=${month}`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="rekap-aduan-${month}.csv"`);
    expect(csv.body.startsWith('\uFEFFKode dinas;Dinas;')).toBe(true);
    expect(csv.body).toMatch(/\r\ndishub;Dinas Perhubungan;2;1;1;0;0;1;1;0;\d/);
    expect(csv.body).toContain('\r\ndinas;Jumlah di dinas;2;1;1;0;0;1;1;0;;0\r\ntriase;Belum diteruskan (menunggu triase);1;');
    expect(csv.body).toContain('\r\njumlah;Semua aduan bulan ini;3;');

    const page = await asAdmin(`/admin/rekap?bulan=${month}`);
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('<strong>3</strong> aduan diterima (formulir web 3)');
    expect(page.body).toMatch(/<abbr title="Dinas Perhubungan"[^>]*>Dishub<\/abbr>/);
    expect(page.body).toContain(`href="/api/v1/reports/monthly.csv?month=${month}"`);
  });

  it('is for admins only, and says what a month must look like', async () => {
    expect((await gw.app.inject({ url: '/api/v1/reports/monthly' })).statusCode).toBe(401);
    expect((await asAdmin('/api/v1/reports/monthly', operatorCookie)).statusCode).toBe(403);
    expect((await asAdmin('/api/v1/reports/monthly.csv', operatorCookie)).statusCode).toBe(403);
    expect((await gw.app.inject({ url: '/api/v1/reports/monthly.csv' })).statusCode).toBe(401);
    expect((await asAdmin('/admin/rekap', operatorCookie)).statusCode).toBe(403);
    const page = await gw.app.inject({ url: '/admin/rekap' });
    expect([page.statusCode, page.headers.location]).toEqual([303, expect.stringContaining('/login')]);
    const bad = await asAdmin('/api/v1/reports/monthly?month=2026-13');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'validation_failed', fields: { month: { code: 'invalid' } } });
    // Without a month: this one.
    const before = monthOf(Date.now());
    const month = (await asAdmin('/api/v1/reports/monthly')).json().month;
    expect([before, monthOf(Date.now())]).toContain(month);
    const typo = await asAdmin('/admin/rekap?bulan=Nov%202026');
    expect(typo.statusCode).toBe(200);
    expect(typo.body).toContain('“Nov 2026” tidak dikenali sebagai bulan');
  });
});
