import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway } from '@aduan/gateway/testing';
import { OpdKeyStore } from '@aduan/gateway';
import { startRouterService, type RouterService } from '@aduan/router';
import { createRedis } from '@aduan/queue';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { JUKIR } from '../../services/router/src/testing/reports.ts';
import { monthOf, shiftMonth } from '../../services/gateway/src/report/monthly-report.ts';

/**
 * An OPD's own row of the monthly report, end to end: complaints filed through the web API and
 * routed by the real router to Dishub and DLH, answered through the OPD inbox's form and the OPD
 * API, counted for each OPD on its staff's page (`/opd/rekap`) and by its key
 * (`GET /api/v1/opd/report`): its own figures only, and zeros for an OPD with none. On real Redis.
 */
const url = testRedisUrl();
const prefix = uniquePrefix('opdreport');
const log = memoryLogger('opdreport');
const redis = createRedis(url, 'worker');
let router: RouterService;
let gw: Awaited<ReturnType<typeof createTestGateway>>;
const cookies: Record<string, string> = {};
const keys: Record<string, string> = {};
const SAMPAH = 'Sampah di TPS Jl. Anggrek sudah seminggu tidak diangkut, bau busuk sekali';

async function login(username: string, password: string): Promise<string> {
  const res = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', payload: { username, password } });
  expect(res.statusCode).toBe(200);
  return `aduan_session=${res.cookies.find((c) => c.name === 'aduan_session')?.value}`;
}
const page = (who: string, path: string) => gw.app.inject({ url: path, headers: { cookie: cookies[who] ?? '' } });
const api = (opd: string | undefined, path: string) => gw.app.inject({ url: path, headers: opd ? { authorization: `Bearer ${keys[opd]}` } : {} });
async function fileRouted(text: string): Promise<{ id: string; ticket: string }> {
  const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text } });
  expect(res.statusCode).toBe(202);
  const c = res.json() as { id: string; ticket: string };
  await waitFor(async () => ((await gw.deps.status.get(c.id))?.state === 'routed' ? true : null), { timeoutMs: 15_000, what: 'routed' });
  return c;
}
/** The page's figures, label by label, as its table shows them. */
function figures(body: string): Record<string, string> {
  const table = body.slice(body.indexOf('id="rekap-dinas"'), body.indexOf('</table>'));
  return Object.fromEntries([...table.matchAll(/<th scope="row"[^>]*>([^<]+)<\/th><td[^>]*>([^<]*)<\/td>/g)].map((m) => [m[1], m[2]]));
}

beforeAll(async () => {
  router = await startRouterService({ redisUrl: url, prefix, logger: log.logger });
  gw = await createTestGateway({ redisUrl: url, prefix, logger: log.logger, routerAlive: router.alive });
  const users = gw.deps.auth.users;
  const accounts = [['budi', 'dishub'], ['sari', 'dlh'], ['tono', 'satpolpp']] as const;
  for (const [username, opd] of accounts) {
    await users.add({ username, password: `kata-sandi-${username}-91`, role: 'opd', opd });
    cookies[username] = await login(username, `kata-sandi-${username}-91`);
    keys[opd] = (await new OpdKeyStore(redis, prefix).create(opd, `SIM ${opd}`)).secret;
  }
  await users.add({ username: 'admin', password: 'kata-sandi-admin-91', role: 'admin' });
  cookies.admin = await login('admin', 'kata-sandi-admin-91');
});
afterAll(async () => {
  await gw.close();
  await router.close();
  redis.disconnect();
  await deletePrefix(url, prefix);
});

describe("an OPD's own monthly report", () => {
  it('shows each OPD its own counts on its page and to its key, answers from the inbox and the API counted, and zeros to an OPD with none', async () => {
    const answered = await fileRouted(JUKIR);
    const waiting = await fileRouted(`${JUKIR}, setiap malam`);
    const sampah = await fileRouted(SAMPAH);
    expect((await gw.deps.status.get(sampah.id))?.opd).toBe('dlh');
    // Dishub answers through its inbox's form, DLH through its system's key.
    const form = (await page('budi', `/opd/aduan/${answered.id}`)).body;
    const updateId = /name="updateId" value="([^"]+)"/.exec(form)?.[1] ?? '';
    const sent = await gw.app.inject({ method: 'POST', url: `/opd/aduan/${answered.id}/tanggapan`, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies.budi! }, payload: new URLSearchParams({ state: 'in_progress', message: 'Petugas menuju lokasi', updateId }).toString() });
    expect(sent.statusCode).toBe(303);
    const rep = await gw.app.inject({ method: 'POST', url: `/api/v1/opd/complaints/${sampah.id}/status`, headers: { authorization: `Bearer ${keys.dlh}` }, payload: { state: 'resolved', message: 'Sampah sudah diangkut', updateId: 'sim-1' } });
    expect(rep.statusCode).toBe(202);
    await waitFor(async () => ((await gw.deps.status.get(answered.id))?.state === 'in_progress' ? true : null), { what: 'in_progress' });
    await waitFor(async () => ((await gw.deps.status.get(sampah.id))?.state === 'resolved' ? true : null), { what: 'resolved' });

    // The month they were received in (a run across 00.00 WIB on the 1st could split them: not counted on).
    const months = await Promise.all([answered, waiting, sampah].map(async (c) => monthOf(Date.parse((await gw.deps.status.get(c.id))!.receivedAt))));
    const month = months[0]!;
    if (months.some((m) => m !== month)) return;

    // The API: the key's OPD's row, with the month.
    const dishub = await api('dishub', `/api/v1/opd/report?month=${month}`);
    expect(dishub.statusCode).toBe(200);
    const row = dishub.json();
    expect(row).toMatchObject({ month, responseDays: 5, opd: 'dishub', opdName: 'Dinas Perhubungan', opdShortName: 'Dishub', total: 2, waiting: 1, inProgress: 1, resolved: 0, rejected: 0, answered: 1, answeredOnTime: 1, overdue: 0 });
    expect(row.medianResponseHours).toBeLessThan(1);
    expect(Object.keys(row)).not.toContain('opds');
    expect((await api('dlh', `/api/v1/opd/report?month=${month}`)).json()).toMatchObject({ month, opd: 'dlh', total: 1, waiting: 0, resolved: 1, answered: 1, answeredOnTime: 1 });
    // An OPD none of the month's complaints is with: zeros, not 404.
    const none = await api('satpolpp', `/api/v1/opd/report?month=${month}`);
    expect(none.statusCode).toBe(200);
    expect(none.json()).toEqual({ month, from: expect.any(String), to: expect.any(String), generatedAt: expect.any(String), responseDays: 5, opd: 'satpolpp', opdName: 'Satuan Polisi Pamong Praja', opdShortName: 'Satpol PP', total: 0, waiting: 0, inProgress: 0, resolved: 0, rejected: 0, answered: 0, answeredOnTime: 0, overdue: 0, medianResponseHours: null, reopened: 0 });
    expect((await api('dishub', `/api/v1/opd/report?month=${shiftMonth(month, -1)}`)).json()).toMatchObject({ total: 0, answered: 0 });
    // The admins' report agrees.
    const admins = (await page('admin', `/api/v1/reports/monthly?month=${month}`)).json();
    expect(admins.opds.find((o: { opd: string }) => o.opd === 'dishub')).toEqual(Object.fromEntries(Object.entries(row).filter(([k]) => !['month', 'from', 'to', 'generatedAt', 'responseDays'].includes(k))));

    // The pages: each OPD's staff see their own row, nothing of the other's, no city totals.
    const budi = await page('budi', `/opd/rekap?bulan=${month}`);
    expect(budi.statusCode).toBe(200);
    expect(budi.headers['cache-control']).toBe('no-store');
    expect(budi.body).toContain('Rekap bulanan Dinas Perhubungan');
    expect(figures(budi.body)).toEqual({ Aduan: '2', Menunggu: '1', Diproses: '1', Selesai: '0', 'Tidak dapat ditindaklanjuti': '0', 'Dibuka kembali oleh warga (bulan ini)': '0', 'Tepat waktu': '1 dari 1', 'Lewat batas': '0', 'Median waktu tanggapan': 'kurang dari 1 jam' });
    expect(budi.body).not.toMatch(/Lingkungan Hidup|DLH|aduan diterima/);
    const sari = await page('sari', `/opd/rekap?bulan=${month}`);
    expect(figures(sari.body)).toMatchObject({ Aduan: '1', Menunggu: '0', Selesai: '1', 'Tepat waktu': '1 dari 1' });
    expect(sari.body).not.toMatch(/Perhubungan|Dishub/);
    const tono = await page('tono', `/opd/rekap?bulan=${month}`);
    expect(tono.statusCode).toBe(200);
    expect(tono.body).toContain('tidak ada yang ditangani Satuan Polisi Pamong Praja');
    expect(figures(tono.body)).toMatchObject({ Aduan: '0', Menunggu: '0', 'Tepat waktu': '–', 'Median waktu tanggapan': '–' });

    // Counted in the OPD API's metrics, by the key's OPD.
    const metrics = (await gw.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/^aduan_gateway_opd_requests_total\{opd="dishub",action="report",outcome="ok"\} 2$/m);
    expect(metrics).toMatch(/^aduan_gateway_opd_requests_total\{opd="satpolpp",action="report",outcome="ok"\} 1$/m);
  });

  it('is linked from the inbox, for OPD accounts and keys only, and says what a month must look like', async () => {
    expect((await page('budi', '/opd')).body).toContain('<a href="/opd/rekap">Rekap bulanan</a>');
    const noSession = await gw.app.inject({ url: '/opd/rekap?bulan=2026-11' });
    expect([noSession.statusCode, noSession.headers.location]).toEqual([303, `/login?next=${encodeURIComponent('/opd/rekap?bulan=2026-11')}`]);
    expect((await page('admin', '/opd/rekap')).statusCode).toBe(403);
    expect((await api(undefined, '/api/v1/opd/report')).json()).toMatchObject({ error: 'key_required' });
    // The key's check comes first: a bad month without a key is 401, with one 400.
    expect((await api(undefined, '/api/v1/opd/report?month=2026-13')).statusCode).toBe(401);
    const bad = await api('dishub', '/api/v1/opd/report?month=2026-13');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'validation_failed', fields: { month: { code: 'invalid' } } });
    // Without a month: this one.
    const before = monthOf(Date.now());
    expect([before, monthOf(Date.now())]).toContain((await api('dishub', '/api/v1/opd/report')).json().month);
    const typo = await page('budi', '/opd/rekap?bulan=Nov%202026');
    expect(typo.statusCode).toBe(200);
    expect(typo.body).toContain('“Nov 2026” tidak dikenali sebagai bulan');
    expect(typo.body).toContain(`value="${monthOf(Date.now())}"`);
  });
});
