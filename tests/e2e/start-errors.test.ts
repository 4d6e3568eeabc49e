import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT_CONFIG } from '@aduan/config';
import { freePort } from '@aduan/queue';
import { deletePrefix, testRedisUrl, uniquePrefix } from '@aduan/testkit';

/**
 * `pnpm start` (and a service alone) that cannot start says why in one line and exits with EXIT_CONFIG, as for a bad
 * setting, not with a stack trace: a port another program holds (Grafana's is 3000 too), an
 * OPD directory file edited into something that does not load, and a holidays file with a typo.
 */
const url = testRedisUrl();
const prefix = uniquePrefix('startfail');
afterAll(() => deletePrefix(url, prefix));
const start = (env: Record<string, string>, service = 'standalone') =>
  spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', `services/${service}/src/main.ts`)], {
    env: { PATH: process.env.PATH ?? '', REDIS_URL: url, QUEUE_PREFIX: prefix, TMPDIR: process.env.TMPDIR ?? '/tmp', DATA_DIR: join(process.env.TMPDIR ?? '/tmp', `${prefix}-data`), ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });

describe('a service that cannot start', () => {
  it('a port already in use: EXIT_CONFIG and what to do', async () => {
    const port = await freePort();
    const other = createServer().listen(port, '0.0.0.0');
    await new Promise((r) => other.once('listening', r));
    try {
      const run = start({ PORT: String(port) });
      expect(run.status).toBe(EXIT_CONFIG);
      expect(run.stderr).toContain(`Aduan cannot start: port ${port} is already in use by another program; set PORT to a free port`);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    } finally {
      other.close();
    }
  });

  it.each(['standalone', 'gateway', 'router'])('an OPD directory that does not load: EXIT_CONFIG naming it (%s)', (service) => {
    const run = start({ PORT: '0', ROUTING_DIRECTORY: '/nonexistent/routing', SPOOL_DIR: join(process.env.TMPDIR ?? '/tmp', `${prefix}-spool-${service}`) }, service);
    expect(run.status, run.stderr).toBe(EXIT_CONFIG);
    expect(run.stderr).toContain('Aduan cannot start: the OPD directory (ROUTING_DIRECTORY, infra/routing/*.yaml) does not load');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it.each(['standalone', 'gateway'])('a holidays file with a line that is not a date: EXIT_CONFIG naming the line (%s)', (service) => {
    const dir = mkdtempSync(join(tmpdir(), 'aduan-holidays-'));
    try {
      const file = join(dir, 'holidays.txt');
      // 25 December written the Indonesian way: it would silently count as a working day if skipped.
      writeFileSync(file, '# libur nasional\n2026-12-25\n25-12-2026\n');
      const run = start({ PORT: '0', HOLIDAYS_FILE: file, SPOOL_DIR: join(dir, 'spool') }, service);
      expect(run.status, run.stderr).toBe(EXIT_CONFIG);
      expect(run.stderr).toContain('Aduan cannot start: the holidays file (HOLIDAYS_FILE');
      expect(run.stderr).toContain('line 3: "25-12-2026" is not a date written YYYY-MM-DD');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // A network of its own (root only): nothing answers on 127.0.0.1:6379 there.
  const unshare = spawnSync('sh', ['-c', 'command -v unshare'], { encoding: 'utf8' }).stdout.trim();
  const ownNetwork = process.getuid?.() === 0 && !!unshare && spawnSync(unshare, ['-n', 'true']).status === 0;
  it.skipIf(!ownNetwork)('no REDIS_URL, no Redis on the default port and no redis-server to start: EXIT_CONFIG (a supervisor must not restart it in a loop) and what to install', () => {
    const data = join(process.env.TMPDIR ?? '/tmp', `${prefix}-noredis`);
    const run = spawnSync(unshare, ['-n', process.execPath, join(import.meta.dirname, '..', '..', 'services/standalone/src/main.ts')], {
      // No redis-server on this PATH (unshare is named by its full path).
      env: { PATH: '/nonexistent', QUEUE_PREFIX: prefix, DATA_DIR: data, SPOOL_DIR: join(data, 'spool'), LOG_LEVEL: 'warn' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status, run.stderr).toBe(EXIT_CONFIG);
    expect(run.stderr).toContain('Aduan cannot start:');
    expect(run.stderr).toContain('apt-get install redis-server');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
