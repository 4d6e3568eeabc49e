import { IgApiClient, IgNetworkError } from 'instagram-private-api';
import { Queue } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { citizenMessages, createRedis, QueueNames } from '@aduan/queue';
import type { Notification } from '@aduan/schema';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { configureClient } from './client/configure-client.ts';
import { NotifySender } from './notify/notify-sender.ts';
import { PollLoop } from './polling/poll-loop.ts';
import { InstagramAuth } from './session/auth.ts';
import { SessionStore } from './session/session-store.ts';
import { FakeInstagramServer } from './testing/fake-instagram-server.ts';
import { buildRig, PNG_1x1, queuedJobs, startMediaServer } from './testing/harness.ts';
import { checkpointBody, makeItems, textItem, threadOf, userOf } from './testing/ig-fixtures.ts';

const url = testRedisUrl();
const citizen = userOf(7770001, 'warga.real', 'Warga Real');

/**
 * The REAL IgApiClient (its feeds, repositories, request layer and error mapping) against a
 * loopback stand-in for Instagram: proves the seam's assumptions about the library hold.
 */
describe('with the real instagram-private-api client (loopback Instagram)', () => {
  let prefix: string;
  let ig: FakeInstagramServer;
  let media: Awaited<ReturnType<typeof startMediaServer>>;
  let client: IgApiClient;
  beforeEach(async () => {
    prefix = uniquePrefix('igreal');
    ig = await new FakeInstagramServer().start();
    media = await startMediaServer({ '/photo.png': PNG_1x1 });
    client = new IgApiClient();
    client.state.generateDevice('pemkotblitar');
    configureClient(client, { proxyUrl: ig.proxyUrl, proxyTunnel: false, requestTimeoutMs: 30_000 });
  });
  afterEach(async () => {
    await ig.stop();
    await media.close();
    await deletePrefix(url, prefix);
  });

  it('polls the pending inbox, approves, makes the complaint, and sends the acknowledgement into the thread', async () => {
    const log = memoryLogger();
    const rig = await buildRig({ redisUrl: url, prefix, client, logger: log.logger });
    const t0 = Date.now() - 60_000;
    const items = makeItems(citizen.pk, t0 + 1_000, media.url);
    ig.pending = [threadOf({ threadId: 'th-real', user: citizen, pending: true, items: [items.photo, textItem('r1', citizen.pk, t0, 'Trotoar rusak di Jl. Sudanco Supriyadi')] })];
    const worker = createRedis(url, 'worker');
    const queue = new Queue(QueueNames.notify('instagram'), { connection: worker, prefix });
    const sender = new NotifySender({ connection: worker, redis: rig.pipeline.redis, prefix, client, account: 'pemkotblitar', keys: rig.pipeline.keys, logger: log.logger, metrics: rig.metrics, maxPerMinute: 60, canSend: () => true });
    try {
      const report = await rig.poller.pollOnce();
      expect(report.items).toMatchObject({ ingested: 2 });
      expect(ig.requests.some((r) => r.method === 'POST' && r.path === '/api/v1/direct_v2/threads/th-real/approve/')).toBe(true);
      expect(ig.pending).toHaveLength(0);
      expect(ig.inbox.map((t) => t.thread_id)).toEqual(['th-real']);

      // Next poll: the approved thread is in the inbox; nothing new.
      expect((await rig.poller.pollOnce()).items).toMatchObject({ ingested: 0, duplicate: 0 });

      await rig.pipeline.engine.closeAll({ channel: 'instagram', account: 'pemkotblitar' });
      const c = rig.complaints[0]!;
      expect(c.attachments).toHaveLength(1);
      await waitFor(() => ig.sentTexts().some((s) => s.text.includes(c.ticket)), { what: 'acknowledgement sent' });
      expect(ig.sentTexts().find((s) => s.text.includes(c.ticket))?.threadIds).toEqual(['th-real']);
      const acks = (await queuedJobs<Notification>(url, prefix, QueueNames.notify('instagram'))).filter((j) => j.data.kind === 'ack');
      await waitFor(async () => (await queue.getJobState(acks[0]!.id)) === 'completed', { what: 'ack completed' });
    } finally {
      await queue.close();
      await sender.close();
      worker.disconnect();
      await rig.close();
    }
  });

  it("an OPD's note written 'Jl.Merdeka' or 'diganti.Mohon' goes out as the text it is; a real link as a link", async () => {
    const log = memoryLogger();
    const rig = await buildRig({ redisUrl: url, prefix, client, logger: log.logger });
    const worker = createRedis(url, 'worker');
    const queue = new Queue(QueueNames.notify('instagram'), { connection: worker, prefix });
    const sender = new NotifySender({ connection: worker, redis: rig.pipeline.redis, prefix, client, account: 'pemkotblitar', keys: rig.pipeline.keys, logger: log.logger, metrics: rig.metrics, maxPerMinute: 600, canSend: () => true });
    const notice = (text: string): Notification => ({ schemaVersion: 1, channel: 'instagram', account: 'pemkotblitar', to: 'th-real', kind: 'status', ticket: 'ADU-7K3M-9Q2X', text, createdAt: new Date().toISOString() });
    // As OPD officers type: no space after a full stop. The library reads "Jl.Me" (.me) and
    // "diganti.Mo" (.mo) as links: sent as a link item, the citizen's notice would point to a stranger's site.
    const typed = citizenMessages.resolved('ADU-7K3M-9Q2X', 'Dinas PUPR', 'Lampu PJU di Jl.Merdeka sudah diganti.Mohon dicek kembali');
    const linked = citizenMessages.resolved('ADU-7K3M-9Q2X', 'Dinas PUPR', 'Foto hasil perbaikan: https://blitarkota.go.id/aduan/7K3M.');
    try {
      await queue.add('n', notice(typed), { jobId: 'status-typed' });
      await queue.add('n', notice(linked), { jobId: 'status-linked' });
      await waitFor(async () => (await queue.getJobState('status-linked')) === 'completed', { what: 'both sent' });
      expect(await queue.getJobState('status-typed')).toBe('completed');
      expect(ig.sentTexts()).toEqual([{ threadIds: ['th-real'], text: typed }]);
      expect(ig.sentLinks()).toEqual([{ threadIds: ['th-real'], text: linked, urls: ['https://blitarkota.go.id/aduan/7K3M'] }]);
    } finally {
      await queue.close();
      await sender.close();
      worker.disconnect();
      await rig.close();
    }
  });

  it('a call Instagram never answers fails as a network error at the request timeout (the library sets none)', async () => {
    const hanging = new IgApiClient();
    hanging.state.generateDevice('pemkotblitar');
    configureClient(hanging, { proxyUrl: ig.proxyUrl, proxyTunnel: false, requestTimeoutMs: 400 });
    ig.stalls.push(/inbox/);
    const started = Date.now();
    const err = await hanging.feed.directInbox().items().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(IgNetworkError);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(ig.requests.some((r) => r.path === '/api/v1/direct_v2/inbox/')).toBe(true);
  });

  it('challenge_required from Instagram becomes the library IgCheckpointError and pauses polling', async () => {
    const log = memoryLogger();
    const rig = await buildRig({ redisUrl: url, prefix, client, logger: log.logger });
    const store = new SessionStore(rig.pipeline.redis, rig.pipeline.keys.session);
    await store.save(client);
    const auth = new InstagramAuth({ client, store, username: 'pemkotblitar', logger: log.logger, codeHint: 'POST /admin/instagram/code' });
    expect(await auth.start()).toBe('ready');
    const loop = new PollLoop({ poller: rig.poller, auth, logger: log.logger, metrics: rig.metrics, intervalMs: 45_000, jitter: 0, random: () => 0.5 });
    ig.failures.push({ match: /pending_inbox/, status: 400, body: checkpointBody });
    try {
      expect(await loop.cycle()).toBe(15 * 60_000);
      expect(loop.status).toMatchObject({ state: 'awaiting_code', lastFailure: { action: 'challenge', reason: 'challenge_required' } });
      expect(log.lines.some((l) => l.errName === 'IgCheckpointError')).toBe(true);
      // The library's challenge flow was asked to send a code (our stand-in does not emulate it).
      expect(ig.requests.some((r) => r.path.startsWith('/api/v1/challenge/'))).toBe(true);
      const before = ig.requests.length;
      await loop.cycle();
      expect(ig.requests.length).toBe(before);
    } finally {
      await loop.stop();
      await rig.close();
    }
  });
});
