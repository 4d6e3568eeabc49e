import type { Job } from 'bullmq';
import { IgNotFoundError, IgPrivateUserError } from 'instagram-private-api';
import type { Redis } from 'ioredis';
import { DelayedError, Queue, QueueNames, UnrecoverableError, Worker, closeWithin, closeWorker, createConsumer, type WorkerClosed } from '@aduan/queue';
import { Notification } from '@aduan/schema';
import type { Logger } from '@aduan/telemetry';
import { classifyIgError, withJitter, type BackoffPolicy } from '../client/classify-error.ts';
import type { IgClientLike } from '../client/ig-client-like.ts';
import { safeErrMessage } from '../client/safe-error.ts';
import { InstagramTimeoutError } from '../errors.ts';
import type { IgMetrics } from '../metrics.ts';
import type { IgKeys } from '../session/keys.ts';
import { linksIn } from './links.ts';
import { messageParts } from './message-parts.ts';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A send's deadline unless told otherwise (main.ts: twice INSTAGRAM_REQUEST_TIMEOUT). */
export const DEFAULT_SEND_TIMEOUT_MS = 60_000;

/**
 * How long Instagram's answers may hold a message back without using up its attempts: a week,
 * as WhatsApp's sender waits for its number. Past that, each failure spends one, and the job ends
 * in the failed set for an operator.
 */
const HOLD_GIVE_UP_MS = 7 * 86_400_000;

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
  /**
   * One send not answered by then is given up and tried again later (the sender sends one at a
   * time: a send that hangs held every reply). Should it go through after all, it is marked sent,
   * so the retry does not send it twice. Default DEFAULT_SEND_TIMEOUT_MS.
   */
  sendTimeoutMs?: number;
  /** The waits' base and cap (classifyIgError's default: 30 s, 6 h). */
  backoff?: BackoffPolicy;
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
  /** Sends failed in a row, for the whole account: each pause is longer, until one goes through. */
  private failedInARow = 0;

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
    const markSent = (key: string) => this.markSent(key, job);
    const parts = messageParts(n.text);
    for (const [i, part] of parts.entries()) {
      const partMarker = parts.length > 1 ? keys.sent(`${String(job.id)}.${i + 1}`) : undefined;
      if (partMarker && (await redis.exists(partMarker))) continue;
      if (i > 0) {
        await sleep(Math.ceil(60_000 / this.opts.maxPerMinute));
        if (!this.opts.canSend()) return this.pause(60_000);
      }
      await this.sendPart(n, part, job, token, partMarker ?? marker);
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

  /** Sent: a failed marker write must not fail the job, whose retry would send it a second time. */
  private async markSent(key: string, job: Job): Promise<void> {
    await this.opts.redis.set(key, '1', 'EX', 7 * 86_400).catch((err: Error) => this.opts.logger.warn({ jobId: job.id, err: err.message }, 'instagram sent marker not written'));
  }

  /**
   * One message into the thread, within its deadline; `marker`: what marks it sent, should it
   * go through after the deadline. A failure decides the job's fate by its class (failed).
   */
  private async sendPart(n: Notification, text: string, job: Job, token: string | undefined, marker: string): Promise<void> {
    const ms = this.opts.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
    const send = (async () => {
      const thread = this.opts.client.entity.directThread(n.to);
      const links = linksIn(text);
      // Left to the library, "Jl.Merdeka" in an OPD's note would make a link item pointing to "Jl.Me".
      await (links.length ? thread.broadcastLink(text, links) : thread.broadcastText(text, true));
    })();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new InstagramTimeoutError('send', ms)), ms);
    });
    try {
      await Promise.race([send, deadline]);
      this.failedInARow = 0;
    } catch (err) {
      // Given up, it may go through yet: then it is marked, and the retry does not send it again.
      if (err instanceof InstagramTimeoutError) send.then(() => this.markSent(marker, job), () => {});
      await this.failed(err, n, job, token);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A send failed. The thread gone or closed to us fails the job at once. Anything else is held
   * without using up the job's attempts (a reply must not be dropped because an outage outlasted
   * a few back-offs: 8 attempts were spent in about two minutes of "Please wait a few minutes"),
   * for a week at most.
   */
  private async failed(err: unknown, n: Notification, job: Job, token: string | undefined): Promise<never> {
    const { logger, metrics } = this.opts;
    const failure = classifyIgError(err, ++this.failedInARow, this.opts.backoff);
    metrics.sent.inc({ outcome: `failed_${failure.reason}` });
    logger.warn({ jobId: job.id, kind: n.kind, reason: failure.reason, errName: (err as Error).name }, 'instagram send failed');
    if (err instanceof IgNotFoundError || err instanceof IgPrivateUserError) throw new UnrecoverableError(`instagram refused the thread: ${(err as Error).name}`);
    if (Date.now() - job.timestamp > HOLD_GIVE_UP_MS) throw new Error(`instagram send failed: ${safeErrMessage(err)}`, { cause: err });
    if (failure.reason === 'unknown') {
      // Perhaps about this message alone: it waits, longer each time it comes back; the others
      // go on after a short pause (in case it is about the account after all).
      const held = Math.max(1, job.attemptsStarted - job.attemptsMade);
      await this.queue.rateLimit(failure.delayMs);
      await job.moveToDelayed(Date.now() + withJitter(classifyIgError(err, held, this.opts.backoff).delayMs, 0.2), token);
      throw new DelayedError();
    }
    // About the account or the way to it (throttled, flagged, blocked, challenged, the session
    // gone; Instagram, the network or a send past its deadline): every send would fail alike.
    // The queue waits.
    return this.pause(failure.delayMs);
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
