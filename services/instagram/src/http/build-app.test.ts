import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '@aduan/testkit';
import { NoPendingChallengeError } from '../errors.ts';
import { createIgMetrics } from '../metrics.ts';
import { buildApp, type HealthSnapshot } from './build-app.ts';

const TOKEN = 'a-long-admin-token-for-tests-0123';

function app(opts: { health?: Partial<HealthSnapshot>; submit?: (code: string) => Promise<string>; token?: string; metricsToken?: string } = {}) {
  const registry = new Registry();
  const metrics = createIgMetrics(registry);
  metrics.setState('connected');
  const submitted: string[] = [];
  const a = buildApp({
    logger: memoryLogger().logger,
    registry,
    // The data disks' gauges are checked on the real process (main.int.test.ts).
    dataDirs: {},
    adminToken: 'token' in opts ? opts.token : TOKEN,
    metricsToken: opts.metricsToken,
    health: async () => ({ account: 'pemkotblitar', state: 'connected', lockHeld: true, redis: true, consecutiveFailures: 0, ...opts.health }),
    submitCode:
      opts.submit ??
      (async (c) => {
        submitted.push(c);
        return 'ready';
      }),
  });
  return { a, submitted };
}

describe('HTTP: health, metrics, challenge code', () => {
  it('healthz is 200 while the lock is held and Redis answers; 503 otherwise', async () => {
    const ok = await app().a.inject({ url: '/healthz' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'ok', state: 'connected', account: 'pemkotblitar' });
    const lost = await app({ health: { lockHeld: false } }).a.inject({ url: '/healthz' });
    expect(lost.statusCode).toBe(503);
    // Waiting for a code is reported, not a reason to restart.
    const waiting = await app({ health: { state: 'awaiting_code', awaitingCode: 'checkpoint' } }).a.inject({ url: '/healthz' });
    expect(waiting.statusCode).toBe(200);
    expect(waiting.json()).toMatchObject({ awaitingCode: 'checkpoint' });
    // A poll loop stuck where no deadline reaches: restarting helps.
    const stuck = await app({ health: { pollOverdue: true } }).a.inject({ url: '/healthz' });
    expect(stuck.statusCode).toBe(503);
    expect(stuck.json()).toMatchObject({ status: 'unhealthy', pollOverdue: true });
  });

  it('metrics need METRICS_TOKEN when it is set (not the admin token)', async () => {
    const a = app({ metricsToken: 'metrics-token-0123456789' }).a;
    expect((await a.inject({ url: '/metrics' })).statusCode).toBe(401);
    expect((await a.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(401);
    const res = await a.inject({ url: '/metrics', headers: { authorization: 'Bearer metrics-token-0123456789' } });
    expect(res.body).toContain('aduan_instagram_connection_state{state="connected"} 1');
    expect((await a.inject({ url: '/healthz' })).statusCode).toBe(200);
  });

  it('metrics show the connection state', async () => {
    const res = await app().a.inject({ url: '/metrics' });
    expect(res.body).toContain('aduan_instagram_connection_state{state="connected"} 1');
    expect(res.body).toContain('aduan_instagram_connection_state{state="backoff"} 0');
  });

  it('the code endpoint needs the bearer token and a numeric code', async () => {
    const { a, submitted } = app();
    expect((await a.inject({ method: 'POST', url: '/admin/instagram/code', payload: { code: '123456' } })).statusCode).toBe(401);
    expect((await a.inject({ method: 'POST', url: '/admin/instagram/code', headers: { authorization: 'Bearer wrong' }, payload: { code: '123456' } })).statusCode).toBe(401);
    const bad = await a.inject({ method: 'POST', url: '/admin/instagram/code', headers: { authorization: `Bearer ${TOKEN}` }, payload: { code: 'abc' } });
    expect(bad.statusCode).toBe(400);
    const good = await a.inject({ method: 'POST', url: '/admin/instagram/code', headers: { authorization: `Bearer ${TOKEN}` }, payload: { code: '123 456' } });
    expect(good.statusCode).toBe(200);
    expect(good.json()).toEqual({ state: 'ready' });
    expect(submitted).toEqual(['123 456']);
  });

  it('answers 409 when no challenge waits, and has no endpoint without a token', async () => {
    const { a } = app({ submit: async () => Promise.reject(new NoPendingChallengeError()) });
    const res = await a.inject({ method: 'POST', url: '/admin/instagram/code', headers: { authorization: `Bearer ${TOKEN}` }, payload: { code: '123456' } });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('ADUAN_ERR_IG_NO_CHALLENGE');
    expect((await app({ token: undefined }).a.inject({ method: 'POST', url: '/admin/instagram/code', payload: { code: '1' } })).statusCode).toBe(404);
  });
});
