import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { createRedis } from '@aduan/queue';
import { startRouterService, type RouterService } from '@aduan/router';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { createTestGateway } from '@aduan/gateway/testing';
import { CORRECTIONS_MAX, correctionsKey } from '../../services/gateway/src/triage/assign.ts';

const url = testRedisUrl();
const prefix = uniquePrefix('corrections');
const { logger } = memoryLogger('corrections');
const redis = createRedis(url, 'worker');
const triage = new Queue('triage', { connection: redis, prefix });
const PASSWORD = 'kata-sandi-admin-77';
let router: RouterService;
let gw: Awaited<ReturnType<typeof createTestGateway>>;

beforeAll(async () => {
  router = await startRouterService({ redisUrl: url, prefix, logger });
  gw = await createTestGateway({ redisUrl: url, prefix, logger, routerAlive: router.alive });
  await gw.deps.auth.users.add({ username: 'admin', password: PASSWORD, role: 'admin' });
});
afterAll(async () => {
  await gw.close();
  await router.close();
  await triage.close();
  redis.disconnect();
  await deletePrefix(url, prefix);
});

describe('routing corrections', () => {
  it('keeps the newest CORRECTIONS_MAX in Redis: one admin decision more does not grow the list', async () => {
    const login = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', payload: { username: 'admin', password: PASSWORD } });
    const admin = `aduan_session=${login.cookies.find((c) => c.name === 'aduan_session')?.value}`;
    // A year of decisions already kept (written as the export reads them).
    const old = JSON.stringify({ id: 'old', text: 'keluhan lama', opd: 'dlh', router: { opd: 'dishub', confidence: 0.2, triage: true, decidedBy: 'rules' }, by: 'admin', at: '2025-11-30T00:00:00.000Z' });
    for (let i = 0; i < CORRECTIONS_MAX; i += 1_000) await redis.rpush(correctionsKey(prefix), ...Array.from({ length: 1_000 }, () => old));
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'ada sesuatu yang aneh di sini tolong dicek' } });
    const { id } = res.json() as { id: string };
    await waitFor(async () => (await triage.getJob(id)) ?? null, { what: 'triage job' });
    const assigned = await gw.app.inject({ method: 'POST', url: `/api/v1/complaints/${id}/assign`, headers: { cookie: admin }, payload: { opd: 'dlh' } });
    expect(assigned.statusCode).toBe(200);
    expect(await redis.llen(correctionsKey(prefix))).toBe(CORRECTIONS_MAX);
    const exported = (await gw.app.inject({ url: '/api/v1/triage/corrections', headers: { cookie: admin } })).body.trim().split('\n');
    expect(JSON.parse(exported.at(-1) ?? '{}')).toMatchObject({ id, opd: 'dlh' });
  });
});
