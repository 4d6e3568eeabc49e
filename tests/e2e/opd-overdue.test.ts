import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway } from '@aduan/gateway/testing';
import { OpdKeyStore } from '@aduan/gateway';
import { startRouterService, type RouterService } from '@aduan/router';
import { createRedis, publishRouted } from '@aduan/queue';
import { ResponseDeadline, type Routing } from '@aduan/schema';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { chatComplaint } from '../../services/router/src/testing/reports.ts';

/**
 * OPD response deadlines end to end: gateway + real router + Redis. A complaint is made late by
 * its decision's date (published as the router and the admin publish theirs, 10 days ago), not
 * by a clock moved in the code under test.
 */
const url = testRedisUrl();
const prefix = uniquePrefix('overdue');
const log = memoryLogger('overdue');
const { logger } = log;
const redis = createRedis(url, 'worker');
const keys = new OpdKeyStore(redis, prefix);
const DAY = 86_400_000;
/** The default deadline (OPD_RESPONSE_DAYS=5) with the shipped holidays file, which lists no dates. */
const deadline = new ResponseDeadline(5, new Set());
let router: RouterService;
let gw: Awaited<ReturnType<typeof createTestGateway>>;
let dishub: string;
let dlh: string;
let adminCookie: string;
let n = 0;

/** A complaint the version before the awaiting indexes routed to satpolpp 10 days ago: its record and inbox entry as that version wrote them. */
const LEGACY = '01J00000000000000000LEGAC1';
async function legacyRouted(): Promise<void> {
  const routedAt = Date.now() - 10 * DAY;
  await redis.hset(`${prefix}:complaint:${LEGACY}`, { id: LEGACY, ticket: 'ADU-LEGA-CY01', channel: 'webform', state: 'routed', opd: 'satpolpp', opdName: 'Satpol PP', receivedAt: new Date(routedAt - 60_000).toISOString(), updatedAt: new Date(routedAt).toISOString() });
  await redis.zadd(`${prefix}:opd:satpolpp:inbox`, routedAt, LEGACY);
}

/** A citizen's complaint given to `opd` by a decision made `days` days ago. */
async function routedDaysAgo(days: number, opd: string, opdName: string): Promise<{ id: string; routedMs: number }> {
  const routedMs = Date.now() - days * DAY;
  const base = chatComplaint('overdue', prefix, ++n);
  const complaint = { ...base, receivedAt: new Date(routedMs - 3_600_000).toISOString(), submittedAt: new Date(routedMs - 3_600_000).toISOString() };
  await gw.deps.status.recordReceived({ id: complaint.id, ticket: complaint.ticket, channel: complaint.channel, receivedAt: complaint.receivedAt });
  const routing: Routing = { opd, opdName, confidence: 0.9, reasons: ['test'], alternatives: [], decidedBy: 'rules', triage: false, revision: 0, routedAt: new Date(routedMs).toISOString(), routerVersion: 'test' };
  await publishRouted({ producer: gw.deps.producer, status: gw.deps.status }, complaint, routing);
  return { id: complaint.id, routedMs };
}

/** `aduan_opd_overdue_complaints{opd}` on the gateway's /metrics; undefined when there is no such series. */
async function overdue(opd: string): Promise<number | undefined> {
  const text = (await gw.app.inject({ url: '/metrics' })).body;
  const m = new RegExp(`^aduan_opd_overdue_complaints\\{opd="${opd}"\\} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

const asOpd = (secret: string, path: string, payload?: object) => gw.app.inject({ method: payload ? 'POST' : 'GET', url: path, headers: { authorization: `Bearer ${secret}` }, ...(payload ? { payload } : {}) });
const respondByOf = async (secret: string, id: string) => {
  const res = await asOpd(secret, `/api/v1/opd/complaints/${id}`);
  expect(res.statusCode).toBe(200);
  return (res.json() as { respondBy?: string }).respondBy;
};
const stateOf = async (id: string) => (await gw.deps.status.get(id))?.state;

beforeAll(async () => {
  await legacyRouted();
  router = await startRouterService({ redisUrl: url, prefix, logger });
  gw = await createTestGateway({ redisUrl: url, prefix, logger, routerAlive: router.alive });
  await gw.deps.awaitingBackfill;
  dishub = (await keys.create('dishub', 'SIM Dishub')).secret;
  dlh = (await keys.create('dlh', 'SIM DLH')).secret;
  await gw.deps.auth.users.add({ username: 'admin', password: 'kata-sandi-admin-88', role: 'admin' });
  const login = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', payload: { username: 'admin', password: 'kata-sandi-admin-88' } });
  adminCookie = `aduan_session=${login.cookies.find((c) => c.name === 'aduan_session')?.value}`;
});
afterAll(async () => {
  await gw.close();
  await router.close();
  redis.disconnect();
  await deletePrefix(url, prefix);
});

describe('OPD response deadlines', () => {
  it('counts a complaint routed before the upgrade, found in its OPD inbox at start (backfilled once)', async () => {
    expect(await overdue('satpolpp')).toBe(1);
    // Every OPD of the directory has a series, 0 when none of its complaints is late.
    expect(await overdue('dinkes')).toBe(0);
    expect(await redis.exists(`${prefix}:opd-awaiting:backfilled`)).toBe(1);
    const filled = (lines: typeof log.lines) => lines.filter((l) => l.msg === 'awaiting-response index filled from the OPD inboxes (once, after the upgrade)');
    expect(filled(log.lines).map((l) => l.added)).toEqual([1]);
    // A fresh install has nothing to fill, and says nothing of an upgrade.
    const freshLog = memoryLogger('overdue-fresh');
    const fresh = await createTestGateway({ redisUrl: url, prefix: `${prefix}-fresh`, logger: freshLog.logger });
    try {
      await fresh.deps.awaitingBackfill;
      expect(await redis.exists(`${prefix}-fresh:opd-awaiting:backfilled`)).toBe(1);
      expect(filled(freshLog.lines)).toEqual([]);
    } finally {
      await fresh.close();
      await deletePrefix(url, `${prefix}-fresh`);
    }
  });

  it('routed 10 days ago and unanswered: overdue and counted, with its respondBy passed; its OPD reports in_progress: no longer counted', async () => {
    const before = (await overdue('dishub')) ?? 0;
    const late = await routedDaysAgo(10, 'dishub', 'Dinas Perhubungan');
    expect(await overdue('dishub')).toBe(before + 1);
    const respondBy = await respondByOf(dishub, late.id);
    expect(respondBy).toBe(new Date(deadline.respondBy(late.routedMs)).toISOString());
    expect(Date.parse(respondBy!)).toBeLessThan(Date.now());
    // One routed today is not late: its deadline is ahead.
    const fresh = await routedDaysAgo(0, 'dishub', 'Dinas Perhubungan');
    expect(Date.parse((await respondByOf(dishub, fresh.id))!)).toBeGreaterThan(Date.now() + 5 * DAY);
    expect(await overdue('dishub')).toBe(before + 1);

    const res = await asOpd(dishub, `/api/v1/opd/complaints/${late.id}/status`, { state: 'in_progress', message: 'Petugas menuju lokasi', updateId: 'overdue-1' });
    expect(res.statusCode).toBe(202);
    await waitFor(async () => ((await stateOf(late.id)) === 'in_progress' ? true : null), { what: 'the report applied' });
    expect(await overdue('dishub')).toBe(before);
    expect(await respondByOf(dishub, late.id)).toBeUndefined();
  });

  it("a re-assignment restarts the clock: the late OPD's count falls, and the new OPD's deadline runs from today", async () => {
    const late = await routedDaysAgo(10, 'dishub', 'Dinas Perhubungan');
    const dishubBefore = (await overdue('dishub'))!;
    const dlhBefore = (await overdue('dlh'))!;
    const res = await gw.app.inject({ method: 'POST', url: `/api/v1/complaints/${late.id}/assign`, headers: { cookie: adminCookie }, payload: { opd: 'dlh', revision: 0 } });
    expect(res.statusCode).toBe(200);
    expect(await overdue('dishub')).toBe(dishubBefore - 1);
    expect(await overdue('dlh')).toBe(dlhBefore);
    const respondBy = Date.parse((await respondByOf(dlh, late.id))!);
    expect(respondBy).toBe(deadline.respondBy(Date.parse((await gw.deps.status.get(late.id))!.updatedAt)));
    expect(respondBy).toBeGreaterThan(Date.now() + 5 * DAY);
  });

  it('OPD_RESPONSE_DAYS=0 turns deadlines off: no overdue series, no respondBy', async () => {
    const late = await routedDaysAgo(10, 'dishub', 'Dinas Perhubungan');
    const off = await createTestGateway({ redisUrl: url, prefix, logger, routerAlive: router.alive, env: { OPD_RESPONSE_DAYS: '0' } });
    try {
      expect((await off.app.inject({ url: '/metrics' })).body).not.toContain('aduan_opd_overdue_complaints{');
      const res = await off.app.inject({ url: `/api/v1/opd/complaints/${late.id}`, headers: { authorization: `Bearer ${dishub}` } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).not.toHaveProperty('respondBy');
    } finally {
      await off.close();
    }
  });
});
