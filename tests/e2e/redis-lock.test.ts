import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { freePort, probeRedis, startLocalRedis, type LocalRedis } from '@aduan/queue';
import { uniquePrefix, waitFor } from '@aduan/testkit';
import { startNodeProcess, type NodeProcess } from '@aduan/testkit/node-process';
import { startCommand } from '@aduan/testkit/start-command';

/**
 * A Redis reachable from the network must not let anyone in: `pnpm redis:lock` gives Aduan's
 * services their own user and turns off the password-less default user. The services must then
 * work as that user (every command they use allowed, every key under the prefix), the users
 * must survive a Redis restart, and a wrong password must stop a service at its start with a
 * clear message rather than have it spool forever.
 */
const root = join(import.meta.dirname, '..', '..');
const gatewayScript = (name: string) => join(root, 'services/gateway/scripts', name);

function cli(script: string, args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [gatewayScript(script), ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The lines `redis:lock` prints on stdout: REDIS_URL=... and REDIS_ADMIN_URL=... */
const printedUrls = (out: string) => Object.fromEntries(out.trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));

function startAllInOne(dir: string, port: number, env: Record<string, string>): NodeProcess {
  const start = startCommand();
  return startNodeProcess([...start.nodeFlags, join(root, 'services/standalone/src/main.ts')], {
    cwd: dir,
    env: { ...process.env, ...start.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: join(dir, 'data'), SPOOL_DIR: join(dir, 'spool'), ATTACHMENT_DIR: join(dir, 'att'), ...env },
  });
}

describe('a Redis locked with pnpm redis:lock', () => {
  it('runs the all-in-one as aduan-service, refuses everyone else, keeps its users across a restart, and rotates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aduan-lock-'));
    const aclFile = join(dir, 'users.acl');
    writeFileSync(aclFile, '');
    const prefix = uniquePrefix('lock');
    const redisPort = await freePort();
    const open = `redis://127.0.0.1:${redisPort}`;
    const startRedis = () => startLocalRedis({ dir: join(dir, 'redis'), port: redisPort, aclFile });
    let redis: LocalRedis = await startRedis();
    const closers: (() => unknown)[] = [];
    try {
      const lock = cli('redis-lock.ts', [], { REDIS_URL: open, QUEUE_PREFIX: prefix });
      expect(lock.code, lock.err).toBe(0);
      const urls = printedUrls(lock.out);
      expect(Object.keys(urls)).toEqual(['REDIS_URL', 'REDIS_ADMIN_URL']);
      expect(urls.REDIS_URL).toMatch(new RegExp(`^redis://aduan-service:[\\w-]{32}@127\\.0\\.0\\.1:${redisPort}$`));
      expect(urls.REDIS_ADMIN_URL).toMatch(new RegExp(`^redis://aduan-admin:[\\w-]{32}@127\\.0\\.0\\.1:${redisPort}$`));
      const servicePassword = new URL(urls.REDIS_URL!).password;
      expect(await probeRedis(open)).toEqual({ state: 'refused', reason: 'it asks for a user and password (NOAUTH)' });

      // The users are in the ACL file: a restarted Redis knows them and still refuses the rest.
      await redis.stop();
      redis = await startRedis();
      expect(await probeRedis(open)).toMatchObject({ state: 'refused' });
      expect(await probeRedis(urls.REDIS_URL!)).toEqual({ state: 'ready' });

      // The all-in-one as aduan-service: a complaint is taken, routed and published; the status
      // token's secret is generated and stored; nothing it did was denied.
      const port = await freePort();
      const app = startAllInOne(dir, port, { REDIS_URL: urls.REDIS_URL!, QUEUE_PREFIX: prefix, LOG_LEVEL: 'info' });
      closers.push(() => app.child.kill('SIGKILL'));
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.status === 200, { timeoutMs: 30_000, what: `the all-in-one ready (${app.output()})` });
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/complaints`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'Jukir liar di depan Pasar Legi minta parkir 5 ribu, tidak pakai karcis', location: { kelurahan: 'Kepanjenlor' } }),
      });
      expect(res.status).toBe(202);
      const { id, ticket, statusToken } = (await res.json()) as { id: string; ticket: string; statusToken: string };
      // Test clients stop at their first lost connection: the rotation below closes them all.
      const client = (redisUrl: string) => new Redis(redisUrl, { maxRetriesPerRequest: 0, retryStrategy: () => null }).on('error', () => {});
      const admin = client(urls.REDIS_ADMIN_URL!);
      closers.push(() => admin.disconnect());
      const opdQueue = new Queue('opd.dishub', { connection: admin, prefix });
      closers.push(() => opdQueue.close());
      await waitFor(() => opdQueue.getJob(id), { timeoutMs: 15_000, what: `complaint ${id} on opd.dishub (${app.output()})` });
      // The status record is written last, just after the queues (publishRouted).
      const view = await waitFor(async () => {
        const status = await fetch(`http://127.0.0.1:${port}/api/v1/complaints/${ticket}`, { headers: { authorization: `Bearer ${statusToken}` } });
        const v = (await status.json()) as { state: string };
        return v.state === 'received' ? null : v;
      }, { timeoutMs: 5_000, what: 'the status record routed' });
      expect(view).toMatchObject({ state: 'routed', opd: { code: 'dishub' } });
      expect(await admin.exists(`${prefix}:secret:status-token`)).toBe(1);
      expect(await admin.call('ACL', 'LOG')).toEqual([]);
      expect(app.output()).not.toContain('REDIS IS NOT DURABLE');
      expect(app.output()).not.toContain(servicePassword);

      // What aduan-service may not do.
      const service = client(urls.REDIS_URL!);
      closers.push(() => service.disconnect());
      await expect(service.get('not-aduan:key')).rejects.toThrow(/NOPERM/);
      await expect(service.keys('*')).rejects.toThrow(/NOPERM/);
      await expect(service.flushall()).rejects.toThrow(/NOPERM/);
      await expect(service.config('SET', 'appendonly', 'no')).rejects.toThrow(/NOPERM/);
      await expect(service.call('ACL', 'LIST')).rejects.toThrow(/NOPERM/);

      // An OPD's Redis user is made with the admin URL; the service URL is refused, and says which URL it needs.
      const withService = cli('opd-key.ts', ['redis-user', 'dishub'], { REDIS_URL: urls.REDIS_URL!, QUEUE_PREFIX: prefix });
      expect(withService.code).toBe(1);
      expect(withService.err).toMatch(/^error \(redis_refused\): NOPERM.*REDIS_ADMIN_URL/m);
      const withAdmin = cli('opd-key.ts', ['redis-user', 'dishub'], { REDIS_URL: urls.REDIS_ADMIN_URL!, QUEUE_PREFIX: prefix });
      expect(withAdmin.code, withAdmin.err).toBe(0);
      expect(withAdmin.out).toMatch(/^redis:\/\/aduan-opd-dishub:/);

      // Locking twice is refused; --rotate gives new passwords, and the old ones stop working at
      // once: for new logins, and for connections already open (a leaked password's, a service's).
      const leaked = client(urls.REDIS_URL!);
      closers.push(() => leaked.disconnect());
      expect(await leaked.exists(`${prefix}:anything`)).toBe(0);
      const again = cli('redis-lock.ts', [], { REDIS_URL: urls.REDIS_ADMIN_URL!, QUEUE_PREFIX: prefix });
      expect(again.code).toBe(1);
      expect(again.err).toContain('error (already_locked)');
      const rotated = cli('redis-lock.ts', ['--rotate'], { REDIS_URL: urls.REDIS_ADMIN_URL!, QUEUE_PREFIX: prefix });
      expect(rotated.code, rotated.err).toBe(0);
      const newUrls = printedUrls(rotated.out);
      expect(newUrls.REDIS_URL).not.toBe(urls.REDIS_URL);
      expect(await probeRedis(urls.REDIS_URL!)).toMatchObject({ state: 'refused' });
      expect(await probeRedis(newUrls.REDIS_URL!)).toEqual({ state: 'ready' });
      await expect(leaked.exists(`${prefix}:anything`)).rejects.toThrow();
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 503, { timeoutMs: 10_000, what: 'the running all-in-one cut off by the rotation' });

      // A service started with the old password stops at once with what to do, not the password.
      const stale = startAllInOne(dir, await freePort(), { REDIS_URL: urls.REDIS_URL!, QUEUE_PREFIX: prefix });
      closers.push(() => stale.child.kill('SIGKILL'));
      expect(await stale.exited).toBe(78);
      expect(stale.output()).toContain(`Aduan cannot start: Redis at 127.0.0.1:${redisPort} refused the user "aduan-service" and password of REDIS_URL: no such user, a wrong password, or the user is off (WRONGPASS)`);
      expect(stale.output()).not.toContain(servicePassword);
      // The right password with another QUEUE_PREFIX than the lock's: stopped too, not left spinning on NOPERM.
      const elsewhere = startAllInOne(dir, await freePort(), { REDIS_URL: newUrls.REDIS_URL!, QUEUE_PREFIX: `${prefix}-other` });
      closers.push(() => elsewhere.child.kill('SIGKILL'));
      expect(await elsewhere.exited).toBe(78);
      expect(elsewhere.output()).toContain(`the user may not use the keys under "${prefix}-other:" (NOPERM): QUEUE_PREFIX must be the prefix Redis was locked for`);
    } finally {
      for (const close of closers.reverse()) await close();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('leaves Redis open when it cannot save its ACL file, rather than lock it without saving, and locks it once the file can be written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aduan-lock-'));
    const aclDir = join(dir, 'acl');
    mkdirSync(aclDir);
    writeFileSync(join(aclDir, 'users.acl'), '');
    const redis = await startLocalRedis({ dir: join(dir, 'redis'), aof: false, aclFile: join(aclDir, 'users.acl') });
    try {
      rmSync(aclDir, { recursive: true });
      const lock = cli('redis-lock.ts', [], { REDIS_URL: redis.url });
      expect(lock.code).toBe(1);
      expect(lock.err).toContain(`error (acl_save): Redis could not write its ACL file ${join(aclDir, 'users.acl')}`);
      expect(lock.out).toBe('');
      expect(await probeRedis(redis.url)).toEqual({ state: 'ready' });
      // No user was left behind: once the file can be written, the same command locks it (it
      // used to answer already_locked, with passwords that were never shown).
      const open = new Redis(redis.url);
      try {
        expect(((await open.call('ACL', 'LIST')) as string[]).map((l) => l.split(' ')[1])).toEqual(['default']);
      } finally {
        await open.quit();
      }
      mkdirSync(aclDir);
      writeFileSync(join(aclDir, 'users.acl'), '');
      const again = cli('redis-lock.ts', [], { REDIS_URL: redis.url });
      expect(again.err).toContain('Redis is locked');
      expect(again.code).toBe(0);
      // Nothing else was connected: the tool's own connections are not counted as a service cut off.
      expect(again.err).toContain('0 connection(s) made with the old credentials were closed');
      expect(Object.keys(printedUrls(again.out))).toEqual(['REDIS_URL', 'REDIS_ADMIN_URL']);
    } finally {
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to lock a Redis without an ACL file, which would forget the users at its restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aduan-lock-'));
    const redis = await startLocalRedis({ dir, aof: false });
    try {
      const lock = cli('redis-lock.ts', [], { REDIS_URL: redis.url });
      expect(lock.code).toBe(1);
      expect(lock.err).toContain('error (no_aclfile)');
      // The path docs/operations.md gives: Debian's redis-server may write there, and is told to
      // write nowhere under /etc/redis.
      expect(lock.err).toContain('aclfile /var/lib/redis/users.acl');
      expect(lock.err).not.toContain('/etc/redis');
      expect(lock.out).toBe('');
      expect(await probeRedis(redis.url)).toEqual({ state: 'ready' });
    } finally {
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
