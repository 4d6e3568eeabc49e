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

describe('pnpm start and SIGTERM', () => {
  it('SIGTERM to pnpm stops the service itself, gracefully', async () => {
    const port = await freePort();
    const pnpm = spawn('pnpm', ['--silent', 'start'], {
      cwd: join(import.meta.dirname, '..', '..'),
      env: { ...process.env, REDIS_URL: url, QUEUE_PREFIX: prefix, PORT: String(port), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    pnpm.stdout.on('data', (d: Buffer) => (out += d.toString()));
    pnpm.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((resolve) => pnpm.once('exit', () => resolve()));
    const answers = () => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    try {
      await waitFor(answers, { timeoutMs: 30_000, what: `pnpm start answering on ${port}: ${out.slice(-500)}` });
      pnpm.kill('SIGTERM');
      await exited;
      // The service got the signal: it said so and stopped, and nothing answers on its port.
      await waitFor(async () => !(await answers()), { timeoutMs: 10_000, what: 'the service to stop after pnpm exited' });
      expect(out).toContain('"reason":"SIGTERM"');
      expect(out).toContain('"exitCode":0,"msg":"stopped"');
    } finally {
      pnpm.kill('SIGKILL');
    }
  }, 60_000);

  it('SIGTERM to the whole process group (`timeout`, `kill -- -<pgid>`), which pnpm also forwards, still stops it gracefully', async () => {
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
    const exited = new Promise<number | null>((resolve) => pnpm.once('exit', (code) => resolve(code)));
    const answers = () => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    try {
      await waitFor(answers, { timeoutMs: 30_000, what: `pnpm start answering on ${port}: ${out.slice(-500)}` });
      process.kill(-pnpm.pid!, 'SIGTERM');
      await exited;
      await waitFor(async () => !(await answers()), { timeoutMs: 10_000, what: 'the service to stop' });
      expect(out).toContain('"exitCode":0,"msg":"stopped"');
      expect(out).not.toContain('second signal while shutting down');
    } finally {
      try {
        process.kill(-pnpm.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }, 60_000);
});
