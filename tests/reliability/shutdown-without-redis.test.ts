import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, startLocalRedis } from '@aduan/queue';
import { waitFor } from '@aduan/testkit';
import { startNodeProcess } from '@aduan/testkit/node-process';
import { startCommand } from '@aduan/testkit/start-command';

/**
 * A service told to stop while its Redis is gone (a host shutting down stops both at once) must
 * still exit within SHUTDOWN_TIMEOUT, saying what it was waiting for, instead of hanging until
 * the supervisor's SIGKILL. Found by `pnpm bench`: the all-in-one never exited.
 */
const root = join(import.meta.dirname, '..', '..');

describe.each([
  ['the all-in-one (pnpm start)', 'services/standalone/src/main.ts'],
  ['the gateway alone', 'services/gateway/src/main.ts'],
  ['the router alone', 'services/router/src/main.ts'],
])('%s, on SIGTERM with Redis gone', (_name, entry) => {
  it('exits within SHUTDOWN_TIMEOUT, and says which step it gave up on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aduan-stop-'));
    const redis = await startLocalRedis({ dir: join(dir, 'redis'), aof: false });
    const port = await freePort();
    const start = startCommand();
    const { child, output, exited } = startNodeProcess([...start.nodeFlags, join(root, entry)], {
      cwd: dir,
      env: { ...process.env, ...start.env, PORT: String(port), HOST: '127.0.0.1', REDIS_URL: redis.url, SPOOL_DIR: join(dir, 'spool'), ATTACHMENT_DIR: join(dir, 'att'), LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT: '2s' },
    });
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.ok, { timeoutMs: 20_000, what: `${entry} up (${output()})` });
      await redis.stop();
      const sent = Date.now();
      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 10_000))]);
      expect(code === 0 || code === 1, `exit: ${String(code)}`).toBe(true);
      expect(Date.now() - sent).toBeLessThan(6_000);
      // Exit code 1 says the stop was not clean; the log says where it gave up.
      const lines = output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: number; step?: string; msg: string });
      if (code === 1) expect(lines.find((l) => l.level === 50 && l.step)?.msg).toMatch(/did not finish in time|failed/);
      expect(lines.at(-1)?.msg).toMatch(/stopped|did not finish in time/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await redis.stop();
    }
  }, 40_000);
});
