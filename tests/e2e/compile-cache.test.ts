import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@aduan/queue';
import { deletePrefix, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { startCommand } from '@aduan/testkit/start-command';

/**
 * `pnpm warm` (run by `pnpm install`, and so by the Docker image build): each service loads its modules, writes Node's
 * compile cache and exits before connecting to anything; the next start takes every TypeScript
 * module from the cache, so the type stripper (amaro, ~15 MB RSS) is never loaded. Node's own
 * compile-cache debug output (NODE_DEBUG_NATIVE=COMPILE_CACHE) tells hits from misses.
 */
const url = testRedisUrl();
const prefix = uniquePrefix('warm');
const root = join(import.meta.dirname, '..', '..');
const entry = join(root, 'services/standalone/src/main.ts');
const start = startCommand();
const dir = mkdtempSync(join(tmpdir(), 'aduan-warm-'));
const cache = join(dir, 'compile-cache');

afterAll(() => deletePrefix(url, prefix));

function run(env: Record<string, string>, port: number) {
  const child = spawn(process.execPath, [...start.nodeFlags, entry], {
    cwd: dir,
    env: { ...process.env, ...env, NODE_COMPILE_CACHE: cache, NODE_DEBUG_NATIVE: 'COMPILE_CACHE', PORT: String(port), HOST: '127.0.0.1', QUEUE_PREFIX: prefix, SPOOL_DIR: join(dir, 'spool'), DATA_DIR: join(dir, 'data'), ATTACHMENT_DIR: join(dir, 'att'), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

const misses = (log: string) => log.split('\n').filter((l) => l.includes('no transpile cache for StrippedTypeScript')).length;
const hits = (log: string) => log.split('\n').filter((l) => /retrieving transpile cache for StrippedTypeScript .*success/.test(l)).length;

describe('pnpm warm', () => {
  it('fills the compile cache without connecting anywhere, and the next start strips no TypeScript', async () => {
    // Nothing listens on this Redis port: a warm-up that tried to connect would not exit 0 at once.
    const warm = run({ ADUAN_WARM_COMPILE_CACHE: '1', REDIS_URL: `redis://127.0.0.1:${await freePort()}`, REDIS_AUTOSTART: 'false' }, await freePort());
    expect(await warm.exited, warm.stderr().slice(-2000)).toBe(0);
    expect(misses(warm.stderr())).toBeGreaterThan(50);
    expect(readdirSync(cache).length).toBe(1);

    const port = await freePort();
    const served = run({ REDIS_URL: url }, port);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.status === 200, { timeoutMs: 20_000, what: 'all-in-one ready' });
    served.child.kill('SIGTERM');
    expect(await served.exited).toBe(0);
    expect(misses(served.stderr())).toBe(0);
    expect(hits(served.stderr())).toBeGreaterThan(50);
  }, 60_000);
});
