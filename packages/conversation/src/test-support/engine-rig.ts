import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { DurableProducer, QueueNames, StatusStore, createRedis } from '@aduan/queue';
import type { Complaint, Notification } from '@aduan/schema';
import { memoryLogger, testRedisUrl } from '@aduan/testkit';
import { ConversationEngine, type ConversationEngineOptions } from '../engine.ts';
import type { ChatMessageInput } from '../chat-message.ts';

/** An engine on real Redis with its own clock, and the queues it writes, for the engine's integration tests. */
export const account = '+6281100000000';
export const jid = '6281234567890@s.whatsapp.net';

export interface Rig {
  engine: ConversationEngine;
  intake: Queue;
  notify: Queue;
  status: StatusStore;
  now: { ms: number };
  close(): Promise<void>;
}

export async function rig(prefix: string, extra: Partial<ConversationEngineOptions> = {}): Promise<Rig> {
  const url = testRedisUrl();
  const redis: Redis = createRedis(url, 'client');
  const producerConn = createRedis(url, 'producer');
  for (const c of [redis, producerConn]) if (c.status !== 'ready') await new Promise((ok) => c.once('ready', ok));
  const { logger } = memoryLogger();
  const producer = new DurableProducer({ connection: producerConn, prefix, logger });
  const status = new StatusStore(redis, prefix);
  const now = { ms: Date.parse('2026-01-05T01:00:00Z') };
  const engine = new ConversationEngine({ redis, prefix, producer, statusStore: status, logger, transport: 'baileys', quietMs: 120_000, clock: () => now.ms, ...extra });
  const intake = new Queue(QueueNames.intake, { connection: createRedis(url, 'client'), prefix });
  const notify = new Queue(QueueNames.notify(extra.channel ?? 'whatsapp'), { connection: createRedis(url, 'client'), prefix });
  return {
    engine, intake, notify, status, now,
    close: async () => {
      await engine.stop();
      await producer.close();
      await intake.close();
      await notify.close();
      redis.disconnect();
      producerConn.disconnect();
    },
  };
}

let seq = 0;
/** A message of the citizen 5 s after the one before (by the rig's clock). */
export function m(r: Rig, text: string | undefined, extra: Partial<ChatMessageInput> = {}): ChatMessageInput {
  r.now.ms += 5_000;
  return { channel: 'whatsapp', account, senderId: jid, threadId: jid, messageId: `MSG${++seq}`, at: new Date(r.now.ms).toISOString(), reporter: { name: 'Siti', phone: '+6281234567890' }, ...(text ? { text } : {}), ...extra };
}
export const jobs = async (q: Queue) => (await q.getJobs(['waiting', 'prioritized', 'delayed', 'active', 'completed'])).map((j) => j.data as Complaint & Notification);

/** The chat falls quiet for two minutes and the engine closes what is due: how many complaints it filed. */
export async function quiet(r: Rig): Promise<number> {
  r.now.ms += 121_000;
  return r.engine.sweep();
}
/** The complaints filed so far, in the order the citizen sent them. */
export const complaints = async (r: Rig) => (await jobs(r.intake)).sort((a, b) => Date.parse(a.submittedAt) - Date.parse(b.submittedAt)) as Complaint[];
/** The notices queued for the citizen so far, in the order they were made. */
export const notes = async (r: Rig) => (await jobs(r.notify)).sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
