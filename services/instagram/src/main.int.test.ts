import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT_CONFIG } from '@aduan/config';
import { createRedis, freePort } from '@aduan/queue';
import { deletePrefix, expectDiskOf, reportedDataDisks, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { startNodeProcess } from '@aduan/testkit/node-process';
import { igKeys } from './session/keys.ts';

const url = testRedisUrl();
const SHM = '/dev/shm';

/**
 * The real entry point as a process. Instagram is unreachable here, so its traffic is sent to
 * a closed loopback port (INSTAGRAM_PROXY_URL): login and polls fail like a network outage.
 */
describe('main (process)', () => {
  let prefix: string;
  afterEach(async () => deletePrefix(url, prefix));

  it('without an account to serve, exits with EXIT_CONFIG and says which setting is missing', () => {
    prefix = uniquePrefix('igmain');
    const run = spawnSync(process.execPath, ['src/main.ts'], {
      cwd: join(import.meta.dirname, '..'),
      env: { PATH: process.env.PATH ?? '', REDIS_URL: url, QUEUE_PREFIX: prefix },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(EXIT_CONFIG);
    // As every service says a configuration mistake (README, docs/operations.md): on stderr, in
    // the words a deploy script or journalctl shows, not as a JSON log line on stdout.
    expect(run.stderr).toContain('Aduan cannot start: invalid configuration:');
    expect(run.stderr).toContain('INSTAGRAM_USERNAME is required');
    expect(run.stdout).toBe('');
  });

  it('refuses HTTP_PORT and HTTP_HOST by name (now PORT and HOST) rather than listening elsewhere without a word', () => {
    prefix = uniquePrefix('igmain');
    const run = spawnSync(process.execPath, ['src/main.ts'], {
      cwd: join(import.meta.dirname, '..'),
      env: { PATH: process.env.PATH ?? '', REDIS_URL: url, QUEUE_PREFIX: prefix, INSTAGRAM_USERNAME: 'pemkotblitar', HTTP_PORT: '3103' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(EXIT_CONFIG);
    expect(run.stderr).toContain('HTTP_PORT is now PORT');
  });

  it('starts, reports back-off on /healthz and its data disks on /metrics, and on SIGTERM stops cleanly and frees the account', async () => {
    prefix = uniquePrefix('igmain');
    const dir = mkdtempSync(join(tmpdir(), 'ig-main-'));
    // The inbox on a tmpfs (where the machine has one): a directory reported under another's label shows.
    const inboxBase = mkdtempSync(join(existsSync(SHM) ? SHM : tmpdir(), 'ig-main-inbox-'));
    const [httpPort, deadPort] = [await freePort(), await freePort()];
    const { child, output, exited } = startNodeProcess(['src/main.ts'], {
      cwd: join(import.meta.dirname, '..'),
      env: {
        PATH: process.env.PATH ?? '',
        REDIS_URL: url,
        QUEUE_PREFIX: prefix,
        INSTAGRAM_USERNAME: 'pemkotblitar',
        INSTAGRAM_PASSWORD: 'not-a-real-password',
        INSTAGRAM_PROXY_URL: `http://127.0.0.1:${deadPort}`,
        PORT: String(httpPort),
        ATTACHMENT_DIR: join(dir, 'a'),
        SPOOL_DIR: join(dir, 's'),
        INBOX_SPOOL_DIR: join(inboxBase, 'i'),
        LOG_LEVEL: 'warn',
      },
    });
    const redis = createRedis(url, 'worker');
    try {
      const health = await waitFor(
        async () => {
          const res = await fetch(`http://127.0.0.1:${httpPort}/healthz`).catch(() => undefined);
          return res ? ((await res.json()) as Record<string, unknown>) : undefined;
        },
        { timeoutMs: 20_000, what: `healthz (output: ${output()})` },
      );
      expect(health).toMatchObject({ status: 'ok', account: 'pemkotblitar', lockHeld: true, redis: true, state: 'backoff' });
      expect(await redis.exists(igKeys(prefix, 'pemkotblitar').lock)).toBe(1);
      expect(output()).not.toContain('not-a-real-password');

      // Complaints and chat messages kept while Redis is away, and photos: each one's disk, read
      // with statfs at the scrape. None is made yet (nothing kept so far): where each will be.
      const disks = reportedDataDisks(await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text());
      expect(Object.keys(disks).sort()).toEqual(['attachments', 'inbox', 'spool']);
      expect(['s', 'a'].some((d) => existsSync(join(dir, d))) || existsSync(join(inboxBase, 'i'))).toBe(false);
      await expectDiskOf(disks.inbox, inboxBase);
      await expectDiskOf(disks.spool, dir);
      await expectDiskOf(disks.attachments, dir);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(await redis.exists(igKeys(prefix, 'pemkotblitar').lock)).toBe(0);
    } finally {
      child.kill('SIGKILL');
      redis.disconnect();
      rmSync(inboxBase, { recursive: true, force: true });
    }
  });
});
