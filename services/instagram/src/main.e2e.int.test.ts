import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { createRedis, freePort, QueueNames } from '@aduan/queue';
import { deletePrefix, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { igKeys } from './session/keys.ts';
import { loggedInUser } from './testing/fake-ig-client.ts';
import { FakeInstagramServer } from './testing/fake-instagram-server.ts';
import { loginErrorBody, spamBody, textItem, threadOf, userOf } from './testing/ig-fixtures.ts';

const url = testRedisUrl();
const citizen = userOf(8880001, 'warga.e2e', 'Warga E2E');

function startService(env: Record<string, string>): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, ['src/main.ts'], { cwd: join(import.meta.dirname, '..'), env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return { child, exited: new Promise((r) => child.once('exit', (code) => r(code))), output: () => out };
}

/** The service's environment against a loopback Instagram stand-in, with its own data folders. */
function serviceEnv(ig: FakeInstagramServer, prefix: string, password: string): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'ig-e2e-'));
  return {
    REDIS_URL: url, QUEUE_PREFIX: prefix, INSTAGRAM_USERNAME: 'pemkotblitar', INSTAGRAM_PASSWORD: password,
    INSTAGRAM_PROXY_URL: ig.proxyUrl, INSTAGRAM_PROXY_TUNNEL: 'false', INSTAGRAM_POLL_INTERVAL: '300ms', INSTAGRAM_POLL_JITTER: '0',
    ATTACHMENT_DIR: join(dir, 'a'), SPOOL_DIR: join(dir, 's'), INBOX_SPOOL_DIR: join(dir, 'i'), LOG_LEVEL: 'info',
  };
}

/** The whole service as a process, with the real library talking to a loopback Instagram stand-in. */
describe('service end to end (process, real library, loopback Instagram)', () => {
  let prefix: string;
  const servers: FakeInstagramServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop();
    await deletePrefix(url, prefix);
  });

  it('logs in once, turns a message request into a complaint, replies with the ticket; a restart reuses the session', async () => {
    prefix = uniquePrefix('ige2e');
    const ig = await new FakeInstagramServer().start();
    servers.push(ig);
    ig.loggedInUser = loggedInUser;
    ig.pending = [threadOf({ threadId: 'th-e2e', user: citizen, pending: true, items: [textItem('e1', citizen.pk, Date.now() - 60_000, 'Ada pohon tumbang menutup Jl. Kenari, mohon dibantu')] })];
    const env = { ...serviceEnv(ig, prefix, 'rahasia-sekali'), CONVERSATION_QUIET: '1s' };
    const redis = createRedis(url, 'worker');
    const logins = () => ig.requests.filter((r) => r.path === '/api/v1/accounts/login/').length;
    const first = startService({ ...env, PORT: String(await freePort()) });
    try {
      const ack = await waitFor(() => ig.sentTexts().find((s) => /ADU-[0-9A-Z]{4}-[0-9A-Z]{4}/.test(s.text)), { timeoutMs: 25_000, what: `ack (output: ${first.output().slice(-2000)})` });
      expect(ack.threadIds).toEqual(['th-e2e']);
      expect(ig.requests.some((r) => r.path === '/api/v1/direct_v2/threads/th-e2e/approve/')).toBe(true);
      expect(logins()).toBe(1);
      expect(await redis.exists(igKeys(prefix, 'pemkotblitar').session)).toBe(1);
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      expect(first.output()).not.toContain('rahasia-sekali');
      expect(first.output()).not.toContain('warga.e2e');
      expect(first.output()).not.toContain('pohon tumbang');

      const inboxPolls = () => ig.requests.filter((r) => r.path === '/api/v1/direct_v2/inbox/').length;
      const before = inboxPolls();
      const second = startService({ ...env, PORT: String(await freePort()) });
      await waitFor(() => inboxPolls() > before, { timeoutMs: 20_000, what: 'second process polling' });
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
      expect(logins()).toBe(1);
      expect(ig.sentTexts().filter((s) => /ADU-/.test(s.text))).toHaveLength(1);
    } finally {
      first.child.kill('SIGKILL');
      redis.disconnect();
    }
  }, 60_000);

  it('sends nothing while Instagram answers the poll with feedback_required (spam), and logs no personal data', async () => {
    prefix = uniquePrefix('ige2e');
    const ig = await new FakeInstagramServer().start();
    servers.push(ig);
    ig.loggedInUser = loggedInUser;
    for (let i = 0; i < 20; i++) ig.failures.push({ match: /inbox\/$/, status: 400, body: spamBody });
    const port = await freePort();
    const svc = startService({ ...serviceEnv(ig, prefix, 'rahasia-sekali'), PORT: String(port) });
    const connection = createRedis(url, 'worker');
    const queue = new Queue(QueueNames.notify('instagram'), { connection, prefix });
    try {
      await waitFor(() => /backing off/.test(svc.output()), { timeoutMs: 20_000, what: `spam back-off (output: ${svc.output().slice(-2000)})` });
      // The router's status messages keep coming while the account is flagged.
      for (let i = 0; i < 3; i++) {
        await queue.add('n', { schemaVersion: 1, channel: 'instagram', account: 'pemkotblitar', to: `th-${i}`, kind: 'status', ticket: 'ADU-7K3M-9Q2X', text: `Aduan ADU-7K3M-9Q2X sedang diproses (${i}).`, createdAt: new Date().toISOString() }, { jobId: `st-${i}` });
      }
      await new Promise((r) => setTimeout(r, 3_000));
      expect(ig.sentTexts()).toHaveLength(0);
      const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { state: string; lastFailure?: { reason: string } };
      expect(health).toMatchObject({ state: 'backoff', lastFailure: { reason: 'spam' } });
      expect(await queue.getJobCounts('completed', 'failed')).toEqual({ completed: 0, failed: 0 });
      svc.child.kill('SIGTERM');
      expect(await svc.exited).toBe(0);
      expect(svc.output()).not.toMatch(/rahasia-sekali|sedang diproses/);
    } finally {
      svc.child.kill('SIGKILL');
      await queue.close();
      connection.disconnect();
    }
  }, 60_000);
  it('a wrong password at start: /healthz says so, and the login is not tried again for an hour', async () => {
    prefix = uniquePrefix('ige2e');
    const ig = await new FakeInstagramServer().start();
    servers.push(ig);
    ig.failures.push({ match: /accounts\/login\/$/, status: 400, body: loginErrorBody({ message: 'The password you entered is incorrect.', error_type: 'bad_password', invalid_credentials: true, two_factor_required: false }) });
    const port = await freePort();
    const svc = startService({ ...serviceEnv(ig, prefix, 'salah-sandi'), PORT: String(port) });
    try {
      await waitFor(() => /adapter started/.test(svc.output()), { timeoutMs: 20_000, what: `start (output: ${svc.output().slice(-2000)})` });
      const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { state: string; nextPollAt: string; consecutiveFailures: number; lastFailure?: { reason: string } };
      expect(health).toMatchObject({ state: 'backoff', consecutiveFailures: 1, lastFailure: { reason: 'bad_credentials' } });
      // Trying a wrong password again soon gets an account locked.
      expect(Date.parse(health.nextPollAt) - Date.now()).toBeGreaterThan(50 * 60_000);
      expect(ig.requests.filter((r) => r.path === '/api/v1/accounts/login/')).toHaveLength(1);
      svc.child.kill('SIGTERM');
      expect(await svc.exited).toBe(0);
      expect(svc.output()).not.toMatch(/salah-sandi/);
    } finally {
      svc.child.kill('SIGKILL');
    }
  }, 60_000);
});
