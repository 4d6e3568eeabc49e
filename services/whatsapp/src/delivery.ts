import type { Logger } from '@aduan/telemetry';

export interface DeliveryOptions {
  /** How often each number's delivery is looked at and reported (default 1 s). */
  intervalMs?: number;
  /**
   * Taken off the time reported (default 3 s). WhatsApp's message times are whole seconds,
   * rounded down, on WhatsApp's clock: a message sent 0.9 s after we looked can carry a time
   * before it. The rest covers a message on the wire or being decrypted by Baileys when we looked,
   * and our clock running ahead of WhatsApp's.
   */
  marginMs?: number;
  /**
   * After the socket caught up, and after the last offline message ('append') it handed over,
   * nothing is reported for this long (default 2 s): Baileys says it caught up when WhatsApp's
   * "offline done" marker arrives, while its queue of offline messages may still be decrypting.
   */
  settleMs?: number;
}

/** What one number's delivery state is read from (its session and adapter). */
export interface DeliverySource {
  account: string;
  /** Since when the socket is open and caught up (our clock); undefined when not. */
  caughtUpSince(): number | undefined;
  /** The own time (ms) of the oldest message taken from the socket or the journal and not yet in the inbox; undefined: none. */
  oldestInHand(): number | undefined;
  /** When the socket last handed over offline messages; 0: never. */
  lastAppendAt(): number;
}

export interface DeliveryReporterOptions extends DeliveryOptions {
  sources: readonly DeliverySource[];
  /** Messages waiting in the inbox spool for Redis (shared by all numbers). */
  spooled: () => number;
  /** ConversationEngine.markDelivered. */
  markDelivered: (account: string, untilMs: number) => Promise<void>;
  logger: Logger;
  now?: () => number;
}

/**
 * Tells the conversation engine, per number, up to which message time everything WhatsApp sent
 * is in its hands (ConversationEngine.markDelivered), so a conversation closes by the quiet
 * period after its last message's own time, and only once delivery passed it: messages held
 * while the socket was down, a slow media download or a spool waiting for Redis no longer split
 * a burst into two complaints. A number is reported only when, at one instant (checked
 * synchronously): its socket is open and has caught up, and the inbox spool is empty. Then every
 * message Baileys emitted before that instant is in the conversation store or still in hand
 * (journaled but not in the inbox: mapping, a media download); the time reported is that instant
 * less `marginMs`, and at most just before the oldest message in hand (every older one is in the
 * store). Waiting for nothing at all in hand instead held every conversation of a number busy
 * with photos (a few a second in a flood, each download taking seconds) until
 * CONVERSATION_MAX_OPEN. While a number is disconnected or catching up nothing is reported, and
 * its conversations wait (at most CONVERSATION_MAX_OPEN after they opened).
 */
export class DeliveryReporter {
  private timer: NodeJS.Timeout | undefined;
  private readonly busy = new Set<string>();
  /** Numbers that have reported once since start. */
  private readonly reported = new Set<string>();
  private failing = false;
  private readonly opts: DeliveryReporterOptions;

  constructor(opts: DeliveryReporterOptions) {
    this.opts = opts;
  }

  /** The message time up to which `source` has delivered everything now, or undefined when it cannot say. */
  deliveredUntil(source: DeliverySource, now: number): number | undefined {
    const since = source.caughtUpSince();
    if (since === undefined || this.opts.spooled() > 0) return undefined;
    if (now - Math.max(since, source.lastAppendAt()) < (this.opts.settleMs ?? 2_000)) return undefined;
    const until = now - (this.opts.marginMs ?? 3_000);
    const oldest = source.oldestInHand();
    return oldest === undefined ? until : Math.min(until, oldest - 1);
  }

  /** Reports every number whose delivery is known now. */
  tick(): void {
    const now = (this.opts.now ?? Date.now)();
    for (const source of this.opts.sources) {
      const { account } = source;
      if (this.busy.has(account)) continue;
      // The first report goes out at once, even before anything can be said (0: nothing yet):
      // from then on the engine holds this number's conversations for delivery, also the ones
      // opened in the seconds before the socket caught up.
      const until = this.deliveredUntil(source, now) ?? (this.reported.has(account) ? undefined : 0);
      if (until === undefined) continue;
      this.busy.add(account);
      // Redis away: the next tick tries again (delivery only moves forward in the store).
      this.opts
        .markDelivered(account, until)
        .then(
          () => {
            this.reported.add(account);
            this.failing = false;
          },
          (err: Error) => {
            if (!this.failing) this.opts.logger.warn({ err: err.message }, 'WhatsApp delivery not reported; retrying');
            this.failing = true;
          },
        )
        .finally(() => this.busy.delete(account));
    }
  }

  start(): void {
    if (this.timer) return;
    this.tick();
    this.timer = setInterval(() => this.tick(), this.opts.intervalMs ?? 1_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
