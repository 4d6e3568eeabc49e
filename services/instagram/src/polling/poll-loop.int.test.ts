import { IgActionSpamError, IgCheckpointError, IgLoginRequiredError, IgNetworkError, IgResponseError, type LoginRequiredResponse } from 'instagram-private-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { InstagramAuth } from '../session/auth.ts';
import { SessionStore } from '../session/session-store.ts';
import { FakeIgClient, loggedInUser } from '../testing/fake-ig-client.ts';
import { buildRig, type Rig } from '../testing/harness.ts';
import { checkpointBody, igResponse, spamBody, textItem, threadOf, userOf } from '../testing/ig-fixtures.ts';
import { PollLoop } from './poll-loop.ts';
import { Poller } from './poller.ts';

const url = testRedisUrl();
const MIN = 60_000;
const citizen = userOf(5550003, 'warga3', 'Warga Tiga');

describe('PollLoop back-off on Instagram errors', () => {
  let prefix: string;
  let client: FakeIgClient;
  let rig: Rig;
  let auth: InstagramAuth;
  let loop: PollLoop;
  let log: ReturnType<typeof memoryLogger>;
  let clock: number;

  beforeEach(async () => {
    prefix = uniquePrefix('igloop');
    client = new FakeIgClient();
    log = memoryLogger();
    rig = await buildRig({ redisUrl: url, prefix, client, logger: log.logger });
    auth = new InstagramAuth({ client, store: new SessionStore(rig.pipeline.redis, rig.pipeline.keys.session), username: 'pemkotblitar', password: 'secret-password', logger: log.logger, codeHint: 'POST /admin/instagram/code' });
    await auth.start();
    // Jitter pinned to the middle so the waits are exact.
    clock = Date.now();
    loop = new PollLoop({ poller: rig.poller, auth, logger: log.logger, metrics: rig.metrics, intervalMs: 45_000, jitter: 0.3, random: () => 0.5, now: () => clock });
  });
  afterEach(async () => {
    await loop.stop();
    await rig.close();
    await deletePrefix(url, prefix);
  });

  it('challenge_required pauses polling until an operator submits the code', async () => {
    client.failures.push(new IgCheckpointError(igResponse(checkpointBody)));
    expect(await loop.cycle()).toBe(15 * MIN);
    expect(loop.status.state).toBe('awaiting_code');
    expect(client.calls.challengeAuto).toBe(1);
    expect(auth.pendingKind).toBe('checkpoint');
    expect(log.text()).toContain('POST /admin/instagram/code');

    // While waiting: no calls to Instagram at all.
    const before = client.calls.pending + client.calls.inbox;
    await loop.cycle();
    expect(client.calls.pending + client.calls.inbox).toBe(before);

    expect(await auth.submitCode('123 456')).toBe('ready');
    expect(client.calls.securityCodes).toEqual(['123456']);
    client.inboxPages = [[threadOf({ threadId: 'th-l', user: citizen, items: [textItem('l1', citizen.pk, Date.now() - 1_000, 'jalan rusak')] })]];
    expect(await loop.cycle()).toBe(45_000);
    expect(loop.status.state).toBe('connected');
    expect(await rig.cursors.get('th-l')).not.toBeNull();
    expect((await rig.registry.getSingleMetric('aduan_instagram_last_poll_success_timestamp_seconds')?.get())?.values[0]?.value).toBe(Math.floor(clock / 1000));
  });

  it('a checkpoint confirmed in the app is noticed by one probe after the back-off, without asking for another code', async () => {
    client.failures.push(new IgCheckpointError(igResponse(checkpointBody)), new IgCheckpointError(igResponse(checkpointBody)));
    await loop.cycle();
    clock += 15 * MIN;
    expect(await loop.cycle()).toBe(30 * MIN); // still challenged: waits longer
    expect(client.calls.challengeAuto).toBe(1);
    clock += 10 * MIN;
    const calls = client.calls.inbox + client.calls.pending;
    await loop.cycle();
    expect(client.calls.inbox + client.calls.pending).toBe(calls); // not yet
    clock += 20 * MIN;
    expect(await loop.cycle()).toBe(45_000);
    expect(loop.status.state).toBe('connected');
    expect(auth.state).toBe('ready');
  });

  it('spam (feedback_required) backs off for long and longer; success resets', async () => {
    client.failures.push(new IgActionSpamError(igResponse(spamBody)), new IgActionSpamError(igResponse(spamBody)));
    expect(await loop.cycle()).toBe(30 * MIN);
    expect(await loop.cycle()).toBe(60 * MIN);
    expect(loop.status).toMatchObject({ state: 'backoff', consecutiveFailures: 2, lastFailure: { reason: 'spam' } });
    const metrics = await rig.registry.getSingleMetric('aduan_instagram_backoffs_total')?.get();
    expect(metrics?.values.find((v) => v.labels.reason === 'spam')?.value).toBe(2);
    expect(await loop.cycle()).toBe(45_000);
    expect(loop.status.consecutiveFailures).toBe(0);
  });

  it('holds the sends while a poll was told to wait (spam, 429), not after a network error; a poll that goes through frees them', async () => {
    expect(loop.canSend()).toBe(true);
    client.failures.push(new IgActionSpamError(igResponse(spamBody)));
    await loop.cycle();
    expect(loop.canSend()).toBe(false);
    await loop.cycle();
    expect(loop.canSend()).toBe(true);
    client.failures.push(new IgResponseError(igResponse({ message: 'Please wait a few minutes before you try again.', status: 'fail' }, 429)));
    await loop.cycle();
    expect(loop.canSend()).toBe(false);
    await loop.cycle();
    client.failures.push(new IgNetworkError(new Error('socket hang up')));
    await loop.cycle();
    expect(loop.status.state).toBe('backoff');
    expect(loop.canSend()).toBe(true);
  });

  it('a checkpoint during the re-login: waits for the code, never logs in with the password again, never polls without a session', async () => {
    const gone: LoginRequiredResponse = { message: 'login_required', logout_reason: 2, status: 'fail' };
    // Instagram ends the session; the password login that follows is challenged.
    client.failures.push(new IgLoginRequiredError(igResponse(gone, 403)));
    client.loginBehaviour = async () => {
      throw new IgCheckpointError(igResponse(checkpointBody));
    };
    await loop.cycle();
    expect(client.calls.login).toBe(2);
    expect(client.calls.challengeAuto).toBe(1);
    expect(auth.state).toBe('awaiting_code');
    expect(loop.status).toMatchObject({ state: 'awaiting_code', lastFailure: { action: 'challenge', reason: 'challenge_required' } });
    // Without a session every call would be answered login_required, as Instagram does.
    for (let i = 0; i < 5; i++) client.failures.push(new IgLoginRequiredError(igResponse(gone, 403)));
    const feeds = client.calls.inbox + client.calls.pending;
    for (const step of [45_000, 45_000, 15 * MIN, 60 * MIN, 6 * 60 * MIN]) {
      clock += step;
      await loop.cycle();
      expect(loop.status.state).toBe('awaiting_code');
    }
    expect(client.calls.login).toBe(2);
    expect(client.calls.challengeAuto).toBe(1);
    expect(client.calls.inbox + client.calls.pending).toBe(feeds);
    // The code clears it.
    client.failures.length = 0;
    expect(await auth.submitCode('123456')).toBe('ready');
    expect(await loop.cycle()).toBe(45_000);
    expect(loop.status.state).toBe('connected');
  });

  it('a checkpoint at the first login: no poll and no other password login until the code comes', async () => {
    await rig.pipeline.redis.del(rig.pipeline.keys.session);
    const fresh = new FakeIgClient();
    fresh.loginBehaviour = async () => {
      throw new IgCheckpointError(igResponse(checkpointBody));
    };
    const first = new InstagramAuth({ client: fresh, store: new SessionStore(rig.pipeline.redis, rig.pipeline.keys.session), username: 'pemkotblitar', password: 'secret-password', logger: log.logger, codeHint: '-' });
    expect(await first.start()).toBe('awaiting_code');
    const gone: LoginRequiredResponse = { message: 'login_required', logout_reason: 2, status: 'fail' };
    for (let i = 0; i < 5; i++) fresh.failures.push(new IgLoginRequiredError(igResponse(gone, 403)));
    const poller = new Poller({ client: fresh, processor: rig.pipeline.processor, cursors: rig.cursors, logger: log.logger, metrics: rig.metrics, backfillMs: 86_400_000, approvePending: true, maxPages: 3 });
    const starting = new PollLoop({ poller, auth: first, logger: log.logger, metrics: rig.metrics, intervalMs: 45_000, jitter: 0.3, random: () => 0.5, now: () => clock });
    try {
      starting.start(60 * MIN);
      expect(starting.status.state).toBe('awaiting_code');
      for (const step of [0, 45_000, 15 * MIN, 60 * MIN]) {
        clock += step;
        await starting.cycle();
      }
      expect(fresh.calls.login).toBe(1);
      expect(fresh.calls.challengeAuto).toBe(1);
      expect(fresh.calls.inbox + fresh.calls.pending).toBe(0);
      expect(first.state).toBe('awaiting_code');
    } finally {
      await starting.stop();
    }
  });

  it('without INSTAGRAM_PASSWORD a session that is gone is kept, and the status says what is missing', async () => {
    const noPassword = new InstagramAuth({ client, store: new SessionStore(rig.pipeline.redis, rig.pipeline.keys.session), username: 'pemkotblitar', logger: log.logger, codeHint: '-' });
    expect(await noPassword.start()).toBe('ready');
    const l = new PollLoop({ poller: rig.poller, auth: noPassword, logger: log.logger, metrics: rig.metrics, intervalMs: 45_000, jitter: 0.3, random: () => 0.5, now: () => clock });
    const gone: LoginRequiredResponse = { message: 'login_required', logout_reason: 2, status: 'fail' };
    client.failures.push(new IgLoginRequiredError(igResponse(gone, 403)));
    const logins = client.calls.login;
    expect(await l.cycle()).toBe(60 * MIN);
    expect(client.calls.login).toBe(logins);
    expect(await rig.pipeline.redis.exists(rig.pipeline.keys.session)).toBe(1);
    expect(l.status).toMatchObject({ state: 'backoff', lastFailure: { reason: 'no_credentials' } });
    expect(l.canSend()).toBe(false);
    expect(log.lines.some((x) => Number(x.level) >= 50 && String(x.msg).includes('INSTAGRAM_PASSWORD is not set'))).toBe(true);
  });

  it('a poll that hangs ends at its deadline; the poll it left behind takes nothing when it wakes', async () => {
    const l = new PollLoop({ poller: rig.poller, auth, logger: log.logger, metrics: rig.metrics, intervalMs: 45_000, jitter: 0.3, random: () => 0.5, now: () => clock, pollTimeoutMs: 300 });
    client.inboxPages = [[threadOf({ threadId: 'th-h', user: citizen, items: [textItem('h1', citizen.pk, Date.now() - 1_000, 'lampu mati')] })]];
    const release = client.stallNextFeed();
    const started = Date.now();
    expect(await l.cycle()).toBe(30_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(l.status).toMatchObject({ state: 'backoff', lastFailure: { reason: 'timeout' } });
    release();
    await new Promise((r) => setTimeout(r, 200));
    expect(await rig.cursors.get('th-h')).toBeNull();
    // The next poll takes the message.
    expect(await l.cycle()).toBe(45_000);
    expect(await rig.cursors.get('th-h')).not.toBeNull();
  });

  it('tells when the next poll is long overdue (a cycle stuck where no deadline reaches)', async () => {
    const l = new PollLoop({ poller: rig.poller, auth, logger: log.logger, metrics: rig.metrics, intervalMs: 45_000, jitter: 0.3, random: () => 0.5, now: () => clock, pollTimeoutMs: 60_000 });
    let unblock: () => void = () => {};
    client.loginBehaviour = () => new Promise((r) => (unblock = () => r(loggedInUser)));
    auth.state = 'logged_out';
    try {
      l.start(0);
      await waitFor(() => client.calls.login === 2, { what: 'the login under way' });
      expect(l.pollOverdue()).toBe(false);
      clock += 2 * MIN;
      expect(l.pollOverdue()).toBe(false);
      clock += 3 * MIN;
      expect(l.pollOverdue()).toBe(true);
    } finally {
      unblock();
      await l.stop();
    }
    expect(l.pollOverdue()).toBe(false);
  });

  it('login_required clears the session and logs in again', async () => {
    const body: LoginRequiredResponse = { message: 'login_required', logout_reason: 2, status: 'fail' };
    client.failures.push(new IgLoginRequiredError(igResponse(body, 403)));
    const loginsBefore = client.calls.login;
    await loop.cycle();
    expect(client.calls.login).toBe(loginsBefore + 1);
    expect(auth.state).toBe('ready');
    expect(await rig.pipeline.redis.exists(rig.pipeline.keys.session)).toBe(1);
  });
});
