import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedis } from '@aduan/queue';
import { deletePrefix, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { OpdKeyStore } from './opd-keys.ts';

const url = testRedisUrl();
const prefix = uniquePrefix('opdkeycli');
const script = fileURLToPath(new URL('../../scripts/opd-key.ts', import.meta.url));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', env: { ...process.env, REDIS_URL: url, QUEUE_PREFIX: prefix }, timeout: 30_000 });
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
  });
});
