import type { Redis } from 'ioredis';
import type { Notification } from '@aduan/schema';
import type { Logger } from '@aduan/telemetry';
import { waMetrics } from './metrics.ts';
import { classifySendError } from './send-error.ts';
import type { WaSocketLike } from './socket.ts';

/** The number is not connected (pairing, reconnecting) or not served here: the job waits (service.ts) and is tried again. */
export class SocketNotReadyError extends Error {
  readonly code = 'ADUAN_ERR_WA_NOT_READY';
  readonly reason: 'not-connected' | 'not-our-number';
  constructor(reason: 'not-connected' | 'not-our-number') {
    super(`cannot send now: ${reason}`);
    this.reason = reason;
    this.name = 'SocketNotReadyError';
  }
}

/**
 * WhatsApp did not take a send for a reason that affects every send on the number for a while
 * (rate limit, timeout, connection closed before the socket said so): the job waits `retryInMs`
 * (service.ts) without using an attempt, and the number rests meanwhile.
 */
export class SendDeferredError extends Error {
  readonly code = 'ADUAN_ERR_WA_SEND_DEFERRED';
  readonly reason: 'rate-limited' | 'timeout' | 'connection' | 'resting';
  readonly retryInMs: number;
  constructor(reason: SendDeferredError['reason'], retryInMs: number, cause?: unknown) {
    super(`cannot send now: ${reason}; trying again in ${retryInMs} ms`, { cause });
    this.reason = reason;
    this.retryInMs = retryInMs;
    this.name = 'SendDeferredError';
  }
}

/** How long a number rests after a send WhatsApp did not take, doubling while it goes on. */
export interface SendRetry {
  /** After a timeout or a closed connection (default 15 s). */
  transientMs?: number;
  /** After a rate limit (default 60 s). */
  rateLimitedMs?: number;
  /** The longest rest (default 5 minutes). */
  maxMs?: number;
}

export interface SenderOptions {
  /** The connected socket of one of our numbers, or undefined. */
  socketFor: (account: string) => WaSocketLike | undefined;
  /** Whether this process serves that number at all. */
  serves: (account: string) => boolean;
  redis: Redis;
  prefix: string;
  perMinute: number;
  typing: boolean;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
  clock?: () => number;
  retry?: SendRetry;
  /**
   * Told of each message sent (the conversation engine's rememberNotice: small talk in reply to a
   * notice, "terima kasih" after "selesai", gets no guide). A failure here is logged, never fails
   * the send, whose retry would send it a second time.
   */
  onSent?: (n: Notification) => Promise<unknown> | unknown;
}

const SENT_TTL_SECONDS = 7 * 86_400;

/** How long "typing…" shows: a person types a short reply in a second or two, a long one in a few. */
export function typingMs(text: string): number {
  return Math.min(4_000, 800 + text.length * 25);
}

/**
 * Sends notifications like a careful human operator: at most `perMinute` messages per number,
 * evenly spaced, with a typing indicator first. A send WhatsApp did not take for now (rate
 * limit, timeout, closed connection) throws SendDeferredError and the number rests: its jobs
 * wait, in order, without using attempts. Any other failed send throws as it is, so BullMQ
 * retries it with exponential back-off. A job that was already sent (marker in Redis) is not
 * sent again.
 */
export class NotificationSender {
  private readonly nextSlot = new Map<string, number>();
  /** Numbers resting after a deferred send: until when, and how many deferred sends in a row. */
  private readonly resting = new Map<string, { until: number; failures: number }>();
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly clock: () => number;

  private readonly opts: SenderOptions;

  constructor(opts: SenderOptions) {
    this.opts = opts;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.clock = opts.clock ?? Date.now;
  }

  /** Reserves the next free send slot for the number and waits for it. */
  private async paced(account: string): Promise<void> {
    const gap = Math.ceil(60_000 / this.opts.perMinute);
    const now = this.clock();
    const slot = Math.max(now, this.nextSlot.get(account) ?? 0);
    this.nextSlot.set(account, slot + gap);
    if (slot > now) await this.sleep(slot - now);
  }

  /** Puts the number to rest after a deferred send; returns how long. */
  private rest(account: string, reason: 'rate-limited' | 'timeout' | 'connection'): number {
    const r = this.opts.retry ?? {};
    const failures = (this.resting.get(account)?.failures ?? 0) + 1;
    const base = reason === 'rate-limited' ? (r.rateLimitedMs ?? 60_000) : (r.transientMs ?? 15_000);
    const ms = Math.min(r.maxMs ?? 300_000, base * 2 ** Math.min(failures - 1, 20));
    this.resting.set(account, { until: this.clock() + ms, failures });
    return ms;
  }

  async send(n: Notification, jobId: string): Promise<'sent' | 'already-sent'> {
    const m = waMetrics();
    const marker = `${this.opts.prefix}:wa:sent:${jobId}`;
    if (await this.opts.redis.exists(marker)) {
      m.sends.inc({ kind: n.kind, outcome: 'already-sent' });
      return 'already-sent';
    }
    if (!this.opts.serves(n.account)) throw new SocketNotReadyError('not-our-number');
    const sock = this.opts.socketFor(n.account);
    if (!sock) {
      m.sends.inc({ kind: n.kind, outcome: 'not-ready' });
      throw new SocketNotReadyError('not-connected');
    }
    const rest = this.resting.get(n.account);
    if (rest && rest.until > this.clock()) {
      m.sends.inc({ kind: n.kind, outcome: 'deferred' });
      throw new SendDeferredError('resting', rest.until - this.clock());
    }
    await this.paced(n.account);
    try {
      if (this.opts.typing) {
        await sock.sendPresenceUpdate('composing', n.to).catch(() => {});
        await this.sleep(typingMs(n.text));
        await sock.sendPresenceUpdate('paused', n.to).catch(() => {});
      }
      await sock.sendMessage(n.to, { text: n.text });
    } catch (err) {
      const failure = classifySendError(err);
      if (failure.action === 'wait') {
        const ms = this.rest(n.account, failure.reason);
        m.sends.inc({ kind: n.kind, outcome: 'deferred' });
        this.opts.logger.warn({ kind: n.kind, reason: failure.reason, retryInMs: ms, err: (err as Error).message }, 'WhatsApp did not take the send for now; the number rests and the notification waits');
        throw new SendDeferredError(failure.reason, ms, err);
      }
      m.sends.inc({ kind: n.kind, outcome: 'failed' });
      this.opts.logger.warn({ kind: n.kind, reason: failure.reason, err: (err as Error).message }, 'WhatsApp send failed; will retry');
      throw err;
    }
    this.resting.delete(n.account);
    await this.opts.redis.set(marker, '1', 'EX', SENT_TTL_SECONDS).catch(() => {});
    m.sends.inc({ kind: n.kind, outcome: 'sent' });
    try {
      await this.opts.onSent?.(n);
    } catch (err) {
      this.opts.logger.warn({ kind: n.kind, err: (err as Error).message }, 'WhatsApp sent notice not remembered');
    }
    return 'sent';
  }
}
