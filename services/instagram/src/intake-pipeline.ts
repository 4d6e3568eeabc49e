import type { Redis } from 'ioredis';
import { ConversationEngine, createTexts, DurableInbox } from '@aduan/conversation';
import { createRedis, DurableProducer, Spool, StatusStore, untilReady } from '@aduan/queue';
import type { Complaint, Notification } from '@aduan/schema';
import { LocalDiskStorage } from '@aduan/storage';
import type { Logger } from '@aduan/telemetry';
import type { InstagramCommonEnv } from './env.ts';
import type { IgMetrics } from './metrics.ts';
import { ItemProcessor } from './polling/item-processor.ts';
import { igKeys, type IgKeys } from './session/keys.ts';

export interface IntakePipelineOptions {
  env: Readonly<InstagramCommonEnv>;
  redisUrl: string;
  account: string;
  transport: 'instagram-private-api' | 'replay';
  logger: Logger;
  metrics: IgMetrics;
  /** Sweep due conversations on a timer (live service); replay closes them itself at the end. */
  sweep: boolean;
  onComplaint?: (c: Complaint, outcome: 'queued' | 'spooled') => void;
  onNotification?: (n: Notification) => void;
  readyTimeoutMs?: number;
}

export class RedisNotReadyError extends Error {
  readonly code = 'ADUAN_ERR_REDIS_NOT_READY';
  constructor(ms: number) {
    super(`redis did not answer within ${ms} ms at start; the account lock, cursor and session live there`);
    this.name = 'RedisNotReadyError';
  }
}

async function whenReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (!(await untilReady(redis, timeoutMs))) throw new RedisNotReadyError(timeoutMs);
}

export interface IntakePipeline {
  /** Fail-fast connection for the adapter's own keys (cursor, markers, session, lock). */
  redis: Redis;
  keys: IgKeys;
  processor: ItemProcessor;
  engine: ConversationEngine;
  inbox: DurableInbox;
  producer: DurableProducer;
  /**
   * Every message sent before `untilMs` has been handed over (a complete poll): the engine may
   * close this account's conversations by their messages' own times. Not while messages wait in
   * the inbox spool: they are handed over, but not yet in their conversation.
   */
  markDelivered(untilMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Item -> complaint, shared by live polling and replay: the item processor hands messages to
 * the conversation engine through its DurableInbox (spools while Redis is down), and the
 * engine queues complaints and acknowledgements through a DurableProducer (spools too).
 */
export async function createIntakePipeline(opts: IntakePipelineOptions): Promise<IntakePipeline> {
  const { env, logger } = opts;
  const prefix = env.QUEUE_PREFIX;
  const redis = createRedis(opts.redisUrl, 'client');
  const producerRedis = createRedis(opts.redisUrl, 'producer');
  // Fail-fast connections refuse commands until connected: wait for that once, at start.
  await Promise.all([whenReady(redis, opts.readyTimeoutMs ?? 10_000), whenReady(producerRedis, opts.readyTimeoutMs ?? 10_000)]).catch((err: unknown) => {
    redis.disconnect();
    producerRedis.disconnect();
    throw err;
  });
  const producer = new DurableProducer({ connection: producerRedis, prefix, spool: new Spool(env.SPOOL_DIR), logger });
  const engine = new ConversationEngine({
    redis,
    prefix,
    producer,
    statusStore: new StatusStore(redis, prefix),
    logger,
    transport: opts.transport,
    ticketPrefix: env.TICKET_PREFIX,
    reopen: { days: env.REOPEN_DAYS, max: env.REOPEN_MAX },
    quietMs: env.CONVERSATION_QUIET,
    // Instagram shows no bold: a word to type is quoted instead.
    texts: createTexts({ em: (s) => s, kw: (s) => `"${s}"`, ticketPrefix: env.TICKET_PREFIX, quietMs: env.CONVERSATION_QUIET }),
    onComplaint: (c, outcome) => {
      opts.metrics.complaints.inc({ outcome });
      opts.onComplaint?.(c, outcome);
    },
    ...(opts.onNotification ? { onNotification: opts.onNotification } : {}),
  });
  const inbox = new DurableInbox({ engine, spoolDir: env.INBOX_SPOOL_DIR, logger });
  await inbox.start();
  if (opts.sweep) engine.start();
  const keys = igKeys(prefix, opts.account);
  const processor = new ItemProcessor({
    redis,
    keys,
    account: opts.account,
    // 'rejected' (not a valid ChatMessage) is the adapter's bug, logged by the inbox; the item is not retried forever.
    sink: { ingest: (m) => inbox.accept(m) },
    media: { storage: new LocalDiskStorage(env.ATTACHMENT_DIR), maxBytes: env.MEDIA_MAX_BYTES, timeoutMs: env.MEDIA_TIMEOUT },
    logger,
    metrics: opts.metrics,
  });
  return {
    redis,
    keys,
    processor,
    engine,
    inbox,
    producer,
    async markDelivered(untilMs) {
      if (inbox.spooled === 0) await engine.markDelivered(opts.account, untilMs);
    },
    async close() {
      await engine.stop();
      await inbox.stop();
      await producer.close();
      redis.disconnect();
      producerRedis.disconnect();
    },
  };
}
