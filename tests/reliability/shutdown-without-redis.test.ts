import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, redisAnswers, startLocalRedis, type LocalRedis } from '@aduan/queue';
import { waitFor } from '@aduan/testkit';
import { startNodeProcess } from '@aduan/testkit/node-process';
import { startCommand } from '@aduan/testkit/start-command';

/**
 * A service told to stop while its Redis is gone (a host shutting down stops both at once, a
 * Redis restarting) must stop promptly and cleanly (exit code 0, as for any SIGTERM), instead of
 * hanging until the supervisor's SIGKILL. Found by `pnpm bench`: the all-in-one never exited.
 * Until the router closed its workers with closeWorker, the router and the all-in-one still
 * waited for SHUTDOWN_TIMEOUT and exited with code 1 (BullMQ's Worker.close() never resolved).
 */
const root = join(import.meta.dirname, '..', '..');
const SHUTDOWN_TIMEOUT_MS = 2_000;

async function startService(entry: string) {
  const dir = mkdtempSync(join(tmpdir(), 'aduan-stop-'));
  const redis = await startLocalRedis({ dir: join(dir, 'redis'), aof: false });
  const port = await freePort();
  const start = startCommand();
  const proc = startNodeProcess([...start.nodeFlags, join(root, entry)], {
    cwd: dir,
    env: { ...process.env, ...start.env, PORT: String(port), HOST: '127.0.0.1', REDIS_URL: redis.url, SPOOL_DIR: join(dir, 'spool'), ATTACHMENT_DIR: join(dir, 'att'), LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT: `${SHUTDOWN_TIMEOUT_MS}ms` },
  });
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.ok, { timeoutMs: 20_000, what: `${entry} up (${proc.output()})` });
  return { ...proc, redis, redisDir: join(dir, 'redis') };
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

describe.each([
  ['the all-in-one (pnpm start)', 'services/standalone/src/main.ts'],
  ['the gateway alone', 'services/gateway/src/main.ts'],
  ['the router alone', 'services/router/src/main.ts'],
])('%s, on SIGTERM with Redis gone', (_name, entry) => {
  it('exits at once with code 0', async () => {
    const service = await startService(entry);
    try {
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
      await redis.stop();
      // Away 3.6 s: the connections' next try is then 3.2 s after their third, i.e. 6 s or
      // more after Redis went (createRedis's back-off), so SIGTERM comes while Redis answers
      // again and every connection still waits to reconnect.
      await new Promise((r) => setTimeout(r, 3_600));
      redis = await startLocalRedis({ dir: service.redisDir, aof: false, port: redis.port });
      expect(await redisAnswers(redis.url)).toBe(true);
      const stopped = await stop(service);
      expectCleanStop(stopped);
      // The window was hit: both workers were closed without waiting for their connections.
      expect(stopped.lines.filter((l) => l.msg.startsWith('redis unreachable at shutdown'))).toHaveLength(2);
    } finally {
      if (service.child.exitCode === null) service.child.kill('SIGKILL');
      await redis.stop();
    }
  }, 40_000);
});
