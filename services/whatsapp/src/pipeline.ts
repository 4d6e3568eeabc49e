import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { ConversationEngine, DurableInbox, createTexts } from '@aduan/conversation';
import { DurableProducer, Spool, StatusStore, createRedis, untilReady, type ReopenPolicy } from '@aduan/queue';
import type { Complaint, Notification } from '@aduan/schema';
import { LocalDiskStorage } from '@aduan/storage';
import type { Logger } from '@aduan/telemetry';
import { waMetrics } from './metrics.ts';

export interface PipelineOptions {
  redisUrl: string;
  prefix: string;
  spoolDir: string;
  inboxSpoolDir: string;
  attachmentDir: string;
  transport: 'baileys' | 'replay';
  quietMs: number;
  maxOpenMs: number;
  ticketPrefix: string;
  /** REOPEN_DAYS, REOPEN_MAX; the engine's defaults when absent (replay). */
  reopen?: ReopenPolicy;
  logger: Logger;
  onComplaint?: (c: Complaint, outcome: 'queued' | 'spooled') => void;
  onNotification?: (n: Notification) => void;
  /** Replay runs without the sweeper timer: it closes everything at end of file. */
  sweep: boolean;
}

export interface Pipeline {
  client: Redis;
  producerConnection: Redis;
  producer: DurableProducer;
  statusStore: StatusStore;
  engine: ConversationEngine;
  inbox: DurableInbox;
  storage: LocalDiskStorage;
  close(): Promise<void>;
}

/**
 * Everything between a mapped chat message and the queues: conversation engine, inbound spool,
 * producer (with its own spool) and status store. Shared by the live service and the replay
 * command, so both run the same code.
 */
export async function buildPipeline(o: PipelineOptions): Promise<Pipeline> {
  const client = createRedis(o.redisUrl, 'client');
  const producerConnection = createRedis(o.redisUrl, 'producer');
  // Start-up with Redis down is allowed (messages spool); just give it a moment to connect.
  await Promise.all([untilReady(client, 3_000), untilReady(producerConnection, 3_000)]);
  const producer = new DurableProducer({ connection: producerConnection, prefix: o.prefix, spool: new Spool(o.spoolDir), logger: o.logger });
  const statusStore = new StatusStore(client, o.prefix);
  const m = waMetrics();
  const engine = new ConversationEngine({
    redis: client,
    prefix: o.prefix,
    producer,
    statusStore,
    logger: o.logger,
    transport: o.transport,
    ticketPrefix: o.ticketPrefix,
    ...(o.reopen ? { reopen: o.reopen } : {}),
    quietMs: o.quietMs,
    maxOpenMs: o.maxOpenMs,
    texts: createTexts({ em: (s) => `*${s}*`, ticketPrefix: o.ticketPrefix, quietMs: o.quietMs }),
    onComplaint: (c, outcome) => {
      m.complaints.inc({ outcome });
      o.onComplaint?.(c, outcome);
    },
    ...(o.onNotification ? { onNotification: o.onNotification } : {}),
  });
  const inbox = new DurableInbox({ engine, spoolDir: o.inboxSpoolDir, logger: o.logger });
  await inbox.start();
  if (o.sweep) engine.start();
  return {
    client,
    producerConnection,
    producer,
    statusStore,
    engine,
    inbox,
    storage: new LocalDiskStorage(o.attachmentDir),
    close: async () => {
      await engine.stop();
      await inbox.stop();
      await producer.close();
      client.disconnect();
      producerConnection.disconnect();
    },
  };
}

export const defaultDirs = (root: string) => ({ spoolDir: join(root, 'spool'), inboxSpoolDir: join(root, 'inbox') });
