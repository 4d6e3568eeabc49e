import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedis, freePort, redisAnswers, startLocalRedis } from '@aduan/queue';
import { deletePrefix, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { OpdKeyStore } from './opd-keys.ts';

const url = testRedisUrl();
const prefix = uniquePrefix('opdkeycli');
const script = fileURLToPath(new URL('../../scripts/opd-key.ts', import.meta.url));

function cli(args: string[], redisUrl = url) {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', env: { ...process.env, REDIS_URL: redisUrl, QUEUE_PREFIX: prefix }, timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

afterAll(() => deletePrefix(url, prefix));

describe('opd-key CLI', () => {
  it('adds a key shown once, lists it without the secret, and revokes it', async () => {
    const add = cli(['add', 'dishub', '--label', 'SIM Dishub']);
    expect(add.code).toBe(0);
    const secret = add.out.trim();
    expect(secret).toMatch(/^aduan_opd_[\w-]{43}$/);
    const id = /added key ([0-9a-f]{12}) for dishub/.exec(add.err)?.[1];
    expect(id).toBeDefined();
    const redis = createRedis(url, 'worker');
    try {
      const store = new OpdKeyStore(redis, prefix);
      expect(await store.verify(secret)).toMatchObject({ id, opd: 'dishub', label: 'SIM Dishub' });
      // Redis keeps the hash only: the secret appears nowhere in it.
      const stored = await redis.hgetall(`${prefix}:opdkey:${id}`);
      expect(JSON.stringify(stored)).not.toContain(secret.slice(10));
      const list = cli(['list']);
      expect(list.out).toMatch(new RegExp(`^${id}\\tdishub\\tSIM Dishub\\t\\S+\\tactive$`, 'm'));
      expect(list.out).not.toContain(secret);
      expect(cli(['revoke', id!]).code).toBe(0);
      expect(await store.verify(secret)).toBeNull();
      expect(cli(['list']).out).toMatch(new RegExp(`^${id}\\tdishub\\t.*\\trevoked `, 'm'));
    } finally {
      redis.disconnect();
    }
  });

  it('refuses an unknown OPD code, an unknown key id and bad usage with clear messages and exit codes', () => {
    const unknown = cli(['add', 'dinas-hiburan']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('error (unknown_opd)');
    expect(unknown.err).toContain('dishub');
    expect(unknown.out).toBe('');
    const noKey = cli(['revoke', 'abcdefabcdef']);
    expect(noKey.code).toBe(1);
    expect(noKey.err).toContain('error (no_such_key)');
    expect(cli(['add']).code).toBe(2);
    expect(cli(['frobnicate', 'x']).code).toBe(2);
    // No Redis there: a clear message within seconds, not a hang.
    const gone = cli(['list'], 'redis://127.0.0.1:1');
    expect(gone.code).toBe(1);
    expect(gone.err).toContain('error (redis): Redis at 127.0.0.1:1 did not answer within 5 s');
  });

  it('makes a Redis user that consumes its own opd.<code> queue and can touch nothing else', async () => {
    // Its own Redis: ACL users are server-wide.
    const dir = mkdtempSync(join(tmpdir(), 'aduan-acl-'));
    const own = await startLocalRedis({ dir, aof: false });
    const admin = new Redis(own.url);
    const closers: (() => Promise<unknown> | void)[] = [() => admin.disconnect(), () => own.stop(), () => rmSync(dir, { recursive: true, force: true })];
    try {
      // While anyone may use Redis without a password, the OPD could leave its user out: refused.
      const open = cli(['redis-user', 'dishub'], own.url);
      expect(open.code).toBe(1);
      expect(open.err).toContain('error (redis_open)');
      expect(open.out).toBe('');
      expect(await admin.call('ACL', 'GETUSER', 'aduan-opd-dishub')).toBeNull();
      // Locked the simplest way (a password on the default user; `redis:lock` is tested in tests/e2e/redis-lock.test.ts).
      await admin.call('ACL', 'SETUSER', 'default', '>own-admin-password');
      const made = cli(['redis-user', 'dishub'], own.url.replace('redis://', 'redis://:own-admin-password@'));
      expect(made.code).toBe(0);
      const opdUrl = made.out.trim();
      expect(opdUrl).toMatch(/^redis:\/\/aduan-opd-dishub:[\w-]{32}@127\.0\.0\.1:\d+$/);
      await new Queue('opd.dishub', { connection: admin, prefix }).add('opd.dishub', { n: 1 }, { jobId: 'c1' });
      await new Queue('opd.dlh', { connection: admin, prefix }).add('opd.dlh', { n: 2 }, { jobId: 'c2' });
      // A BullMQ worker with the printed URL consumes its queue.
      const got: unknown[] = [];
      const conn = new Redis(opdUrl, { maxRetriesPerRequest: null });
      const worker = new Worker('opd.dishub', async (job) => void got.push(job.data), { connection: conn, prefix });
      closers.unshift(() => worker.close(), () => conn.disconnect());
      await waitFor(() => got.length === 1, { timeoutMs: 10_000, what: 'job consumed' });
      expect(got).toEqual([{ n: 1 }]);
      // Another OPD's queue, the status queue, other commands: refused.
      const probe = new Redis(opdUrl, { maxRetriesPerRequest: 0 });
      closers.unshift(() => probe.disconnect());
      await expect(probe.hgetall(`${prefix}:opd.dlh:c2`)).rejects.toThrow(/NOPERM/);
      await expect(new Queue('status', { connection: probe, prefix }).add('status', { forged: true })).rejects.toThrow(/NOPERM/);
      await expect(probe.keys('*')).rejects.toThrow(/NOPERM/);
      // Nor the names of keys it may not read: SCAN would list them all.
      await expect(probe.scan('0', 'MATCH', `${prefix}:*`)).rejects.toThrow(/NOPERM/);
      await expect(probe.randomkey()).rejects.toThrow(/NOPERM/);
      await expect(probe.call('ACL', 'LIST')).rejects.toThrow(/NOPERM/);
      // Without an ACL file, the line to keep is printed; a Redis started with it knows the user.
      const line = /^user aduan-opd-dishub .*$/m.exec(made.err)?.[0];
      expect(line).toBeDefined();
      expect(line).not.toContain(new URL(opdUrl).password);
      writeFileSync(join(dir, 'users.acl'), `user default on nopass ~* &* +@all\n${line}\n`);
      const port = await freePort();
      const second = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--aclfile', join(dir, 'users.acl')], { stdio: 'ignore' });
      closers.unshift(() => void second.kill());
      await waitFor(() => redisAnswers(`redis://127.0.0.1:${port}`), { timeoutMs: 10_000, what: 'second redis' });
      const reopened = new URL(opdUrl);
      reopened.port = String(port);
      const again = new Redis(reopened.toString(), { maxRetriesPerRequest: 0 });
      closers.unshift(() => again.disconnect());
      expect(await again.ping()).toBe('PONG');
      await expect(again.hgetall(`${prefix}:opd.dlh:c2`)).rejects.toThrow(/NOPERM/);
    } finally {
      for (const close of closers) await close();
    }
  });
});
