import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, freePort, redisAnswers, startLocalRedis, untilReady, type LocalRedis } from '@aduan/queue';
import { waitFor } from '@aduan/testkit';
import { startNodeProcess } from '@aduan/testkit/node-process';
import { startCommand } from '@aduan/testkit/start-command';
import { loggedInUser } from '../../services/instagram/src/testing/fake-ig-client.ts';
import { igKeys } from '../../services/instagram/src/session/keys.ts';
import { FakeInstagramServer } from '../../services/instagram/src/testing/fake-instagram-server.ts';

/**
 * A service told to stop while its Redis is gone (a host shutting down stops both at once, a
 * Redis restarting) must stop promptly and cleanly (exit code 0, as for any SIGTERM), instead of
 * hanging until the supervisor's SIGKILL. Found by `pnpm bench`: the all-in-one never exited.
 * Until they closed their workers with closeWorker, the router, the all-in-one and the WhatsApp
 * and Instagram services still waited for SHUTDOWN_TIMEOUT and exited with code 1 (BullMQ's
 * Worker.close() never resolved); the chat services also waited on Redis for their lock and
 * session writes.
 */
const root = join(import.meta.dirname, '..', '..');
const SHUTDOWN_TIMEOUT_MS = 2_000;
/** Every service runs with one; /metrics answers only with it (checked once per service below). */
const METRICS_TOKEN = 'shutdown-test-metrics-token-0123';

/**
 * The chat services as they run in production (their own `pnpm start`), against no network:
 * WhatsApp's Baileys socket cannot reach WhatsApp and keeps reconnecting; Instagram logs in and
 * polls a loopback stand-in, so its session is ready and is saved on stop.
 */
const ig = new FakeInstagramServer();
beforeAll(async () => {
  ig.loggedInUser = loggedInUser;
  await ig.start();
});
afterAll(() => ig.stop());
const chatEnv: Record<string, () => Record<string, string>> = {
  'services/whatsapp/src/main.ts': () => ({ WA_NUMBERS: '+6281100000000' }),
  'services/instagram/src/main.ts': () => ({ INSTAGRAM_USERNAME: 'pemkotblitar', INSTAGRAM_PASSWORD: 'rahasia-sekali', INSTAGRAM_PROXY_URL: ig.proxyUrl, INSTAGRAM_PROXY_TUNNEL: 'false' }),
};

async function startService(entry: string, opts: { aof?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'aduan-stop-'));
  const redis = await startLocalRedis({ dir: join(dir, 'redis'), aof: opts.aof ?? false });
  const port = await freePort();
  const chat = chatEnv[entry];
  // A chat service runs as its own package's start script does; the others as the root's.
  const start = startCommand(chat ? entry.split('/src/')[0] : '.');
  const env = { ...process.env, ...start.env, PORT: String(port), HOST: '127.0.0.1', REDIS_URL: redis.url, SPOOL_DIR: join(dir, 'spool'), INBOX_SPOOL_DIR: join(dir, 'inbox'), ATTACHMENT_DIR: join(dir, 'att'), LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT: `${SHUTDOWN_TIMEOUT_MS}ms`, METRICS_TOKEN, ...chat?.() };
  const run = () => {
    const proc = startNodeProcess([...start.nodeFlags, join(root, entry)], { cwd: dir, env });
    return { ...proc, up: () => waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.ok, { timeoutMs: 20_000, what: `${entry} up (${proc.output()})` }) };
  };
  const proc = run();
  await proc.up();
  return { ...proc, port, redis, redisDir: join(dir, 'redis'), aof: opts.aof ?? false, again: run };
}

/** SIGTERM: how it ended, how long it took, and its log lines. */
async function stop(service: Awaited<ReturnType<typeof startService>>) {
  const sent = Date.now();
  service.child.kill('SIGTERM');
  const code = await Promise.race([service.exited, new Promise((r) => setTimeout(() => r('still running'), 10_000))]);
  const lines = service
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; step?: string; msg: string; exitCode?: number });
  return { code, ms: Date.now() - sent, lines };
}

/** Stopped cleanly and at once: code 0, well before the deadline, nothing it gave up on. */
function expectCleanStop({ code, ms, lines }: Awaited<ReturnType<typeof stop>>) {
  expect(code, `exit: ${String(code)}; ${lines.find((l) => l.step)?.msg ?? ''}`).toBe(0);
  expect(ms).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
  // (Not counting the start's REDIS IS NOT DURABLE: this Redis keeps no AOF.)
  const stopping = lines.slice(lines.findIndex((l) => l.msg.startsWith('shutting down')));
  expect(stopping.filter((l) => l.level >= 50)).toEqual([]);
  expect(lines.at(-1)).toMatchObject({ msg: 'stopped', exitCode: 0 });
}

/** Redis away 3.6 s, then back: the service's connections still wait out their back-off (up to 5 s). */
async function restartRedisUnderneath(service: Awaited<ReturnType<typeof startService>>): Promise<LocalRedis> {
  await service.redis.stop();
  // Away 3.6 s: the connections' next try is then 3.2 s after their third, i.e. 6 s or more
  // after Redis went (createRedis's back-off), so SIGTERM comes while Redis answers again and
  // every connection still waits to reconnect.
  await new Promise((r) => setTimeout(r, 3_600));
  const redis = await startLocalRedis({ dir: service.redisDir, aof: service.aof, port: service.redis.port });
  expect(await redisAnswers(redis.url)).toBe(true);
  return redis;
}

describe.each([
  ['the all-in-one (pnpm start)', 'services/standalone/src/main.ts'],
  ['the gateway alone', 'services/gateway/src/main.ts'],
  ['the router alone', 'services/router/src/main.ts'],
  ['the WhatsApp service', 'services/whatsapp/src/main.ts'],
  ['the Instagram service', 'services/instagram/src/main.ts'],
])('%s, on SIGTERM with Redis gone', (_name, entry) => {
  it('exits at once with code 0', async () => {
    const service = await startService(entry);
    try {
      // While it ran, /metrics answered only Prometheus's token (METRICS_TOKEN); health checks anyone.
      const metrics = `http://127.0.0.1:${service.port}/metrics`;
      expect((await fetch(metrics)).status).toBe(401);
      const scraped = await fetch(metrics, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('aduan_');
      await service.redis.stop();
      expectCleanStop(await stop(service));
    } finally {
      if (service.child.exitCode === null) service.child.kill('SIGKILL');
      await service.redis.stop();
    }
  }, 40_000);
});

describe.each([
  ['the all-in-one (pnpm start)', 'services/standalone/src/main.ts'],
  ['the router alone', 'services/router/src/main.ts'],
])('%s, on SIGTERM with Redis back from a restart and its workers still waiting to reconnect', (_name, entry) => {
  it('exits at once with code 0', async () => {
    const service = await startService(entry);
    let redis: LocalRedis = service.redis;
    try {
      redis = await restartRedisUnderneath(service);
      const stopped = await stop(service);
      expectCleanStop(stopped);
      // The window was hit: the router's workers (intake, status, reopen) were closed without waiting for their connections.
      expect(stopped.lines.filter((l) => l.msg.startsWith('redis unreachable at shutdown'))).toHaveLength(3);
    } finally {
      if (service.child.exitCode === null) service.child.kill('SIGKILL');
      await redis.stop();
    }
  }, 40_000);
});

describe('the chat services, on SIGTERM with Redis back from a restart and their connections still waiting to reconnect', () => {
  // Redis keeps its data across the restart (AOF), as in production: the lock left behind is there.
  it('WhatsApp exits at once with code 0; its number lock, not released, is taken over by the next start on this host', async () => {
    const service = await startService('services/whatsapp/src/main.ts', { aof: true });
    let redis: LocalRedis = service.redis;
    let next: ReturnType<typeof service.again> | undefined;
    try {
      redis = await restartRedisUnderneath(service);
      const stopped = await stop(service);
      expectCleanStop(stopped);
      const said = stopped.lines.map((l) => l.msg);
      expect(said).toContain('redis unreachable at shutdown: worker closed without waiting for it (no job in flight)');
      expect(said).toContain('redis unreachable at shutdown: number lock left to expire');
      // Its pid is gone: the next start takes the lock over at once instead of refusing to run.
      next = service.again();
      await next.up();
      expect(next.output()).not.toContain('ADUAN_ERR_WA_LOCKED');
    } finally {
      for (const p of [service, next]) if (p && p.child.exitCode === null) p.child.kill('SIGKILL');
      await redis.stop();
    }
  }, 60_000);

  it('Instagram exits at once with code 0, leaving its session and account lock as they are in Redis', async () => {
    const service = await startService('services/instagram/src/main.ts', { aof: true });
    let redis: LocalRedis = service.redis;
    try {
      redis = await restartRedisUnderneath(service);
      const stopped = await stop(service);
      expectCleanStop(stopped);
      const said = stopped.lines.map((l) => l.msg);
      expect(said).toContain('redis unreachable at shutdown: worker closed without waiting for it (no job in flight)');
      expect(said).toContain('redis unreachable at shutdown: instagram session not saved; the next start restores the one saved before');
      expect(said).toContain('redis unreachable at shutdown: account lock left to expire');
      // The session saved at the login is there for the next start; the lock expires on its own.
      const keys = igKeys('aduan', 'pemkotblitar');
      const conn = createRedis(redis.url, 'client');
      try {
        await untilReady(conn, 3_000);
        expect(await conn.exists(keys.session)).toBe(1);
        expect(await conn.pttl(keys.lock)).toBeGreaterThan(0);
      } finally {
        conn.disconnect();
      }
    } finally {
      if (service.child.exitCode === null) service.child.kill('SIGKILL');
      await redis.stop();
    }
  }, 60_000);
});
