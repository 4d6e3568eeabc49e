import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedis } from '@aduan/queue';
import { deletePrefix, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { igKeys } from '../session/keys.ts';
import { loggedInUser } from '../testing/fake-ig-client.ts';
import { FakeInstagramServer } from '../testing/fake-instagram-server.ts';
import { loginErrorBody } from '../testing/ig-fixtures.ts';

const url = testRedisUrl();

/** `pnpm --filter @aduan/instagram login`, as the README has the operator run it: a process, a terminal on stdin. */
function runLogin(env: Record<string, string>, stdin = '', args: string[] = []): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['src/cli/login.ts', ...args], { cwd: join(import.meta.dirname, '../..'), env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  child.stdin.end(stdin);
  return new Promise((r) => child.once('exit', (code) => r({ code, out })));
}

describe('login CLI (process, real library, loopback Instagram)', () => {
  let prefix: string;
  let ig: FakeInstagramServer | undefined;
  afterEach(async () => {
    await ig?.stop();
    await deletePrefix(url, prefix);
  });

  const envFor = (server: FakeInstagramServer) => ({
    REDIS_URL: url, QUEUE_PREFIX: prefix, INSTAGRAM_USERNAME: 'pemkotblitar', INSTAGRAM_PASSWORD: 'rahasia-sekali',
    INSTAGRAM_PROXY_URL: server.proxyUrl, INSTAGRAM_PROXY_TUNNEL: 'false',
  });

  it('logs in, saves the session in Redis, and says so; run again, it keeps the saved session', async () => {
    prefix = uniquePrefix('iglogin');
    ig = await new FakeInstagramServer().start();
    ig.loggedInUser = loggedInUser;
    const first = await runLogin(envFor(ig));
    expect(first.out).toContain('session saved to Redis');
    expect(first.code).toBe(0);
    const redis = createRedis(url, 'worker');
    try {
      expect(await redis.exists(igKeys(prefix, 'pemkotblitar').session)).toBe(1);
      expect(await redis.exists(igKeys(prefix, 'pemkotblitar').lock)).toBe(0);
    } finally {
      redis.disconnect();
    }
    const again = await runLogin(envFor(ig));
    expect(again.out).toContain('already saved');
    expect(again.code).toBe(0);
    expect(ig.requests.filter((r) => r.path === '/api/v1/accounts/login/')).toHaveLength(1);
    expect(first.out + again.out).not.toContain('rahasia-sekali');
  }, 30_000);

  it('asks for the two-factor code at the prompt and sends what the operator typed', async () => {
    prefix = uniquePrefix('iglogin');
    ig = await new FakeInstagramServer().start();
    ig.failures.push({ match: /\/accounts\/login\/$/, status: 400, body: loginErrorBody({}) });
    ig.loggedInUser = loggedInUser;
    const r = await runLogin(envFor(ig), '123 456\n');
    expect(r.out).toContain('two-factor code');
    const tfa = ig.requests.find((q) => q.path === '/api/v1/accounts/two_factor_login/');
    expect(tfa?.form.get('signed_body') ?? '').toContain('123456');
  }, 30_000);
});
