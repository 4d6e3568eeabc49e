import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import type { Notification } from '@aduan/schema';
import { LocalDiskStorage } from '@aduan/storage';
import { FakeIgClient } from '../testing/fake-ig-client.ts';
import { buildRig, M4A, MP4, PNG_1x1, queuedJobs, startMediaServer, testEnv, intakeQueue, notifyQueue } from '../testing/harness.ts';
import { IgActionSpamError, IgNotFoundError, IgResponseError } from 'instagram-private-api';
import type { IgThread } from '../client/ig-item.ts';
import { igResponse, makeItems, spamBody, textItem, threadFeedTextItem, threadOf, throttleBody, userOf } from '../testing/ig-fixtures.ts';

const url = testRedisUrl();
const citizen = userOf(5550001, 'warga.blitar', 'Siti Warga');

describe('Poller (fake client seam, real Redis, real conversation engine)', () => {
  let prefix: string;
  let media: Awaited<ReturnType<typeof startMediaServer>>;
  beforeEach(async () => {
    prefix = uniquePrefix('ig');
    media = await startMediaServer({
      '/photo.png': PNG_1x1, '/camera.png': PNG_1x1, '/post.png': PNG_1x1, '/mention.png': PNG_1x1, '/shared-story.png': PNG_1x1, '/reel-cover.png': PNG_1x1, '/view-once.png': PNG_1x1,
      '/video.mp4': MP4, '/reel.mp4': MP4, '/voice.m4a': M4A,
    });
  });
  afterEach(async () => {
    await media.close();
    await deletePrefix(url, prefix);
  });

  it('takes every item type from a message request, stores media, approves it, and makes ONE complaint', async () => {
    const client = new FakeIgClient();
    const log = memoryLogger();
    const env = testEnv(prefix);
    const rig = await buildRig({ redisUrl: url, prefix, client, logger: log.logger, env });
    const it_ = makeItems(citizen.pk, Date.now() - 120_000, media.url);
    const all = [it_.text, it_.photo, it_.video, it_.camera, it_.voice, it_.link, it_.post, it_.reel, it_.storyReply, it_.mention, it_.storyShare, it_.location, it_.like, it_.actionLog, it_.unknown];
    client.pendingPages = [[threadOf({ threadId: 'th-req-1', user: citizen, items: [...all].reverse(), pending: true })]];
    try {
      const report = await rig.poller.pollOnce();
      expect(report.items).toEqual({ ingested: 12, duplicate: 0, skipped: 3, poison: 0 });
      expect(client.approved).toEqual(['th-req-1']);
      expect(report.approved).toBe(1);

      await rig.pipeline.engine.closeAll({ channel: 'instagram', account: 'pemkotblitar' });
      expect(rig.complaints).toHaveLength(1);
      const c = rig.complaints[0]!;
      expect(c.channel).toBe('instagram');
      expect(c.source).toMatchObject({ account: 'pemkotblitar', senderId: '5550001', threadId: 'th-req-1' });
      expect(c.source.messageIds).toEqual(all.slice(0, 12).map((i) => i.item_id));
      expect(c.reporter).toMatchObject({ handle: 'warga.blitar', name: 'Siti Warga' });
      expect(c.intake.transport).toBe('instagram-private-api');
      expect(c.text).toContain('Lampu PJU di Jl. Kalimantan');
      expect(c.text).toContain('https://www.instagram.com/reel/CrEeL456/');
      expect(c.location).toMatchObject({ lat: -8.0983, lon: 112.1681 });
      expect(c.attachments.map((a) => a.kind).sort()).toEqual(['audio', 'image', 'image', 'image', 'image', 'image', 'video', 'video']);
      const storage = new LocalDiskStorage(env.ATTACHMENT_DIR);
      for (const a of c.attachments) expect(await storage.has(a.storageKey)).toBe(true);
      expect(c.attachments.find((a) => a.kind === 'audio')?.mimeType).toMatch(/^audio\//);

      const intake = await queuedJobs(url, prefix, intakeQueue);
      expect(intake.map((j) => j.id)).toEqual([c.id]);
      const acks = (await queuedJobs<Notification>(url, prefix, notifyQueue)).filter((j) => j.data.kind === 'ack');
      expect(acks).toHaveLength(1);
      expect(acks[0]!.data).toMatchObject({ channel: 'instagram', account: 'pemkotblitar', to: 'th-req-1', ticket: c.ticket });
      expect(acks[0]!.data.text).toContain(c.ticket);

      // The unknown type is logged by name only: no message text, no handle.
      expect(log.text()).toContain('hologram_share');
      expect(log.text()).not.toContain('rahasia pribadi');
      expect(log.text()).not.toContain('warga.blitar');
    } finally {
      await rig.close();
    }
  });

  it('shares as the current app sends them: a reel card, a view-once photo, a post with its caption and author', async () => {
    const client = new FakeIgClient();
    const log = memoryLogger();
    const rig = await buildRig({ redisUrl: url, prefix, client, logger: log.logger });
    const it_ = makeItems(citizen.pk, Date.now() - 120_000, media.url);
    // Each alone, as a citizen often sends them: no words of their own.
    const threads = [
      { threadId: 'th-reel', user: userOf(5550011, 'warga.reel', 'Reel'), item: it_.reelCard },
      { threadId: 'th-once', user: userOf(5550012, 'warga.once', 'Once'), item: it_.viewOnce },
      { threadId: 'th-post', user: userOf(5550013, 'warga.post', 'Post'), item: it_.post },
    ];
    client.inboxPages = [threads.map((t) => threadOf({ threadId: t.threadId, user: t.user, items: [{ ...t.item, user_id: t.user.pk }] }))];
    try {
      expect((await rig.poller.pollOnce()).items).toMatchObject({ ingested: 3, skipped: 0 });
      expect(log.text()).not.toContain('unknown instagram item type');
      await rig.pipeline.engine.closeAll({ channel: 'instagram', account: 'pemkotblitar' });
      const byThread = new Map(rig.complaints.map((c) => [c.source.threadId, c]));
      const reel = byThread.get('th-reel');
      expect(reel?.text).toContain('https://www.instagram.com/reel/CrEeL789/');
      expect(reel?.text).toContain('@info.blitar');
      expect(reel?.text).toContain('Banjir setinggi lutut di Jl. Kenari');
      expect(reel?.attachments.map((a) => a.kind)).toEqual(['image']);
      expect(byThread.get('th-once')?.attachments.map((a) => a.kind)).toEqual(['image']);
      const post = byThread.get('th-post');
      expect(post?.text).toContain('https://www.instagram.com/p/CpOsT123/');
      expect(post?.text).toContain('@info.blitar');
      // The post's own caption says where: the OPD reads it without opening Instagram.
      expect(post?.text).toContain('Jalan berlubang di Jl. Cemara, depan SDN Sananwetan 2');
      expect(media.hits).toEqual(expect.arrayContaining(['/reel-cover.png', '/view-once.png', '/post.png']));
      const acks = (await queuedJobs<Notification>(url, prefix, notifyQueue)).filter((j) => j.data.kind === 'ack');
      expect(acks.map((j) => j.data.to).sort()).toEqual(['th-once', 'th-post', 'th-reel']);
    } finally {
      await rig.close();
    }
  });

  it('a redelivered burst makes no second complaint, even with the cursor lost', async () => {
    const client = new FakeIgClient();
    const { logger } = memoryLogger();
    const rig = await buildRig({ redisUrl: url, prefix, client, logger });
    const t0 = Date.now() - 60_000;
    const burst = [textItem('b3', citizen.pk, t0 + 2_000, 'di depan Pasar Legi'), textItem('b2', citizen.pk, t0 + 1_000, 'ada jukir liar minta 5 ribu'), textItem('b1', citizen.pk, t0, 'Selamat siang, mau lapor')];
    client.inboxPages = [[threadOf({ threadId: 'th-2', user: citizen, items: burst })]];
    try {
      expect((await rig.poller.pollOnce()).items.ingested).toBe(3);
      expect((await rig.poller.pollOnce()).items).toMatchObject({ ingested: 0, duplicate: 0 }); // cursor: nothing new
      await rig.pipeline.redis.del(rig.pipeline.keys.cursor);
      expect((await rig.poller.pollOnce()).items).toMatchObject({ ingested: 0, duplicate: 3 }); // item markers
      await rig.pipeline.engine.closeAll({ channel: 'instagram', account: 'pemkotblitar' });
      // Markers gone too: the engine's own message-id dedupe still holds.
      await rig.pipeline.redis.del(rig.pipeline.keys.cursor, ...burst.map((i) => rig.pipeline.keys.item(i.item_id)));
      expect((await rig.poller.pollOnce()).items.ingested).toBe(3);
      await rig.pipeline.engine.closeAll({ channel: 'instagram', account: 'pemkotblitar' });
      expect(rig.complaints).toHaveLength(1);
      expect(rig.complaints[0]!.source.messageIds).toEqual(['b1', 'b2', 'b3']);
      expect(await queuedJobs(url, prefix, intakeQueue)).toHaveLength(1);
    } finally {
      await rig.close();
    }
  });

  it('the cursor survives a restart: a new process takes only what is new, paging back through the thread', async () => {
    const { logger } = memoryLogger();
    const env = testEnv(prefix);
    const t0 = Date.now() - 300_000;
    const first = new FakeIgClient();
    first.inboxPages = [[threadOf({ threadId: 'th-3', user: citizen, items: [textItem('c1', citizen.pk, t0, 'Pohon besar tumbang di Jl. Mawar')] })]];
    const rig1 = await buildRig({ redisUrl: url, prefix, client: first, logger, env });
    expect((await rig1.poller.pollOnce()).items.ingested).toBe(1);
    await rig1.close();

    // After the restart: three new messages, the inbox preview shows only the newest two.
    const second = new FakeIgClient();
    const preview = [textItem('c4', citizen.pk, t0 + 3_000, 'mohon segera'), textItem('c3', citizen.pk, t0 + 2_000, 'menutup jalan')];
    second.inboxPages = [[threadOf({ threadId: 'th-3', user: citizen, items: preview, hasOlder: true })]];
    second.threadPages.set('th-3', [[threadFeedTextItem('c4', citizen.pk, t0 + 3_000, 'mohon segera'), threadFeedTextItem('c3', citizen.pk, t0 + 2_000, 'menutup jalan'), threadFeedTextItem('c2', citizen.pk, t0 + 1_000, 'sejak pagi'), threadFeedTextItem('c1', citizen.pk, t0, 'Pohon besar tumbang di Jl. Mawar')]]);
    const rig2 = await buildRig({ redisUrl: url, prefix, client: second, logger, env: testEnv(prefix) });
    try {
      const report = await rig2.poller.pollOnce();
      expect(report.items).toEqual({ ingested: 3, duplicate: 0, skipped: 0, poison: 0 });
      expect(second.calls.thread).toBe(1);
      expect(await rig2.cursors.get('th-3')).toBe(BigInt(t0 + 3_000) * 1000n);
      await rig2.pipeline.engine.closeAll({ channel: 'instagram', account: 'pemkotblitar' });
      expect(rig2.complaints[0]!.source.messageIds).toEqual(['c1', 'c2', 'c3', 'c4']);
    } finally {
      await rig2.close();
    }
  });

  it('a greeting alone gets the guide and no ticket; "cek <ticket>" answers in the thread', async () => {
    const client = new FakeIgClient();
    const { logger } = memoryLogger();
    const rig = await buildRig({ redisUrl: url, prefix, client, logger });
    const t0 = Date.now() - 120_000;
    try {
      client.inboxPages = [[threadOf({ threadId: 'th-g', user: citizen, items: [textItem('g1', citizen.pk, t0, 'Assalamualaikum')] })]];
      await rig.poller.pollOnce();
      await rig.pipeline.engine.closeAll({ channel: 'instagram', account: 'pemkotblitar' });
      expect(rig.complaints).toHaveLength(0);
      expect(rig.notifications.map((n) => [n.kind, n.to])).toContainEqual(['guide', 'th-g']);

      client.inboxPages = [[threadOf({ threadId: 'th-g', user: citizen, items: [textItem('g2', citizen.pk, t0 + 1_000, 'Sampah menumpuk di depan SDN Sananwetan 1 sudah seminggu')] })]];
      await rig.poller.pollOnce();
      await rig.pipeline.engine.closeAll({ channel: 'instagram', account: 'pemkotblitar' });
      const ticket = rig.complaints[0]!.ticket;
      client.inboxPages = [[threadOf({ threadId: 'th-g', user: citizen, items: [textItem('g3', citizen.pk, t0 + 2_000, `cek ${ticket.toLowerCase()}`)] })]];
      await rig.poller.pollOnce();
      const lookup = rig.notifications.find((n) => n.kind === 'lookup');
      expect(lookup).toMatchObject({ to: 'th-g', account: 'pemkotblitar', replyTo: 'g3' });
      expect(lookup!.text).toContain(ticket);
      // The sender's own ticket: a status, not the "not found" a stranger gets.
      expect(lookup!.text).not.toMatch(/tidak ditemukan/);
    } finally {
      await rig.close();
    }
  });

  it('a story mention without words files nothing and gets the guide; with a complaint in the burst, the story is its evidence', async () => {
    const client = new FakeIgClient();
    const { logger } = memoryLogger();
    const rig = await buildRig({ redisUrl: url, prefix, client, logger });
    const shop = userOf(5550009, 'toko.kue.blitar', 'Toko Kue');
    const t0 = Date.now() - 120_000;
    const mentionBy = (u: typeof shop, at: number) => {
      const m = makeItems(u.pk, at, media.url).mention;
      return { ...m, item_id: `mention-${u.pk}` };
    };
    // A shop's birthday story that tags the city account: no words in the DM.
    client.inboxPages = [[threadOf({ threadId: 'th-shop', user: shop, items: [mentionBy(shop, t0)] })]];
    try {
      expect((await rig.poller.pollOnce()).items.ingested).toBe(1);
      await rig.pipeline.engine.closeAll({ channel: 'instagram', account: 'pemkotblitar' });
      expect(rig.complaints).toHaveLength(0);
      expect(await queuedJobs(url, prefix, intakeQueue)).toHaveLength(0);
      const sent = await queuedJobs<Notification>(url, prefix, notifyQueue);
      expect(sent.map((j) => [j.data.kind, j.data.to])).toEqual([['guide', 'th-shop']]);

      // A citizen tags us in a story of a broken road and says where: one complaint, with the story.
      client.inboxPages = [[threadOf({ threadId: 'th-road', user: citizen, items: [textItem('r2', citizen.pk, t0 + 1_000, 'Jalan berlubang di Jl. Cemara, sudah seminggu'), mentionBy(citizen, t0)] })]];
      expect((await rig.poller.pollOnce()).items.ingested).toBe(2);
      await rig.pipeline.engine.closeAll({ channel: 'instagram', account: 'pemkotblitar' });
      expect(rig.complaints).toHaveLength(1);
      expect(rig.complaints[0]!.text).toContain('Jalan berlubang di Jl. Cemara');
      expect(rig.complaints[0]!.attachments.map((a) => a.kind)).toEqual(['image']);
    } finally {
      await rig.close();
    }
  });

  it('ignores history older than the backfill window and group threads', async () => {
    const client = new FakeIgClient();
    const { logger } = memoryLogger();
    const rig = await buildRig({ redisUrl: url, prefix, client, logger, backfillMs: 3_600_000 });
    const old = Date.now() - 2 * 3_600_000;
    client.inboxPages = [[
      threadOf({ threadId: 'th-old', user: citizen, items: [textItem('o2', citizen.pk, Date.now() - 1_000, 'baru'), textItem('o1', citizen.pk, old, 'lama')] }),
      threadOf({ threadId: 'th-group', user: userOf(5550002, 'grup', 'Grup'), items: [textItem('g1', 5550002, Date.now() - 1_000, 'halo grup')], isGroup: true }),
    ]];
    try {
      const report = await rig.poller.pollOnce();
      expect(report.items.ingested).toBe(1);
      expect(report.groupsSkipped).toBe(1);
    } finally {
      await rig.close();
    }
  });
  it('an item of a shape it cannot read is skipped and logged; the items around it and the next threads go on', async () => {
    const client = new FakeIgClient();
    const log = memoryLogger();
    const rig = await buildRig({ redisUrl: url, prefix, client, logger: log.logger });
    const at = Date.now() - 60_000;
    // As if the private API changed a field into something that cannot be read.
    const odd = textItem('x2', citizen.pk, at + 1_000, 'tidak terbaca');
    Object.defineProperty(odd, 'text', { enumerable: true, get: () => { throw new TypeError('unexpected shape'); } });
    const other = userOf(5550003, 'warga.lain', 'Budi');
    client.inboxPages = [[
      threadOf({ threadId: 'th-odd', user: citizen, items: [textItem('x3', citizen.pk, at + 2_000, 'sampah menumpuk di gang'), odd, textItem('x1', citizen.pk, at, 'lampu mati')] }),
      threadOf({ threadId: 'th-next', user: other, items: [textItem('y1', other.pk, at, 'jalan berlubang')] }),
    ]];
    try {
      const report = await rig.poller.pollOnce();
      expect(report.items).toMatchObject({ ingested: 3, skipped: 1 });
      expect(log.text()).toContain('unexpected shape; skipped');
      expect(log.text()).not.toContain('tidak terbaca');
      // The cursor moved past it: the next poll does not stop on it again.
      expect((await rig.poller.pollOnce()).items).toMatchObject({ ingested: 0, skipped: 0 });
    } finally {
      await rig.close();
    }
  });
  it('an item without a readable timestamp, or a thread with an unreadable activity time, does not stop the poll', async () => {
    const client = new FakeIgClient();
    const log = memoryLogger();
    const rig = await buildRig({ redisUrl: url, prefix, client, logger: log.logger });
    const at = Date.now() - 60_000;
    const untimed = { ...textItem('z2', citizen.pk, at + 1_000, 'waktu rusak'), timestamp: 'kemarin' };
    const other = userOf(5550004, 'warga.tiga', 'Tri');
    const odd = threadOf({ threadId: 'th-odd-time', user: other, items: [textItem('w1', other.pk, at, 'trotoar rusak')] });
    client.inboxPages = [[
      threadOf({ threadId: 'th-untimed', user: citizen, items: [textItem('z3', citizen.pk, at + 2_000, 'sampah belum diangkut'), untimed, textItem('z1', citizen.pk, at, 'lampu mati')] }),
      { ...odd, last_activity_at: 'n/a' },
    ]];
    try {
      const report = await rig.poller.pollOnce();
      expect(report.items).toMatchObject({ ingested: 3 });
      expect(log.text()).toContain('without a readable timestamp');
      expect(log.text()).not.toContain('waktu rusak');
    } finally {
      await rig.close();
    }
  });

  it('a message request Instagram refuses to approve does not hold up the inbox, and is not asked again until the citizen writes again', async () => {
    const client = new FakeIgClient();
    const log = memoryLogger();
    const rig = await buildRig({ redisUrl: url, prefix, client, logger: log.logger });
    const at = Date.now() - 60_000;
    const other = userOf(5550005, 'warga.empat', 'Empat');
    const request = (items: ReturnType<typeof textItem>[]) => threadOf({ threadId: 'th-req-gone', user: citizen, pending: true, items });
    client.pendingPages = [[request([textItem('r1', citizen.pk, at, 'lampu PJU mati di Jl. Mawar')])]];
    client.inboxPages = [[threadOf({ threadId: 'th-inbox', user: other, items: [textItem('n1', other.pk, at + 1_000, 'sampah belum diangkut')] })]];
    const approve = client.directThread.approve;
    const tries: string[] = [];
    let refuse = true;
    // The requester's account went away: Instagram answers 404 for this one thread.
    client.directThread.approve = async (id) => {
      tries.push(String(id));
      if (refuse) throw new IgNotFoundError(igResponse({ message: 'Thread not found', status: 'fail' }, 404));
      return approve(id);
    };
    const failed = async () => (await rig.registry.getSingleMetric('aduan_instagram_pending_approvals_total')?.get())?.values.find((v) => v.labels.outcome === 'failed')?.value;
    try {
      const report = await rig.poller.pollOnce();
      expect(report.items.ingested).toBe(2);
      expect(await rig.cursors.get('th-inbox')).not.toBeNull();
      expect(report.approved).toBe(0);
      expect(await failed()).toBe(1);
      expect(log.text()).toContain('the approval is tried again once the thread has new messages');
      expect(log.text()).not.toMatch(/th-req-gone|lampu PJU/);
      // Next cycles: not asked again (it would be refused again: one call a cycle, for ever), and the cycle is complete.
      const next = await rig.poller.pollOnce();
      expect(next).toMatchObject({ complete: true, approved: 0, items: { ingested: 0 } });
      // Even when a walk passes it again (its floor lost), the refusal is remembered.
      await rig.pipeline.redis.del(`${rig.pipeline.keys.cursor}:floor:pending`);
      expect((await rig.poller.pollOnce()).approved).toBe(0);
      expect(tries).toEqual(['th-req-gone']);
      expect(await failed()).toBe(1);
      // The citizen writes again: the message is taken and the approval asked again, and now it goes through.
      refuse = false;
      client.pendingPages = [[request([textItem('r2', citizen.pk, at + 5_000, 'sudah tiga hari'), textItem('r1', citizen.pk, at, 'lampu PJU mati di Jl. Mawar')])]];
      const news = await rig.poller.pollOnce();
      expect(news).toMatchObject({ approved: 1, items: { ingested: 1 } });
      expect(tries).toEqual(['th-req-gone', 'th-req-gone']);
      // A refusal for the whole account (spam, rate limit) still stops the cycle: the loop backs off.
      client.pendingPages = [[threadOf({ threadId: 'th-req-2', user: other, pending: true, items: [textItem('r3', other.pk, at + 6_000, 'tolong')] })]];
      client.directThread.approve = async () => { throw new IgActionSpamError(igResponse(spamBody)); };
      await expect(rig.poller.pollOnce()).rejects.toBeInstanceOf(IgActionSpamError);
    } finally {
      await rig.close();
    }
  });
  it('"Please wait a few minutes" while approving a request is a throttle: the cycle stops, the request is not marked refused', async () => {
    const client = new FakeIgClient();
    const rig = await buildRig({ redisUrl: url, prefix, client, logger: memoryLogger().logger });
    const at = Date.now() - 60_000;
    client.pendingPages = [[threadOf({ threadId: 'th-req-w', user: citizen, pending: true, items: [textItem('w1', citizen.pk, at, 'got mampet di Jl. Melati')] })]];
    const approve = client.directThread.approve;
    client.directThread.approve = async () => {
      throw new IgResponseError(igResponse(throttleBody, 400));
    };
    try {
      await expect(rig.poller.pollOnce()).rejects.toBeInstanceOf(IgResponseError);
      expect(await rig.cursors.refused('th-req-w')).toBeNull();
      const failed = (await rig.registry.getSingleMetric('aduan_instagram_pending_approvals_total')?.get())?.values.find((v) => v.labels.outcome === 'failed')?.value;
      expect(failed ?? 0).toBe(0);
      // Once the throttle is over, the next cycle approves it.
      client.directThread.approve = approve;
      expect((await rig.poller.pollOnce()).approved).toBe(1);
    } finally {
      await rig.close();
    }
  });

  it('an item stamped far in the future is passed over: it does not silence its thread or the inbox walk', async () => {
    const client = new FakeIgClient();
    const log = memoryLogger();
    const rig = await buildRig({ redisUrl: url, prefix, client, logger: log.logger });
    const at = Date.now() - 60_000;
    // Year 2100, in microseconds: a broken clock somewhere, or a forged item.
    const future = { ...textItem('fut', citizen.pk, 4_102_444_800_000, 'dari masa depan') };
    const other = userOf(5550008, 'warga.tujuh', 'Tujuh');
    client.inboxPages = [[threadOf({ threadId: 'th-fut', user: citizen, items: [future, textItem('f1', citizen.pk, at, 'saluran air tersumbat')] })]];
    try {
      expect((await rig.poller.pollOnce()).items.ingested).toBe(1);
      expect(await rig.cursors.get('th-fut')).toBe(BigInt(at) * 1000n);
      expect(log.text()).toContain('in the future');
      // The citizen writes again; a new thread comes too.
      client.inboxPages = [[
        threadOf({ threadId: 'th-fut', user: citizen, items: [future, textItem('f2', citizen.pk, at + 30_000, 'sudah seminggu'), textItem('f1', citizen.pk, at, 'saluran air tersumbat')] }),
        threadOf({ threadId: 'th-next', user: other, items: [textItem('g1', other.pk, at + 20_000, 'jalan rusak')] }),
      ]];
      const next = await rig.poller.pollOnce();
      expect(next.items.ingested).toBe(2);
      expect(await rig.cursors.get('th-fut')).toBe(BigInt(at + 30_000) * 1000n);
    } finally {
      await rig.close();
    }
  });

  it('a thread whose participants or items come in a shape it cannot read does not stop the poll; the sender is taken from the items', async () => {
    const client = new FakeIgClient();
    const log = memoryLogger();
    const rig = await buildRig({ redisUrl: url, prefix, client, logger: log.logger });
    const at = Date.now() - 60_000;
    const other = userOf(5550006, 'warga.lima', 'Lima');
    // As Instagram sends a thread whose other participant deleted the account: no users, no inviter.
    const noUsers: Record<string, unknown> = { ...threadOf({ threadId: 'th-no-users', user: citizen, items: [textItem('u1', citizen.pk, at, 'jalan berlubang di Jl. Kenanga')] }), users: [] };
    delete noUsers.inviter;
    const noItems = { ...threadOf({ threadId: 'th-no-items', user: other, items: [textItem('v0', other.pk, at, 'x')] }), items: null };
    const third = userOf(5550007, 'warga.enam', 'Enam');
    client.inboxPages = [[noUsers as unknown as IgThread, noItems as unknown as IgThread, threadOf({ threadId: 'th-fine', user: third, items: [textItem('f1', third.pk, at, 'pohon tumbang')] })]];
    try {
      const report = await rig.poller.pollOnce();
      expect(report.items.ingested).toBe(2);
      await rig.pipeline.engine.closeAll({ channel: 'instagram', account: 'pemkotblitar' });
      const bySender = new Map(rig.complaints.map((c) => [c.source.senderId, c]));
      expect(bySender.get(String(citizen.pk))?.text).toContain('Jl. Kenanga');
      expect(bySender.get(String(third.pk))?.text).toContain('pohon tumbang');
    } finally {
      await rig.close();
    }
  });
});
