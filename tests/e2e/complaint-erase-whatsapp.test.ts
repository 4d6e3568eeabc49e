import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRedis, QueueNames, senderFields } from '@aduan/queue';
import { deletePrefix, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { ACCOUNT, CITIZEN, citizenMessage, intakeJobs, startHarness, testConfig, type Harness } from '../../services/whatsapp/src/test-support/harness.ts';
import { serviceUserOf } from '../support/operator-cli.ts';
import { dumpPrefix, runErase } from '../support/complaint-erase.ts';

/**
 * A WhatsApp citizen's erasure request (UU No. 27/2022) when WhatsApp names them by LID and by
 * phone number: the WhatsApp service (real Baileys message objects through its socket seam) links
 * the two ids as it does for every such citizen, files their complaint, and the operator's
 * command, run as a locked Redis's service user, erases it.
 */
const url = testRedisUrl();
/** The citizen as WhatsApp names them by LID; CITIZEN is their phone-number JID. */
const LID = '123456789012345@lid';
/**
 * What would still tie Redis to this citizen: the LID, the number, the push name, and the hashes
 * their ids are keyed by (the chat memory's keys use the status store's sender hash).
 */
const TRACES = ['123456789012345', '81234567890', 'Siti Aminah', ...[LID, CITIZEN].map((id) => senderFields('whatsapp', id, undefined).senderHash!)];

/** A message as Baileys 7 gives it when WhatsApp sends the sender's other id too (`key.remoteJidAlt`). */
function withAlt<T extends { key: { remoteJidAlt?: string } }>(msg: T, alt: string): T {
  msg.key.remoteJidAlt = alt;
  return msg;
}

describe('complaint:erase of a WhatsApp complaint: the links between the number and the LID', () => {
  let prefix: string;
  let h: Harness;
  let redis: Redis;
  let serviceUser: ReturnType<typeof serviceUserOf>;
  let dir: string;
  let notices: Queue;

  async function start(quietMs: number): Promise<void> {
    h = await startHarness({ ...testConfig(url, prefix), CONVERSATION_QUIET: quietMs });
    await waitFor(() => h.service.sessions.get(ACCOUNT)!.status.state === 'connected', { what: 'connected' });
  }
  const erase = (args: string[]) => runErase({ REDIS_URL: serviceUser.url, QUEUE_PREFIX: prefix, SPOOL_DIR: join(dir, 'spool'), ATTACHMENT_DIR: join(dir, 'attachments') }, args);
  /** Keys and values under the prefix that still name or key the citizen. */
  const traces = async () => Object.entries(await dumpPrefix(redis, prefix)).filter(([k, v]) => TRACES.some((t) => `${k} ${JSON.stringify(v)}`.includes(t))).map(([k]) => k.slice(prefix.length + 1));
  const complaintNumber = async (n: number) => waitFor(async () => ((await intakeJobs(url, prefix)).length >= n ? (await intakeJobs(url, prefix)).sort((a, b) => Date.parse(a.submittedAt) - Date.parse(b.submittedAt)) : null), { what: `complaint ${n}` });

  beforeEach(async () => {
    prefix = uniquePrefix('erase-lid');
    redis = createRedis(url, 'worker');
    serviceUser = serviceUserOf(url, prefix, 'erase-lid');
    await serviceUser.create(redis);
    dir = mkdtempSync(join(tmpdir(), 'aduan-erase-lid-'));
    mkdirSync(join(dir, 'spool'));
    notices = new Queue(QueueNames.notify('whatsapp'), { connection: redis, prefix });
  });
  afterEach(async () => {
    await notices.close();
    await h.stop();
    await serviceUser.remove(redis);
    await deletePrefix(url, prefix);
    redis.disconnect();
  });

  it('erases the link between the number and the LID, and the 112 and notice markers, dry run first, then once', async () => {
    await start(1_500);
    h.socket.deliver([withAlt(citizenMessage({ conversation: 'Tolong ada kebakaran di gang 3 Sananwetan, apinya sudah besar' }, {}, LID), CITIZEN), withAlt(citizenMessage({ conversation: 'kirim' }, {}, LID), CITIZEN)]);
    const [c] = await complaintNumber(1);
    expect(c!.source).toMatchObject({ senderId: LID, threadId: LID });
    expect(c!.reporter.phone).toBe('+6281234567890');
    await waitFor(async () => (await notices.getJobCounts('completed')).completed === 2, { what: 'the 112 notice and the acknowledgement sent' });

    const keyed = await traces();
    expect(keyed).toEqual(expect.arrayContaining([expect.stringMatching(/^conv:alias:whatsapp:/), expect.stringMatching(/^conv:alt:whatsapp:/), expect.stringMatching(/^conv:emergency:/), expect.stringMatching(/^conv:noticed:/)]));

    const dry = await erase([c!.ticket]);
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/\n\s+2 {2}chat links between the sender's ids/);
    expect(await traces()).toEqual(keyed);

    const run = await erase([c!.ticket, '--yes']);
    expect(run.code).toBe(0);
    // The notices: the acknowledgement, and the 112 notice, which names no complaint (it came before it).
    expect(JSON.parse(run.err.trim()).counts).toMatchObject({ chat_links: 2, chat_memory: 4, jobs_notify: 2 });
    expect(run.out).not.toContain('kept for a day');
    expect(await traces()).toEqual([]);

    const again = await erase([c!.ticket, '--yes']);
    expect(again.out).toContain('Nothing left to erase: erased before, at');
    expect(JSON.parse(again.err.trim()).counts).toMatchObject({ chat_links: 0, chat_memory: 0 });
  });

  it('finds the number through the LID when the complaint names only the LID', async () => {
    await start(1_500);
    // The first complaint links the ids; the second comes under the LID alone (no number with it).
    h.socket.deliver([withAlt(citizenMessage({ conversation: 'Lampu PJU mati di Jl. Kenari' }, {}, LID), CITIZEN), withAlt(citizenMessage({ conversation: 'kirim' }, {}, LID), CITIZEN)]);
    await complaintNumber(1);
    h.socket.deliver([citizenMessage({ conversation: 'Sampah menumpuk di TPS Sentul' }, {}, LID), citizenMessage({ conversation: 'kirim' }, {}, LID)]);
    const [first, second] = await complaintNumber(2);
    expect(second!.reporter.phone).toBeUndefined();

    const run = await erase([second!.ticket, '--yes']);
    expect(JSON.parse(run.err.trim()).counts).toMatchObject({ chat_links: 2 });
    expect((await traces()).filter((k) => /^conv:(alias|alt):/.test(k))).toEqual([]);
    // The first complaint, not erased, is still the citizen's: its own records stay.
    expect(await traces()).toEqual(expect.arrayContaining([`complaint:${first!.id}`]));
  });

  it('keeps for a day the link a conversation of the citizen open now uses, so that a message under the number alone still joins it', async () => {
    await start(60_000);
    h.socket.deliver([withAlt(citizenMessage({ conversation: 'Lampu PJU mati di Jl. Kenari' }, {}, LID), CITIZEN), withAlt(citizenMessage({ conversation: 'kirim' }, {}, LID), CITIZEN)]);
    const [c] = await complaintNumber(1);
    // A new complaint begun under the LID, not sent yet.
    h.socket.deliver([withAlt(citizenMessage({ conversation: 'Jalan berlubang di Jl. Anggrek' }, {}, LID), CITIZEN)]);
    await waitFor(async () => (await h.service.pipeline.engine.openConversations()) === 1, { what: 'open conversation' });

    const run = await erase([c!.ticket, '--yes']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.err.trim()).counts).toMatchObject({ chat_links: 0 });
    expect(run.out).toContain('2 chat link(s) kept for a day: the citizen has a chat open now (a new complaint) that uses them; they expire then.');
    const links = (await traces()).filter((k) => /^conv:(alias|alt):/.test(k));
    expect(links).toHaveLength(2);
    for (const k of links) expect(await redis.ttl(`${prefix}:${k}`)).toSatisfy((s: number) => s > 0 && s <= 86_400);

    // The next message under the number alone goes into that conversation: one complaint.
    h.socket.deliver([citizenMessage({ conversation: 'dekat pos ronda' }), citizenMessage({ conversation: 'kirim' })]);
    const [, next, ...more] = await complaintNumber(2);
    expect(more).toEqual([]);
    expect(next!.text).toBe('Jalan berlubang di Jl. Anggrek\ndekat pos ronda');

    // The erased complaint no longer names the citizen, so a second run finds nothing: the links expire within the day.
    const again = await erase([c!.ticket, '--yes']);
    expect(again.out).toContain('Nothing left to erase');
    for (const k of links) expect(await redis.ttl(`${prefix}:${k}`)).toSatisfy((s: number) => s > 0 && s <= 86_400);
  });
});
