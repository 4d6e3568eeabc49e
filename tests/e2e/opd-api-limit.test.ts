import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway } from '@aduan/gateway/testing';
import { OpdKeyStore } from '@aduan/gateway';
import { startRouterService, type RouterService } from '@aduan/router';
import { createRedis } from '@aduan/queue';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';

/** OPD_REPORTS_PER_MINUTE: a runaway OPD script is stopped per key, not per address, and other keys go on. */
const url = testRedisUrl();
const prefix = uniquePrefix('opdlimit');
const { logger } = memoryLogger('opdlimit');
let router: RouterService;
let gw: Awaited<ReturnType<typeof createTestGateway>>;
const redis = createRedis(url, 'worker');
const keys = new OpdKeyStore(redis, prefix);

beforeAll(async () => {
  router = await startRouterService({ redisUrl: url, prefix, logger });
  gw = await createTestGateway({ redisUrl: url, prefix, logger, routerAlive: router.alive, env: { OPD_REPORTS_PER_MINUTE: '3' } });
});
afterAll(async () => {
  await gw.close();
  await router.close();
  redis.disconnect();
  await deletePrefix(url, prefix);
});

describe('OPD API report limit', () => {
  it('answers 429 with Retry-After after OPD_REPORTS_PER_MINUTE reports with one key; another key of the same OPD is not held back', async () => {
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Jukir liar di depan Pasar Legi minta uang parkir lima ribu' } });
    const { id, ticket, statusToken } = res.json() as { id: string; ticket: string; statusToken: string };
    const state = async () => ((await gw.app.inject({ url: `/api/v1/complaints/${ticket}?token=${statusToken}` })).json() as { state: string; opd?: { code: string } });
    await waitFor(async () => ((await state()).opd?.code === 'dishub' ? true : null), { timeoutMs: 15_000, what: 'routed to dishub' });
    const runaway = (await keys.create('dishub', 'sync script')).secret;
    const other = (await keys.create('dishub', 'SIM Dishub')).secret;
    const report = (secret: string, n: number) =>
      gw.app.inject({ method: 'POST', url: `/api/v1/opd/complaints/${id}/status`, headers: { authorization: `Bearer ${secret}` }, payload: { state: 'in_progress', message: `Sedang dikerjakan (${n})`, updateId: `u-${secret.slice(-6)}-${n}` } });

    for (let n = 1; n <= 3; n++) expect((await report(runaway, n)).statusCode).toBe(202);
    const refused = await report(runaway, 4);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ error: 'rate_limited' });
    expect(refused.json().message).toContain('OPD_REPORTS_PER_MINUTE');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // The limit is the key's, not the address's: the OPD's other system goes on.
    expect((await report(other, 1)).statusCode).toBe(202);
    // No key, or a wrong one, is still 401 (the key is checked before the limit).
    expect((await gw.app.inject({ method: 'POST', url: `/api/v1/opd/complaints/${id}/status`, payload: { state: 'in_progress', updateId: 'x' } })).statusCode).toBe(401);
    const metrics = (await gw.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/^aduan_gateway_opd_requests_total\{opd="dishub",action="status",outcome="rate_limited"\} 1$/m);
  });
});
