import type { Redis } from 'ioredis';
import type { Notification } from '@aduan/schema';
import type { Logger } from '@aduan/telemetry';
import { waMetrics } from './metrics.ts';
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
}

const SENT_TTL_SECONDS = 7 * 86_400;

/** How long "typing…" shows: a person types a short reply in a second or two, a long one in a few. */
export function typingMs(text: string): number {
  return Math.min(4_000, 800 + text.length * 25);
}

/**
 * Sends notifications like a careful human operator: at most `perMinute` messages per number,
 * evenly spaced, with a typing indicator first. A send that fails throws, so BullMQ retries
 * it with exponential back-off; a job that was already sent (marker in Redis) is not sent again.
 */
export class NotificationSender {
  private readonly nextSlot = new Map<string, number>();
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
    await this.paced(n.account);
    try {
      if (this.opts.typing) {
        await sock.sendPresenceUpdate('composing', n.to).catch(() => {});
        await this.sleep(typingMs(n.text));
        await sock.sendPresenceUpdate('paused', n.to).catch(() => {});
      }
      await sock.sendMessage(n.to, { text: n.text });
    } catch (err) {
      m.sends.inc({ kind: n.kind, outcome: 'failed' });
      this.opts.logger.warn({ kind: n.kind, err: (err as Error).message }, 'WhatsApp send failed; will retry');
      throw err;
    }
    await this.opts.redis.set(marker, '1', 'EX', SENT_TTL_SECONDS).catch(() => {});
    m.sends.inc({ kind: n.kind, outcome: 'sent' });
    return 'sent';
  }
}
