import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { freePort, probeRedis, RedisServerMissingError, startLocalRedis } from '@aduan/queue';
import { memoryLogger, testRedisUrl, waitFor } from '@aduan/testkit';
import { resolveRedis } from './resolve-redis.ts';

const { logger } = memoryLogger('standalone');

describe('resolveRedis (pnpm start)', () => {
  it('uses REDIS_URL when set', async () => {
    expect(await resolveRedis({ url: 'redis://example:6379', dataDir: '/tmp', autostart: true, logger })).toEqual({ url: 'redis://example:6379' });
  });

  it('uses a Redis already answering on the default port', async () => {
    const port = Number(new URL(testRedisUrl()).port);
    const r = await resolveRedis({ dataDir: '/tmp', autostart: true, logger, defaultPort: port });
    expect(r.url).toBe(`redis://127.0.0.1:${port}`);
    expect(r.local).toBeUndefined();
  });

  it('with REDIS_AUTOSTART=false and nothing answering, uses the default port anyway and starts nothing', async () => {
    const mem = memoryLogger('standalone-no-autostart');
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'aduan-standalone-noauto-'));
    try {
      expect(await resolveRedis({ dataDir, autostart: false, logger: mem.logger, defaultPort: port })).toEqual({ url: `redis://127.0.0.1:${port}` });
      expect(await probeRedis(`redis://127.0.0.1:${port}`)).toMatchObject({ state: 'away' });
      expect(mem.lines.some((l) => /REDIS_AUTOSTART=false: starting anyway/.test(String(l.msg)))).toBe(true);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('uses a locked Redis on the default port rather than starting a second one on its port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aduan-standalone-locked-'));
    writeFileSync(join(dir, 'users.acl'), 'user default off\n');
    const locked = await startLocalRedis({ dir, aof: false, aclFile: join(dir, 'users.acl') });
    try {
      const r = await resolveRedis({ dataDir: dir, autostart: true, logger, defaultPort: locked.port });
      expect(r).toEqual({ url: locked.url });
      // main.ts then stops with "set REDIS_URL" (exitIfRedisRefuses), tested in tests/e2e/redis-lock.test.ts.
      expect(await probeRedis(r.url)).toEqual({ state: 'refused', reason: 'it asks for a user and password (NOAUTH)' });
    } finally {
      await locked.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts a private redis-server with AOF and noeviction when nothing answers, and stops it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'aduan-standalone-'));
    const r = await resolveRedis({ dataDir, autostart: true, logger, defaultPort: await freePort() });
    expect(r.local).toBeDefined();
    const client = new Redis(r.url);
    try {
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      expect(await client.config('GET', 'dir')).toEqual(['dir', join(dataDir, 'redis')]);
      // Every complaint is in its files: other users of the machine cannot read them.
      expect(statSync(join(dataDir, 'redis')).mode & 0o777).toBe(0o700);
    } finally {
      client.disconnect();
      await r.owned?.stop();
    }
    expect(r.local?.process.exitCode ?? r.local?.process.signalCode).not.toBeNull();
  });

  it('starts the private redis-server again when it dies (the OOM killer), with what its AOF held', async () => {
    const mem = memoryLogger('standalone-restart');
    const dataDir = mkdtempSync(join(tmpdir(), 'aduan-standalone-'));
    const r = await resolveRedis({ dataDir, autostart: true, logger: mem.logger, defaultPort: await freePort() });
    const client = new Redis(r.url, { maxRetriesPerRequest: null });
    client.on('error', () => {}); // refused while Redis is down: it reconnects by itself
    try {
      await client.config('SET', 'appendfsync', 'always');
      await client.set('aduan-test:kept', 'ada');
      r.local?.process.kill('SIGKILL');
      await waitFor(async () => ((await probeRedis(r.url, 300)).state === 'ready' ? true : null), { timeoutMs: 10_000, what: 'the private redis-server again' });
      expect(await client.get('aduan-test:kept')).toBe('ada');
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(mem.text()).toContain('the private redis-server died: starting it again');
    } finally {
      client.disconnect();
      await r.owned?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
    // Told to stop, it stays stopped.
    await new Promise((done) => setTimeout(done, 1_500));
    expect((await probeRedis(r.url, 300)).state).toBe('away');
  });

  it('recognises the private redis-server a killed run left running, uses it, and stops it in turn', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'aduan-standalone-'));
    const port = await freePort();
    const first = await resolveRedis({ dataDir, autostart: true, logger, defaultPort: port });
    try {
      // While the run that started it lives (here: this process), a second run uses it and leaves it alone.
      const second = await resolveRedis({ dataDir, autostart: true, logger, defaultPort: port });
      expect(second).toEqual({ url: first.url });
      // The process that started it was killed outright: nothing stopped its Redis, and nothing
      // watches it any more.
      first.local?.process.removeAllListeners('exit');
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
      writeFileSync(join(dataDir, 'redis', 'aduan-owner.pid'), `${dead.stdout}\n`);
      const mem = memoryLogger('standalone');
      const again = await resolveRedis({ dataDir, autostart: true, logger: mem.logger, defaultPort: port });
      expect(again.url).toBe(first.url);
      expect(again.owned).toBeDefined();
      expect(mem.text()).toContain('the private redis-server an earlier run started is still running');
      await again.owned?.stop();
      expect((await probeRedis(first.url, 300)).state).toBe('away');
      // Any other Redis on the port (another data directory) is used and left alone.
      const other = await resolveRedis({ dataDir: mkdtempSync(join(tmpdir(), 'aduan-standalone-other-')), autostart: true, logger, defaultPort: Number(new URL(testRedisUrl()).port) });
      expect(other.owned).toBeUndefined();
    } finally {
      await first.local?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('says exactly what to install when there is no redis-server', () => {
    // A child with an empty PATH: no redis-server to find.
    const script = `import { startLocalRedis } from '@aduan/queue'; startLocalRedis({ dir: '/tmp/x' }).catch((e) => { console.log(e.code, e.message); });`;
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: '' }, encoding: 'utf8', cwd: import.meta.dirname });
    expect(out.stdout).toContain('ADUAN_ERR_NO_REDIS_SERVER');
    expect(out.stdout).toContain('apt-get install redis-server');
    expect(new RedisServerMissingError().message).toContain('REDIS_URL');
  });
});
