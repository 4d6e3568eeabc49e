import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DurableProducer, QueueNames, StatusStore, createRedis, senderFields } from '@aduan/queue';
import { deterministicComplaintId, ticketFor, type Complaint, type Notification } from '@aduan/schema';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { ConversationEngine, createTexts, type ChatMessageInput } from '../../packages/conversation/src/index.ts';

/**
 * "sudah ada kabar?" answers a sender with the status of their own latest complaints. Nobody else
 * may ever hear of them: not another WhatsApp number, not an Instagram account whose id or typed
 * number looks like the filer's, not the owner of a number the radio desk typed. Real Redis, the
 * real engine; the status records are written as the router writes them (senderFields).
 */
const url = testRedisUrl();
const prefix = uniquePrefix('sec-followup');
const WA_ACCOUNT = '+6281100000000';
const IG_ACCOUNT = '17841400000000';
const A = { jid: '6281234500011@s.whatsapp.net', phone: '+6281234500011' };
const B = { jid: '6281234500022@s.whatsapp.net', phone: '+6281234500022' };
const usage = createTexts().checkUsage();
const now = { ms: Date.parse('2026-03-02T01:00:00Z') };
let seq = 0;
let redis: Redis;
let producerConn: Redis;
let producer: DurableProducer;
let status: StatusStore;
let wa: ConversationEngine;
let ig: ConversationEngine;
const queues: Queue[] = [];

function waMessage(who: { jid: string; phone?: string }, text: string): ChatMessageInput {
  now.ms += 5_000;
  return { channel: 'whatsapp', account: WA_ACCOUNT, senderId: who.jid, threadId: who.jid, messageId: `SEC${++seq}`, at: new Date(now.ms).toISOString(), reporter: { ...(who.phone ? { phone: who.phone } : {}) }, text };
}
function igMessage(sender: string, text: string, phone?: string): ChatMessageInput {
  now.ms += 5_000;
  return { channel: 'instagram', account: IG_ACCOUNT, senderId: sender, threadId: `thread-${sender}`, messageId: `SECIG${++seq}`, at: new Date(now.ms).toISOString(), reporter: { handle: 'warga.blitar', ...(phone ? { phone } : {}) }, text };
}
const notices = async (q: Queue) => (await q.getJobs(['waiting', 'prioritized', 'delayed', 'active', 'completed'])).map((j) => j.data as Notification);

/** Files a chat complaint through the engine and records its status as the router would. */
async function fileChat(engine: ConversationEngine, intake: Queue, msg: ChatMessageInput): Promise<string> {
  const before = new Set((await intake.getJobs(['waiting'])).map((j) => j.id));
  await engine.ingest(msg);
  now.ms += 600_000;
  await engine.sweep();
  const c = (await intake.getJobs(['waiting'])).map((j) => j.data as Complaint).find((x) => !before.has(x.id));
  if (!c) throw new Error('no complaint filed');
  await status.recordReceived({ id: c.id, ticket: c.ticket, channel: c.channel, receivedAt: c.receivedAt, ...senderFields(c.channel, c.source.senderId, c.reporter.phone) });
  return c.ticket;
}

/** The engine's answer to `msg` (a lookup notice into the sender's chat). */
async function answerTo(engine: ConversationEngine, notify: Queue, msg: ChatMessageInput): Promise<string> {
  await engine.ingest(msg);
  const answer = (await notices(notify)).filter((n) => n.kind === 'lookup' && n.to === msg.threadId).at(-1);
  if (!answer) throw new Error('no answer');
  return answer.text;
}

beforeAll(async () => {
  redis = createRedis(url, 'client');
  producerConn = createRedis(url, 'producer');
  for (const c of [redis, producerConn]) if (c.status !== 'ready') await new Promise((ok) => c.once('ready', ok));
  const { logger } = memoryLogger();
  producer = new DurableProducer({ connection: producerConn, prefix, logger });
  status = new StatusStore(redis, prefix);
  const common = { redis, prefix, producer, statusStore: status, logger, quietMs: 120_000, clock: () => now.ms };
  wa = new ConversationEngine({ ...common, transport: 'baileys', channel: 'whatsapp' });
  ig = new ConversationEngine({ ...common, transport: 'instagram-private-api', channel: 'instagram' });
});
afterAll(async () => {
  await wa.stop();
  await ig.stop();
  await Promise.all(queues.map((q) => q.close()));
  await producer.close();
  redis.disconnect();
  producerConn.disconnect();
  await deletePrefix(url, prefix);
});

describe('"sudah ada kabar?" tells a sender of their own complaints only', () => {
  it('answers the filer, and no other number, Instagram account or desk-typed number', async () => {
    const q = (name: string) => {
      const queue = new Queue(name, { connection: createRedis(url, 'client'), prefix });
      queues.push(queue);
      return queue;
    };
    const intake = q(QueueNames.intake);
    const waNotify = q(QueueNames.notify('whatsapp'));
    const igNotify = q(QueueNames.notify('instagram'));

    // A files two complaints on WhatsApp, the second confidential.
    const first = await fileChat(wa, intake, waMessage(A, 'Jukir liar di depan Pasar Legi minta lima ribu, tolong ditertibkan'));
    const secret = await fileChat(wa, intake, waMessage(A, 'rahasia. Ada pungli di kantor kelurahan Sananwetan tiap urus surat'));
    // The radio desk typed B's number for a caller (by mistake, or B is the caller): a ticket read on air.
    const radioId = deterministicComplaintId(new Date(now.ms), 'radio', 'Radio Patria FM', `sec-${prefix}`);
    const radio = ticketFor(radioId);
    await status.recordNew({ id: radioId, ticket: radio, channel: 'radio', receivedAt: new Date(now.ms).toISOString(), ...senderFields('radio', undefined, B.phone) });

    // The filer hears of both (the positive control: the answer is about complaints at all).
    const own = await answerTo(wa, waNotify, waMessage(A, 'sudah ada kabar?'));
    expect(own).toContain(first);
    expect(own).toContain(secret);

    const strangers: [ConversationEngine, Queue, ChatMessageInput][] = [
      // Another WhatsApp number.
      [wa, waNotify, waMessage(B, 'sudah ada kabar?')],
      // A's LID without a number WhatsApp vouches for.
      [wa, waNotify, waMessage({ jid: '123456789012345@lid' }, 'gimana perkembangan laporan saya?')],
      // Instagram: an account whose id is A's number, claiming A's number in what it typed.
      [ig, igNotify, igMessage('6281234500011', 'sudah ada kabar?', A.phone)],
      [ig, igNotify, igMessage(A.jid, 'sudah ada kabar?', A.phone)],
    ];
    for (const [engine, notify, msg] of strangers) {
      const text = await answerTo(engine, notify, msg);
      expect(text).toBe(usage);
      for (const t of [first, secret, radio]) expect(text).not.toContain(t);
    }
    // Nothing was filed by the questions.
    expect(await intake.getJobCounts('waiting')).toEqual({ waiting: 2 });
  });
});
