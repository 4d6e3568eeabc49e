import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@aduan/queue';
import { deletePrefix, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';

/**
 * A supervisor (Docker's `docker stop`, a deploy script's `kill`) signals the process it started:
 * `pnpm start`. The start script must hand the signal to the service, which then shuts down
 * gracefully; a shell left in between kept the old server running after pnpm had exited, holding
 * its port and spool.
 */
const url = testRedisUrl();
const prefix = uniquePrefix('startsig');
afterAll(() => deletePrefix(url, prefix));

/**
 * `pnpm start` in a process group of its own, answering on a free port: `stop(how)` signals it as
 * a supervisor would and resolves with everything it printed once pnpm exited and the service no
 * longer answers. A failed test kills the whole group.
 */
async function startPnpm(): Promise<{ stop: (signal: (pid: number) => void) => Promise<string>; kill: () => void }> {
  const port = await freePort();
  const pnpm = spawn('pnpm', ['--silent', 'start'], {
    cwd: join(import.meta.dirname, '..', '..'),
    env: { ...process.env, REDIS_URL: url, QUEUE_PREFIX: prefix, PORT: String(port), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  pnpm.stdout.on('data', (d: Buffer) => (out += d.toString()));
  pnpm.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => pnpm.once('exit', () => resolve()));
  const answers = () => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
  const kill = () => {
    try {
      process.kill(-pnpm.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  try {
    await waitFor(answers, { timeoutMs: 30_000, what: `pnpm start answering on ${port}: ${out.slice(-500)}` });
  } catch (err) {
    kill();
    throw err;
  }
  return {
    kill,
    stop: async (signal) => {
      signal(pnpm.pid!);
      await exited;
      // The service got the signal and stopped: nothing answers on its port.
      await waitFor(async () => !(await answers()), { timeoutMs: 10_000, what: 'the service to stop after pnpm exited' });
      return out;
    },
  };
}

describe('pnpm start and SIGTERM', () => {
  it('SIGTERM to pnpm stops the service itself, gracefully', async () => {
    const run = await startPnpm();
    try {
      const out = await run.stop((pid) => process.kill(pid, 'SIGTERM'));
      expect(out).toContain('"reason":"SIGTERM"');
      expect(out).toContain('"exitCode":0,"msg":"stopped"');
    } finally {
      run.kill();
    }
  }, 60_000);

  it('SIGTERM to the whole process group (`timeout`, `kill -- -<pgid>`), which pnpm also forwards, still stops it gracefully', async () => {
    const run = await startPnpm();
    try {
      const out = await run.stop((pid) => process.kill(-pid, 'SIGTERM'));
      expect(out).toContain('"exitCode":0,"msg":"stopped"');
      expect(out).not.toContain('second signal while shutting down');
    } finally {
      run.kill();
    }
  }, 60_000);
});
