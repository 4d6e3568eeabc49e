import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BufferJSON } from '@whiskeysockets/baileys';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { conversationMember } from '@aduan/conversation';
import { createRedis } from '@aduan/queue';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { replay } from './replay.ts';
import { ACCOUNT, CITIZEN, citizenMessage, intakeJobs, notifyJobs, startHarness, testConfig, type Harness } from './test-support/harness.ts';
import { MediaServer } from './test-support/media-server.ts';

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(48, 5)]);
/** The same citizen as CITIZEN, as WhatsApp names them by LID. */
const LID = '123456789012345@lid';

/**
 * A message as Baileys 7 gives it when WhatsApp sends the sender's other id too: `key.remoteJidAlt`
 * (not a protobuf field: Baileys adds it to the decoded key).
 */
function withAlt<T extends { key: { remoteJidAlt?: string } }>(msg: T, alt: string): T {
  msg.key.remoteJidAlt = alt;
  return msg;
}

describe('WhatsApp: one citizen under a phone-number JID and a LID (real Baileys objects, real Redis)', () => {
  const url = testRedisUrl();
  const media = new MediaServer();
  let prefix: string;
  let h: Harness;
  const texts = () => h.socket.sent.map((s) => [s.jid, (s.content as { text: string }).text] as const);
  const complaints = async () => (await intakeJobs(url, prefix)).sort((a, b) => Date.parse(a.submittedAt) - Date.parse(b.submittedAt));

  beforeAll(() => media.start());
  afterAll(() => media.stop());
  beforeEach(async () => {
    prefix = uniquePrefix('walid');
    h = await startHarness(testConfig(url, prefix));
    await waitFor(() => h.service.sessions.get(ACCOUNT)!.status.state === 'connected', { what: 'connected' });
  });
  afterEach(async () => {
    await h.stop();
    await deletePrefix(url, prefix);
  });

  it('files a burst sent under the phone-number JID and then the LID as one complaint with one acknowledgement; follow-ups under either id find it', async () => {
    h.socket.deliver([citizenMessage({ conversation: 'Lampu PJU mati di Jl. Kenari' })]);
    h.socket.deliver([withAlt(citizenMessage({ conversation: 'sudah 3 hari, depan masjid' }, {}, LID), CITIZEN)]);

    const [c] = await waitFor(async () => ((await intakeJobs(url, prefix)).length ? intakeJobs(url, prefix) : null), { what: 'complaint' });
    await new Promise((r) => setTimeout(r, 2_800)); // past the quiet period and a sweep: no second one
    expect((await complaints()).map((x) => x.text)).toEqual(['Lampu PJU mati di Jl. Kenari\nsudah 3 hari, depan masjid']);
    expect(c!.source).toMatchObject({ senderId: LID, threadId: CITIZEN });
    expect(c!.reporter.phone).toBe('+6281234567890');
    expect((await notifyJobs(url, prefix)).filter((n) => n.kind === 'ack')).toHaveLength(1);
    expect(texts()).toEqual([[CITIZEN, expect.stringContaining(c!.ticket)]]);

    // "sudah ada kabar?" under the LID alone (no phone number with it): the sender's complaint.
    h.socket.deliver([citizenMessage({ conversation: 'sudah ada kabar?' }, {}, LID)]);
    await waitFor(() => h.socket.sent.length === 2, { what: 'answer to the follow-up' });
    expect(texts()[1]).toEqual([LID, expect.stringContaining(c!.ticket)]);

    // A photo alone, under the phone-number JID alone, minutes after the acknowledgement: an addition to it.
    const photo = await media.add('/lid/photo', PNG, 'image');
    h.socket.deliver([citizenMessage({ imageMessage: { ...photo, mimetype: 'image/png' } })]);
    const addition = await waitFor(async () => (await intakeJobs(url, prefix)).find((x) => x.id !== c!.id), { what: 'addition' });
    expect(addition.text).toBe(`(foto tambahan untuk aduan ${c!.ticket}, dikirim setelah aduan itu tercatat)`);
    expect(addition.source).toMatchObject({ senderId: LID, threadId: CITIZEN });
  });

  it('keys a citizen WhatsApp names only by phone number as before, so conversations opened before the change go on', async () => {
    h.socket.deliver([citizenMessage({ conversation: 'Sampah menumpuk di Jl. Cemara' })]);
    await waitFor(async () => (await h.service.pipeline.engine.openConversations()) === 1, { what: 'open conversation' });
    const redis = createRedis(url, 'worker');
    try {
      expect(await redis.exists(`${prefix}:conv:open:${conversationMember('whatsapp', ACCOUNT, CITIZEN)}`)).toBe(1);
    } finally {
      redis.disconnect();
    }
    h.socket.deliver([citizenMessage({ conversation: 'kirim' })]);
    const [c, ...more] = await waitFor(async () => ((await intakeJobs(url, prefix)).length ? intakeJobs(url, prefix) : null), { what: 'complaint' });
    expect(more).toHaveLength(0);
    expect(c!.source).toMatchObject({ senderId: CITIZEN, threadId: CITIZEN });
    await waitFor(() => h.socket.sent.length === 1, { what: 'ack' });
    expect(texts()).toEqual([[CITIZEN, expect.stringContaining(c!.ticket)]]);
  });

  it('goes on with a conversation the previous version opened under the phone-number JID when the next message names the LID too', async () => {
    // What the previous version wrote for a phone-number chat, whose messages also carry the LID: keyed on the chat id.
    // Whole seconds, as WhatsApp's message times: within the quiet period of the messages that follow.
    const at = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    await h.service.pipeline.engine.ingest({ channel: 'whatsapp', account: ACCOUNT, senderId: CITIZEN, threadId: CITIZEN, messageId: 'OLD1', at, reporter: { phone: '+6281234567890' }, text: 'Got mampet di Jl. Mawar' });
    h.socket.deliver([withAlt(citizenMessage({ conversation: 'dekat pos ronda' }), LID), withAlt(citizenMessage({ conversation: 'kirim' }), LID)]);
    const [c, ...more] = await waitFor(async () => ((await intakeJobs(url, prefix)).length ? intakeJobs(url, prefix) : null), { what: 'complaint' });
    expect(more).toHaveLength(0);
    expect(c!.text).toBe('Got mampet di Jl. Mawar\ndekat pos ronda');
    expect(c!.source).toMatchObject({ senderId: LID, threadId: CITIZEN });
    await waitFor(() => h.socket.sent.length === 1, { what: 'ack' });
    expect(texts()).toEqual([[CITIZEN, expect.stringContaining(c!.ticket)]]);
  });
});

describe('WhatsApp replay: one citizen under a phone-number JID and a LID (real Redis)', () => {
  const url = testRedisUrl();
  const prefix = uniquePrefix('walid-replay');
  afterAll(() => deletePrefix(url, prefix));

  it('files their burst as one complaint and closes every conversation the file touched', async () => {
    const t = 1_767_240_000;
    const lines = [
      { key: { remoteJid: CITIZEN, id: 'L1', fromMe: false }, messageTimestamp: t, message: { conversation: 'Lampu PJU mati di Jl. Kenari' } },
      { key: { remoteJid: LID, remoteJidAlt: CITIZEN, id: 'L2', fromMe: false }, messageTimestamp: t + 20, message: { conversation: 'sudah 3 hari' } },
      { key: { remoteJid: CITIZEN, id: 'L3', fromMe: false }, messageTimestamp: t + 40, message: { conversation: 'depan masjid' } },
    ].map((m) => JSON.stringify(m, BufferJSON.replacer));
    const dir = mkdtempSync(join(tmpdir(), 'aduan-wa-lid-replay-'));
    const { logger } = memoryLogger('whatsapp');
    const summary = await replay({
      lines, account: ACCOUNT, redisUrl: url, prefix, spoolDir: join(dir, 'spool'), inboxSpoolDir: join(dir, 'inbox'), attachmentDir: join(dir, 'att'),
      maxMediaBytes: 1_000_000, quietMs: 300_000, ticketPrefix: 'ADU', logger,
    });
    expect(summary).toMatchObject({ complaints: 1, outcomes: { ingested: 3 } });
    const [c] = await intakeJobs(url, prefix);
    expect(c!.text).toBe('Lampu PJU mati di Jl. Kenari\nsudah 3 hari\ndepan masjid');
    expect(c!.source).toMatchObject({ senderId: LID, threadId: CITIZEN });
    const redis = createRedis(url, 'worker');
    try {
      expect(await redis.zcard(`${prefix}:conv:due:whatsapp`)).toBe(0);
    } finally {
      redis.disconnect();
    }
  });
});
