import { join } from 'node:path';
import type { AuthenticationState, WAMessage } from '@whiskeysockets/baileys';
import type { Job, Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { DelayedError, QueueNames, checkRedisDurability, closeWorker, createConsumer, createRedis, logWorkerClosed, pingRedis } from '@aduan/queue';
import { Notification } from '@aduan/schema';
import type { Logger } from '@aduan/telemetry';
import { WhatsAppAdapter } from './adapter.ts';
import { DeliveryReporter, type DeliveryOptions } from './delivery.ts';
import type { WhatsAppEnv } from './env.ts';
import { buildHealthApp } from './health.ts';
import { MessageJournal } from './message-journal.ts';
import { waMetrics } from './metrics.ts';
import { buildPipeline, type Pipeline } from './pipeline.ts';
import { NUMBER_LOCK_TTL_MS } from './number-lock.ts';
import { NoticeOrder } from './notice-order.ts';
import { NotificationSender, SendDeferredError, SocketNotReadyError, type SendRetry } from './sender.ts';
import { LANE_DEPTH } from './send-lane.ts';
import { WhatsAppSession } from './session.ts';
import type { WaSocketLike } from './socket.ts';

export type ServiceConfig = Pick<
  WhatsAppEnv,
  'WA_NUMBERS' | 'WA_PAIRING' | 'QUEUE_PREFIX' | 'SPOOL_DIR' | 'INBOX_SPOOL_DIR' | 'ATTACHMENT_DIR' | 'MAX_MEDIA_BYTES' | 'CONVERSATION_QUIET' | 'CONVERSATION_MAX_OPEN' | 'TICKET_PREFIX' | 'REOPEN_DAYS' | 'REOPEN_MAX' | 'SEND_PER_MINUTE' | 'SEND_TYPING'
> & { REDIS_URL: string; METRICS_TOKEN?: string | undefined };

export interface ServiceDeps {
  config: Readonly<ServiceConfig>;
  logger: Logger;
  /** makeWASocket in production; tests pass sockets built on Baileys' event emitter. */
  makeSocket: (account: string, auth: AuthenticationState) => WaSocketLike;
  display: (account: string, what: { qr: string } | { pairingCode: string }) => void;
  sleep?: (ms: number) => Promise<void>;
  backoff?: { baseMs?: number; maxMs?: number };
  lockTtlMs?: number;
  /** How long a notification waits when its number is not connected here (default 15 s). */
  notReadyRetryMs?: number;
  /** How long a number rests after WhatsApp did not take a send (rate limit, timeout, closed connection). */
  sendRetry?: SendRetry;
  /**
   * On stop, how long messages in hand (a media download) are waited for before they are left
   * in the journal for the next start, and, side by side, the notification being sent (with
   * Redis away it is left active in Redis, to be sent once Redis is back). Default 3 s; main.ts:
   * half of SHUTDOWN_TIMEOUT.
   */
  inFlightGraceMs?: number;
  /** How each number reports to the conversation engine how far delivery got (see DeliveryReporter). */
  delivery?: DeliveryOptions;
}

/** Where received messages wait until the inbox has them: inside the inbox spool's directory, so it is on the same volume. */
export const journalDir = (inboxSpoolDir: string) => join(inboxSpoolDir, 'journal');

/** For a message taken from the journal at start: its number's socket once connected, for a media re-upload. */
function reuploadVia(socket: () => WaSocketLike | undefined, waitMs = 30_000): Pick<WaSocketLike, 'updateMediaMessage'> {
  return {
    updateMediaMessage: async (msg: WAMessage) => {
      const deadline = Date.now() + waitMs;
      for (;;) {
        const s = socket();
        if (s) return s.updateMediaMessage(msg);
        if (Date.now() > deadline) throw new Error('number not connected: no re-upload');
        await new Promise((r) => setTimeout(r, 250));
      }
    },
  };
}

/**
 * A notification waits, without using up its attempts, for as long as its number is not
 * connected (reconnecting, re-pairing, served by another replica) or WhatsApp does not take
 * sends (rate limit, timeouts, a connection closing): a ticket's acknowledgement must not be
 * dropped because an outage took more than BullMQ's few back-off retries (~2 minutes).
 * After a week it is given up (kept in the failed set).
 */
const NOT_READY_GIVE_UP_MS = 7 * 86_400_000;

export interface WhatsAppService {
  pipeline: Pipeline;
  sessions: Map<string, WhatsAppSession>;
  adapters: Map<string, WhatsAppAdapter>;
  worker: Worker;
  app: FastifyInstance;
  stop(): Promise<void>;
}

/**
 * Starts the whole service except the HTTP listener: pipeline, one session per number, the
 * notify.whatsapp consumer. Stop order on SIGTERM: sockets (no new messages), in-flight
 * messages (for a grace period; the rest stay in the journal) and the sender's notification
 * in flight (as long, at most), the journal, the pipeline (engine, spools, producer), then the
 * number locks. With Redis away none of it waits for Redis beyond the grace period.
 */
export async function startWhatsAppService(deps: ServiceDeps): Promise<WhatsAppService> {
  const { config: c, logger } = deps;
  const pipeline = await buildPipeline({
    redisUrl: c.REDIS_URL,
    prefix: c.QUEUE_PREFIX,
    spoolDir: c.SPOOL_DIR,
    inboxSpoolDir: c.INBOX_SPOOL_DIR,
    attachmentDir: c.ATTACHMENT_DIR,
    transport: 'baileys',
    quietMs: c.CONVERSATION_QUIET,
    maxOpenMs: c.CONVERSATION_MAX_OPEN,
    ticketPrefix: c.TICKET_PREFIX,
    reopen: { days: c.REOPEN_DAYS, max: c.REOPEN_MAX },
    logger,
    sweep: true,
  });
  const durability = await checkRedisDurability(pipeline.client);
  for (const problem of durability.problems) logger.error({ problem }, 'REDIS IS NOT DURABLE');

  // Auth state, locks and the BullMQ worker wait through Redis blips instead of failing.
  const workerRedis: Redis = createRedis(c.REDIS_URL, 'worker');
  const sessions = new Map<string, WhatsAppSession>();
  const adapters = new Map<string, WhatsAppAdapter>();
  const journal = new MessageJournal({ dir: journalDir(c.INBOX_SPOOL_DIR), logger });
  for (const account of c.WA_NUMBERS) {
    const adapter = new WhatsAppAdapter({
      account,
      inbox: pipeline.inbox,
      storage: pipeline.storage,
      maxMediaBytes: c.MAX_MEDIA_BYTES,
      logger,
      onMessage: (at) => sessions.get(account)?.noteMessage(at),
      journal,
      notify: (n, jobId) => pipeline.producer.add(QueueNames.notify('whatsapp'), jobId, n),
    });
    const session = new WhatsAppSession({
      account,
      prefix: c.QUEUE_PREFIX,
      redis: workerRedis,
      makeSocket: (auth) => deps.makeSocket(account, auth),
      adapter,
      pairing: c.WA_PAIRING,
      logger,
      display: (what) => deps.display(account, what),
      ...(deps.backoff ? { backoff: deps.backoff } : {}),
      ...(deps.lockTtlMs ? { lockTtlMs: deps.lockTtlMs } : {}),
    });
    adapters.set(account, adapter);
    sessions.set(account, session);
  }
  // Per number: up to which message time everything WhatsApp sent is in the conversation store,
  // so the quiet period counts from the messages' own times, not from when they reached us.
  const delivery = new DeliveryReporter({
    ...deps.delivery,
    sources: c.WA_NUMBERS.map((account) => ({
      account,
      caughtUpSince: () => sessions.get(account)!.caughtUpSince,
      oldestInHand: () => adapters.get(account)!.oldestInHand,
      lastAppendAt: () => adapters.get(account)!.lastAppendAt,
    })),
    spooled: () => pipeline.inbox.spooled,
    markDelivered: (account, untilMs) => pipeline.engine.markDelivered(account, untilMs),
    logger,
  });
  try {
    // Every number's lock first: a second process for these numbers is refused before it
    // touches the journal. Then what the previous run left unfinished is queued, per sender,
    // ahead of anything the sockets bring once they open.
    for (const s of sessions.values()) await s.acquire();
    const recovered = await journal.recover(new Set(c.WA_NUMBERS));
    for (const r of recovered) void adapters.get(r.account)!.resume(r.msg, reuploadVia(() => sessions.get(r.account)?.socket), r.entry);
    if (recovered.length > 0) logger.warn({ messages: recovered.length }, 'messages the previous run had not finished are taken again from the journal');
    journal.start();
    for (const s of sessions.values()) await s.connect();
    delivery.start();
  } catch (err) {
    delivery.stop();
    for (const s of sessions.values()) await s.stop().catch(() => {});
    await Promise.all([...adapters.values()].map((a) => a.stop(0)));
    await journal.close().catch(() => {});
    await pipeline.close();
    workerRedis.disconnect();
    throw err;
  }

  const sender = new NotificationSender({
    socketFor: (account) => sessions.get(account)?.socket,
    serves: (account) => sessions.has(account),
    redis: pipeline.client,
    prefix: c.QUEUE_PREFIX,
    perMinute: c.SEND_PER_MINUTE,
    typing: c.SEND_TYPING,
    logger,
    onSent: (n) => pipeline.engine.rememberNotice(n),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.sendRetry ? { retry: deps.sendRetry } : {}),
  });
  // Each number has its own line (SendLanes): LANE_DEPTH jobs per number, and one more, so a
  // number whose line is full (its pacing wait, its "typing…") never holds the slot another
  // number's notice needs. The 112 notice, then acknowledgements, come out of the queue first
  // (jobOrder) and go first in their line. A job that cannot go now (number not connected,
  // resting, line full) is put back in the queue, and a citizen's later notices wait behind it,
  // as behind one of theirs another slot has in hand (NoticeOrder). The worker runs jobs in the
  // order it takes them (inOrder), so of a citizen's notices the earlier is always seen first.
  const order = new NoticeOrder();
  const putBack = async (job: Job, n: Notification, jobId: string, waitMs: number, token: string | undefined): Promise<never> => {
    await job.moveToDelayed(order.putBack(n, jobId, waitMs), token);
    throw new DelayedError();
  };
  const worker = createConsumer({
    connection: workerRedis,
    prefix: c.QUEUE_PREFIX,
    queue: QueueNames.notify('whatsapp'),
    schema: Notification,
    concurrency: c.WA_NUMBERS.length * LANE_DEPTH + 1,
    inOrder: true,
    handler: async (n, job, token) => {
      const jobId = job.id ?? `${n.kind}-${n.createdAt}`;
      // Behind an earlier notice of the chat: back after the number's next send, and just after
      // the earlier one comes back when it was put back.
      const behind = order.take(n, jobId, job.timestamp);
      if (behind !== undefined) return putBack(job, n, jobId, Math.max(sender.nextSendIn(n.account), behind + 1 - Date.now()), token);
      try {
        await sender.send(n, jobId, job.timestamp);
        order.done(n, jobId);
      } catch (err) {
        // Only a failure that retrying cannot soon fix (the recipient refused, a bug) uses attempts.
        const waitMs = err instanceof SocketNotReadyError ? (deps.notReadyRetryMs ?? 15_000) : err instanceof SendDeferredError ? err.retryInMs : undefined;
        if (waitMs === undefined || Date.now() - job.timestamp > NOT_READY_GIVE_UP_MS) {
          order.done(n, jobId);
          throw err;
        }
        return putBack(job, n, jobId, waitMs, token);
      }
    },
    onError: (err, repeated) => logger.warn({ err: err.message, ...(repeated ? { repeated } : {}) }, 'notify.whatsapp worker error'),
  });

  const spoolGauge = setInterval(() => waMetrics().inboxSpooled.set(pipeline.inbox.spooled), 5_000);
  spoolGauge.unref();
  const app = buildHealthApp({
    sessions: () => [...sessions.values()].map((s) => ({ ...s.status })),
    redisOk: () => pingRedis(pipeline.client),
    openConversations: () => pipeline.engine.openConversations(),
    inboxSpooled: () => pipeline.inbox.spooled,
    // The journal is inside the inbox spool's directory (journalDir): its disk is the inbox's.
    dataDirs: { spool: c.SPOOL_DIR, inbox: c.INBOX_SPOOL_DIR, attachments: c.ATTACHMENT_DIR },
    logger,
    metricsToken: c.METRICS_TOKEN,
  });

  return {
    pipeline,
    sessions,
    adapters,
    worker,
    app,
    stop: async () => {
      clearInterval(spoolGauge);
      delivery.stop();
      for (const s of sessions.values()) await s.disconnect();
      // Notices waiting for their number's turn or slot go back to the queue now.
      sender.stop();
      // The messages in hand and the notification being sent, side by side, each for at most the
      // grace period. With Redis away a notification cannot finish: it stays active in Redis and
      // is sent once Redis is back (closeWorker); the messages are spooled or stay in the journal.
      const graceMs = deps.inFlightGraceMs ?? 3_000;
      const [closed] = await Promise.all([closeWorker(worker, { graceMs }), Promise.all([...adapters.values()].map((a) => a.stop(graceMs)))]);
      logWorkerClosed(logger, QueueNames.notify('whatsapp'), closed, graceMs);
      await app.close();
      await journal.close();
      await pipeline.close();
      // The numbers last: a successor that gets one finds the journal and spools free.
      for (const [account, s] of sessions) {
        if (!(await s.release())) logger.warn({ account, ttlMs: deps.lockTtlMs ?? NUMBER_LOCK_TTL_MS }, 'redis unreachable at shutdown: number lock left to expire');
      }
      workerRedis.disconnect();
    },
  };
}
