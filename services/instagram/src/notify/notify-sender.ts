import type { Job } from 'bullmq';
import { IgNotFoundError, IgPrivateUserError } from 'instagram-private-api';
import type { Redis } from 'ioredis';
import { DelayedError, Queue, QueueNames, UnrecoverableError, Worker, closeWithin, closeWorker, createConsumer, type WorkerClosed } from '@aduan/queue';
import { Notification } from '@aduan/schema';
import type { Logger } from '@aduan/telemetry';
import { classifyIgError, withJitter } from '../client/classify-error.ts';
import type { IgClientLike } from '../client/ig-client-like.ts';
import { safeErrMessage } from '../client/safe-error.ts';
import type { IgMetrics } from '../metrics.ts';
import type { IgKeys } from '../session/keys.ts';
import { linksIn } from './links.ts';
import { messageParts } from './message-parts.ts';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface NotifySenderOptions {
  /** A connection created with role 'worker'. */
  connection: Redis;
  /** A fail-fast connection for the sent markers. */
  redis: Redis;
  prefix: string;
  client: IgClientLike;
  account: string;
  keys: IgKeys;
  logger: Logger;
  metrics: IgMetrics;
  /** Messages per minute for the whole queue (BullMQ's limiter is global across replicas). */
  maxPerMinute: number;
  /** False while the session awaits a code or is backing off: jobs wait instead of failing. */
  canSend: () => boolean;
  /**
   * Told of each message sent (the conversation engine's rememberNotice: small talk in reply to a
   * "selesai" notice gets no guide). Its failure is logged, never fails the job: it was sent.
   */
  onSent?: (n: Notification) => Promise<unknown> | unknown;
}

/**
 * Consumes notify.instagram (acknowledgements, guides, look-ups from the conversation
 * engine; 'routed'/'status' from the router) and sends each text into its thread, slowly:
 * a global rate limit, and a pause of the whole queue when Instagram says spam or rate limit.
 * A sent marker keeps a retried job from sending twice.
 */
export class NotifySender {
  readonly worker: Worker;
  private readonly queue: Queue;

  private readonly opts: NotifySenderOptions;

  constructor(opts: NotifySenderOptions) {
    this.opts = opts;
    const name = QueueNames.notify('instagram');
    this.queue = new Queue(name, { connection: opts.connection, prefix: opts.prefix });
    this.queue.on('error', () => {});
    // createConsumer's worker counts its jobs in flight: close() need not wait for an unreachable
    // Redis when it holds none.
    this.worker = createConsumer({
      connection: opts.connection,
      prefix: opts.prefix,
      queue: name,
      schema: Notification,
      concurrency: 1,
      // Spaced evenly (12 a minute: one every 5 s), not in bursts: Instagram flags a burst of sends.
      limiter: { max: 1, duration: Math.ceil(60_000 / opts.maxPerMinute) },
      handler: (n, job, token) => this.handle(n, job, token),
      onError: (err, repeated) => opts.logger.warn({ err: err.message, ...(repeated ? { repeated } : {}) }, 'notify.instagram worker error'),
    });
  }

  private async pause(ms: number): Promise<never> {
    await this.queue.rateLimit(ms);
    throw Worker.RateLimitError();
  }

  private async handle(n: Notification, job: Job, token?: string): Promise<void> {
    const { logger, metrics, keys, redis } = this.opts;
    if (n.channel !== 'instagram') throw new UnrecoverableError(`job ${job.id} is for channel ${n.channel}`);
    if (n.account !== this.opts.account) {
      // Another account's message: put it back for the process that serves that account.
      await job.moveToDelayed(Date.now() + withJitter(5_000, 0.5), token);
      throw new DelayedError();
    }
    if (!this.opts.canSend()) return this.pause(60_000);
    const marker = keys.sent(String(job.id));
    if (await redis.exists(marker)) {
      metrics.sent.inc({ outcome: 'duplicate' });
      return;
    }
    // Over Instagram's 1,000 characters (an OPD's long note, a "cek" answer about three complaints):
    // several messages, spaced as the limiter spaces jobs. A part sent is marked, so a retry after a
    // failure part-way sends only the rest.
    // Sent: a failed marker write must not fail the job, whose retry would send it a second time.
    const markSent = (key: string) => redis.set(key, '1', 'EX', 7 * 86_400).catch((err: Error) => logger.warn({ jobId: job.id, err: err.message }, 'instagram sent marker not written'));
    const parts = messageParts(n.text);
    for (const [i, part] of parts.entries()) {
      const partMarker = parts.length > 1 ? keys.sent(`${String(job.id)}.${i + 1}`) : undefined;
      if (partMarker && (await redis.exists(partMarker))) continue;
      if (i > 0) {
        await sleep(Math.ceil(60_000 / this.opts.maxPerMinute));
        if (!this.opts.canSend()) return this.pause(60_000);
      }
      await this.sendPart(n, part, job);
      if (partMarker) await markSent(partMarker);
    }
    await markSent(marker);
    metrics.sent.inc({ outcome: 'sent' });
    logger.info({ jobId: job.id, kind: n.kind, ticket: n.ticket, ...(parts.length > 1 ? { parts: parts.length } : {}) }, 'instagram message sent');
    try {
      await this.opts.onSent?.(n);
    } catch (err) {
      logger.warn({ jobId: job.id, err: (err as Error).message }, 'instagram sent notice not remembered');
    }
  }

  /** One message into the thread; a failure decides the job's fate by its class. */
  private async sendPart(n: Notification, text: string, job: Job): Promise<void> {
    const { logger, metrics } = this.opts;
    try {
      const thread = this.opts.client.entity.directThread(n.to);
      const links = linksIn(text);
      // Left to the library, "Jl.Merdeka" in an OPD's note would make a link item pointing to "Jl.Me".
      await (links.length ? thread.broadcastLink(text, links) : thread.broadcastText(text, true));
    } catch (err) {
      const failure = classifyIgError(err, job.attemptsMade + 1);
      metrics.sent.inc({ outcome: `failed_${failure.reason}` });
      logger.warn({ jobId: job.id, kind: n.kind, reason: failure.reason, errName: (err as Error).name }, 'instagram send failed');
      // Instagram refusing every send for a while (spam, rate limit, a challenge), the network
      // down, or the session gone: every job would fail alike. The queue waits, and this job keeps
      // its attempts (a reply must not be dropped because the outage outlasted a few back-offs).
      if (failure.reason === 'spam' || failure.reason === 'rate_limited' || failure.reason === 'network' || failure.action === 'challenge' || failure.action === 'relogin') return this.pause(failure.delayMs);
      // The thread is gone or closed to us: retrying cannot help.
      if (err instanceof IgNotFoundError || err instanceof IgPrivateUserError) throw new UnrecoverableError(`instagram refused the thread: ${(err as Error).name}`);
      throw new Error(`instagram send failed: ${safeErrMessage(err)}`, { cause: err });
    }
  }

  /**
   * Stops taking jobs and lets the one in flight finish, for at most `graceMs`. With Redis away
   * it does not wait for Redis unless a job is in flight; a job left so stays active in Redis
   * and is sent once Redis is back (closeWorker). Default 3 s; main.ts: half of SHUTDOWN_TIMEOUT.
   */
  async close(graceMs = 3_000): Promise<WorkerClosed> {
    const closed = await closeWorker(this.worker, { graceMs });
    // The queue handle only sends rate limits; it holds nothing to wait for.
    await closeWithin(this.queue, 1_000);
    return closed;
  }
}
