import type { Redis } from 'ioredis';
import type { Notification } from '@aduan/schema';
import type { Logger } from '@aduan/telemetry';
import { waMetrics } from './metrics.ts';
import { classifySendError } from './send-error.ts';
import { LaneFullError, SendLanes, URGENT_TIER, notifyTier } from './send-lane.ts';
import type { WaSocketLike } from './socket.ts';

/** The number is not connected (pairing, reconnecting) or not served here: the job waits (service.ts) and is tried again. */
/** A staff digest (the OPD inbox's count) still worth sending: a morning's, until the afternoon. */
export const STAFF_NOTICE_MAX_AGE_MS = 6 * 3_600_000;

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
 * (service.ts) without using an attempt, and the number rests meanwhile. Also thrown, with reason
 * `busy`, for a job whose number has its next notices in hand already (SendLanes): it waits in
 * the queue about until the number has sent them.
 */
export class SendDeferredError extends Error {
  readonly code = 'ADUAN_ERR_WA_SEND_DEFERRED';
  readonly reason: 'rate-limited' | 'timeout' | 'connection' | 'resting' | 'busy';
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

/**
 * Answers to `cek` (lookups) one chat gets at most in REPLY_WINDOW_MS; more are not sent. A
 * citizen repeating "cek ADU-…" needs one answer, and each answer takes a send slot of the number
 * from everyone else. Guides are not capped: the engine sends them once a conversation at most,
 * and the 112 notice is one of them.
 */
export const REPLY_CAP = 5;
export const REPLY_WINDOW_MS = 10 * 60_000;

/** How long "typing…" shows: a person types a short reply in a second or two, a long one in a few. */
export function typingMs(text: string): number {
  return Math.min(4_000, 800 + text.length * 25);
}

/**
 * Sends notifications like a careful human operator: at most `perMinute` messages per number,
 * evenly spaced, with a typing indicator first (shown while the send waits for its slot, so
 * typing does not slow the number below `perMinute`). Each number has its own line (SendLanes):
 * one send at a time, an urgent notice (the 112 notice) first, then the acknowledgement; numbers
 * never wait for each other. A send WhatsApp did not take for now (rate limit, timeout, closed
 * connection) throws SendDeferredError and the number rests: its jobs wait, in order, without
 * using attempts. Any other failed send throws as it is, so BullMQ retries it with exponential
 * back-off. A job that was already sent (marker in Redis) is not sent again.
 */
export class NotificationSender {
  private readonly nextSlot = new Map<string, number>();
  /** Numbers resting after a deferred send: until when, and how many deferred sends in a row. */
  private readonly resting = new Map<string, { until: number; failures: number }>();
  private readonly lanes = new SendLanes();
  /** Per number and tier: when the last job turned away by a full line was told to come back. */
  private readonly busyUntil = new Map<string, number>();
  /** Per chat: the lookups let through in the last REPLY_WINDOW_MS, by jobId (a retry is the same answer). */
  private readonly replies = new Map<string, Map<string, number>>();
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly clock: () => number;
  private stopping = false;
  private wake: () => void = () => {};
  private readonly stopped = new Promise<void>((resolve) => (this.wake = resolve));

  private readonly opts: SenderOptions;

  constructor(opts: SenderOptions) {
    this.opts = opts;
    // A wait cut short by stop() must not keep the process up until its timer fires.
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms).unref()));
    this.clock = opts.clock ?? Date.now;
  }

  private get gap(): number {
    return Math.ceil(60_000 / this.opts.perMinute);
  }

  /**
   * Shutdown: the sends waiting for their turn or their slot go back to the queue at once
   * (SocketNotReadyError) instead of holding the worker's close for seconds; one already past
   * its wait finishes.
   */
  stop(): void {
    this.stopping = true;
    this.wake();
    this.lanes.refuseWaiting(() => new SocketNotReadyError('not-connected'));
  }

  /** Waits `ms`, or less when the sender stops, which throws. */
  private async pause(ms: number): Promise<void> {
    if (ms > 0 && !this.stopping) await Promise.race([this.sleep(ms), this.stopped]);
    if (this.stopping) throw new SocketNotReadyError('not-connected');
  }

  /**
   * Reserves the number's next free send slot, at least `leadMs` from now, and waits until
   * `leadMs` before it: the caller types for that long and sends at the slot.
   */
  private async paced(account: string, leadMs: number): Promise<void> {
    const now = this.clock();
    const slot = Math.max(now + leadMs, this.nextSlot.get(account) ?? 0);
    this.nextSlot.set(account, slot + this.gap);
    await this.pause(slot - leadMs - now);
  }

  /** The socket to send on now, or why not: not connected, or resting after a deferred send. */
  private ready(n: Notification): WaSocketLike {
    const m = waMetrics();
    const sock = this.opts.socketFor(n.account);
    if (!sock || this.stopping) {
      m.sends.inc({ kind: n.kind, outcome: 'not-ready' });
      throw new SocketNotReadyError('not-connected');
    }
    const rest = this.resting.get(n.account);
    if (rest && rest.until > this.clock()) {
      m.sends.inc({ kind: n.kind, outcome: 'deferred' });
      throw new SendDeferredError('resting', rest.until - this.clock());
    }
    return sock;
  }

  /**
   * A job turned away by its number's full line comes back once the line may have room for it:
   * after the number's next slot, and one send interval after the last one of its tier or a better
   * one turned away before. So a backlog comes back one at a time, at the pace it can be sent (not
   * all at once, to be turned away again), and behind the acknowledgements turned away before it.
   */
  private busy(n: Notification, tier: number): SendDeferredError {
    waMetrics().sends.inc({ kind: n.kind, outcome: 'busy' });
    const now = this.clock();
    let last = 0;
    for (let t = URGENT_TIER; t <= tier; t++) last = Math.max(last, this.busyUntil.get(`${n.account} ${t}`) ?? 0);
    const at = Math.max(now + this.gap, this.nextSlot.get(n.account) ?? 0, last + this.gap);
    this.busyUntil.set(`${n.account} ${tier}`, at);
    return new SendDeferredError('busy', at - now);
  }

  /**
   * How long until the number has sent its next notice (one send interval at least): how long a
   * notice held behind an earlier one of its chat that is in hand waits (NoticeOrder).
   */
  nextSendIn(account: string): number {
    return Math.max(this.gap, (this.nextSlot.get(account) ?? 0) - this.clock());
  }

  /** Whether this lookup is one too many for its chat (REPLY_CAP); counts it when it is not. */
  private overCap(n: Notification, jobId: string): boolean {
    if (n.kind !== 'lookup') return false;
    const now = this.clock();
    const chat = `${n.account} ${n.to}`;
    const sent = this.replies.get(chat) ?? new Map<string, number>();
    for (const [id, at] of sent) if (now - at > REPLY_WINDOW_MS) sent.delete(id);
    if (!sent.has(jobId) && sent.size >= REPLY_CAP) return true;
    sent.set(jobId, sent.get(jobId) ?? now);
    this.replies.set(chat, sent);
    // Chats heard from once: forgotten once their window is over.
    if (this.replies.size > 10_000) {
      for (const [key, ids] of this.replies) if ([...ids.values()].every((at) => now - at > REPLY_WINDOW_MS)) this.replies.delete(key);
    }
    return false;
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

  /**
   * Sends `n` in its number's line (see SendLanes): `queuedAt` (the job's timestamp) places it
   * among notices of its tier. 'capped': a lookup over REPLY_CAP, not sent. 'expired': a staff
   * digest older than STAFF_NOTICE_MAX_AGE_MS (a WhatsApp outage), not sent: its count is stale,
   * and the next digest says how things stand.
   */
  async send(n: Notification, jobId: string, queuedAt = this.clock()): Promise<'sent' | 'already-sent' | 'capped' | 'expired'> {
    const m = waMetrics();
    const marker = `${this.opts.prefix}:wa:sent:${jobId}`;
    if (await this.opts.redis.exists(marker)) {
      m.sends.inc({ kind: n.kind, outcome: 'already-sent' });
      return 'already-sent';
    }
    if (!this.opts.serves(n.account)) throw new SocketNotReadyError('not-our-number');
    this.ready(n);
    if (n.kind === 'staff' && this.clock() - Date.parse(n.createdAt) > STAFF_NOTICE_MAX_AGE_MS) {
      m.sends.inc({ kind: n.kind, outcome: 'expired' });
      this.opts.logger.info({ kind: n.kind, createdAt: n.createdAt }, 'staff digest not sent: too old to be true any more');
      return 'expired';
    }
    if (this.overCap(n, jobId)) {
      m.sends.inc({ kind: n.kind, outcome: 'capped' });
      this.opts.logger.info({ kind: n.kind, cap: REPLY_CAP, windowMs: REPLY_WINDOW_MS }, 'answer not sent: the chat had its share of answers');
      return 'capped';
    }
    const tier = notifyTier(n);
    let endTurn: () => void;
    try {
      endTurn = await this.lanes.enter(n.account, { tier, queuedAt });
    } catch (err) {
      throw err instanceof LaneFullError ? this.busy(n, tier) : err;
    }
    try {
      await this.sendInTurn(n);
    } finally {
      endTurn();
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

  /** Holding the number's turn: waits for its slot while "typing…", then sends. */
  private async sendInTurn(n: Notification): Promise<void> {
    const m = waMetrics();
    // Things may have changed while it waited in line.
    this.ready(n);
    const leadMs = this.opts.typing ? typingMs(n.text) : 0;
    await this.paced(n.account, leadMs);
    let sock = this.ready(n);
    if (leadMs > 0) {
      await sock.sendPresenceUpdate('composing', n.to).catch(() => {});
      await this.pause(leadMs);
      sock = this.ready(n);
      await sock.sendPresenceUpdate('paused', n.to).catch(() => {});
    }
    try {
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
  }
}
