import { IgLoginTwoFactorRequiredError } from 'instagram-private-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRedis } from '@aduan/queue';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import type { Redis } from 'ioredis';
import { AccountLockedError, NoCredentialsError } from '../errors.ts';
import { FakeIgClient } from '../testing/fake-ig-client.ts';
import { igResponse, loginErrorBody } from '../testing/ig-fixtures.ts';
import { AccountLock } from './account-lock.ts';
import { InstagramAuth } from './auth.ts';
import { igKeys } from './keys.ts';
import { SessionStore } from './session-store.ts';

const url = testRedisUrl();

const twoFactorBody = loginErrorBody({ two_factor_required: true, error_type: 'two_factor_required', message: 'You need to enter the code.' });

describe('Instagram session and account lock', () => {
  let prefix: string;
  let redis: Redis;
  beforeEach(async () => {
    prefix = uniquePrefix('igsess');
    redis = createRedis(url, 'worker');
    await redis.ping();
  });
  afterEach(async () => {
    redis.disconnect();
    await deletePrefix(url, prefix);
  });

  it('logs in once; after a restart the session (cookies, device) is restored without a login', async () => {
    const keys = igKeys(prefix, 'pemkotblitar');
    const { logger } = memoryLogger();
    const first = new FakeIgClient();
    const auth1 = new InstagramAuth({ client: first, store: new SessionStore(redis, keys.session), username: 'pemkotblitar', password: 'pw', logger, codeHint: '-' });
    // What a login response leaves in the real State: a session cookie and the authorization header.
    first.loginBehaviour = async () => {
      await first.state.deserializeCookieJar(JSON.stringify({ version: 'tough-cookie@2.5.0', storeType: 'MemoryCookieStore', rejectPublicSuffixes: true, cookies: [{ key: 'sessionid', value: 'abc123', domain: 'instagram.com', path: '/', hostOnly: false, creation: new Date().toISOString(), lastAccessed: new Date().toISOString() }] }));
      first.state.authorization = 'Bearer IGT:2:eyJkc191c2VyX2lkIjoiMSJ9';
      return (await import('../testing/fake-ig-client.ts')).loggedInUser;
    };
    expect(await auth1.start()).toBe('ready');
    expect(first.calls.login).toBe(1);

    const second = new FakeIgClient();
    const auth2 = new InstagramAuth({ client: second, store: new SessionStore(redis, keys.session), username: 'pemkotblitar', password: 'pw', logger, codeHint: '-' });
    expect(await auth2.start()).toBe('ready');
    expect(second.calls.login).toBe(0);
    expect(second.state.extractCookieValue('sessionid')).toBe('abc123');
    expect(second.state.authorization).toBe('Bearer IGT:2:eyJkc191c2VyX2lkIjoiMSJ9');
    expect(second.state.deviceId).toBe(first.state.deviceId);
  });

  it('two-factor: waits for the code, then logs in with the identifier and saves the session', async () => {
    const keys = igKeys(prefix, 'pemkotblitar');
    const log = memoryLogger();
    const client = new FakeIgClient();
    client.loginBehaviour = async () => {
      throw new IgLoginTwoFactorRequiredError(igResponse(twoFactorBody));
    };
    const auth = new InstagramAuth({ client, store: new SessionStore(redis, keys.session), username: 'pemkotblitar', password: 'pw', logger: log.logger, codeHint: 'POST /admin/instagram/code' });
    expect(await auth.start()).toBe('awaiting_code');
    expect(auth.pendingKind).toBe('two_factor');
    expect(await redis.exists(keys.session)).toBe(0);
    expect(log.text()).toContain('authenticator app');
    expect(await auth.submitCode('654321')).toBe('ready');
    expect(client.calls.twoFactor[0]).toMatchObject({ verificationCode: '654321', twoFactorIdentifier: 'tfa-ident-1', verificationMethod: '0', username: 'pemkotblitar' });
    expect(await redis.exists(keys.session)).toBe(1);
    expect(log.text()).not.toContain('"pw"');
  });

  it('without a session or a password it says what to do', async () => {
    const auth = new InstagramAuth({ client: new FakeIgClient(), store: new SessionStore(redis, igKeys(prefix, 'x').session), username: 'x', logger: memoryLogger().logger, codeHint: '-' });
    await expect(auth.start()).rejects.toBeInstanceOf(NoCredentialsError);
  });

  it('one process per account: a second lock fails; a lost lock is reported', async () => {
    const keys = igKeys(prefix, 'pemkotblitar');
    const a = new AccountLock(redis, keys.lock, 'pemkotblitar', 1_500);
    const b = new AccountLock(redis, keys.lock, 'pemkotblitar', 1_500);
    let lost: Error | undefined;
    await a.acquire((e) => (lost = e));
    await expect(b.acquire(() => {})).rejects.toBeInstanceOf(AccountLockedError);
    // Renewal keeps it past its TTL.
    await new Promise((r) => setTimeout(r, 1_900));
    expect(await redis.get(keys.lock)).toBe(a.token);
    // Someone else took it over (e.g. after a failover): the holder finds out.
    await redis.set(keys.lock, 'intruder');
    await waitFor(() => lost, { timeoutMs: 3_000, what: 'lock loss' });
    expect(a.isHeld).toBe(false);
    await a.release();
    expect(await redis.get(keys.lock)).toBe('intruder');
  });

  it('takes its lock back when it expired while Redis was away, rather than stopping the service', async () => {
    const keys = igKeys(prefix, 'kotablitar');
    const a = new AccountLock(redis, keys.lock, 'kotablitar', 900);
    let lost: Error | undefined;
    await a.acquire((e) => (lost = e));
    // What an outage longer than the TTL (or a Redis restarted without its data) leaves.
    await redis.del(keys.lock);
    await waitFor(async () => (await redis.get(keys.lock)) === a.token, { timeoutMs: 2_000, what: 'the lock taken back' });
    expect(lost).toBeUndefined();
    expect(a.isHeld).toBe(true);
    // And it is still one process per account.
    await expect(new AccountLock(redis, keys.lock, 'kotablitar', 900).acquire(() => {})).rejects.toBeInstanceOf(AccountLockedError);
    await a.release();
  });
});
