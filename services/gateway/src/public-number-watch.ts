import type { Redis } from 'ioredis';
import { whatsappNumberKey } from '@aduan/queue';
import type { Logger } from '@aduan/telemetry';

/** How long after its start the gateway waits before saying the number is not served: the WhatsApp service may start after it. */
export const PUBLIC_NUMBER_GRACE_MS = 2 * 60_000;
const CHECK_EVERY_MS = 60_000;
/** While the number stays unserved, the warning comes again this often, not at every check. */
const WARN_EVERY_MS = 3_600_000;

/** Whether a running WhatsApp service serves `account`: its number lock is in Redis (whatsappNumberKey). */
export async function whatsappNumberServed(redis: Redis, prefix: string, account: string): Promise<boolean> {
  return (await redis.exists(whatsappNumberKey(prefix, account))) === 1;
}

export interface PublicNumberWatchOptions {
  redis: Redis;
  prefix: string;
  /** WHATSAPP_PUBLIC_NUMBER, E.164. */
  account: string;
  logger: Logger;
}

/**
 * Says in the log when WHATSAPP_PUBLIC_NUMBER is served by no running WhatsApp service (not one
 * of any service's WA_NUMBERS, or that service is down): citizens told to write "cek <ticket>"
 * to it get no answer, and the OPD digests sent from it wait a week and fail. A warning when
 * found so (again every hour while it lasts), a note once it is served again. The web intake
 * works without WhatsApp, so /readyz is not changed by it; /metrics has the gauge to alert on
 * (aduan_gateway_whatsapp_number_served).
 */
export class PublicNumberWatch {
  private readonly o: PublicNumberWatchOptions;
  /** When the warning was last logged; undefined while the number is served (or not checked yet). */
  private warnedAt: number | undefined;

  constructor(opts: PublicNumberWatchOptions) {
    this.o = opts;
  }

  /** Checks once: whether the number is served, or undefined when Redis did not answer (its own alerts say so). */
  async check(nowMs = Date.now()): Promise<boolean | undefined> {
    const { o } = this;
    let served: boolean;
    try {
      served = await whatsappNumberServed(o.redis, o.prefix, o.account);
    } catch (err) {
      o.logger.debug({ err: (err as Error).message }, 'WHATSAPP_PUBLIC_NUMBER not checked: Redis unreachable');
      return undefined;
    }
    if (!served && (this.warnedAt === undefined || nowMs - this.warnedAt >= WARN_EVERY_MS)) {
      o.logger.warn({ account: o.account }, 'WHATSAPP_PUBLIC_NUMBER is served by no running WhatsApp service: citizens told to write to it get no answer and OPD digests from it are not sent; add it to a WhatsApp service\'s WA_NUMBERS, or correct it');
      this.warnedAt = nowMs;
    } else if (served && this.warnedAt !== undefined) {
      o.logger.info({ account: o.account }, 'WHATSAPP_PUBLIC_NUMBER is served by a WhatsApp service again');
      this.warnedAt = undefined;
    }
    return served;
  }

  /** Checks after `graceMs`, then every minute, until stopped. */
  start(graceMs = PUBLIC_NUMBER_GRACE_MS): { stop: () => Promise<void> } {
    let running: Promise<unknown> = Promise.resolve();
    let timer: NodeJS.Timeout = setTimeout(() => {
      running = this.check();
      timer = setInterval(() => (running = this.check()), CHECK_EVERY_MS);
      timer.unref();
    }, graceMs);
    timer.unref();
    return {
      stop: async () => {
        // The grace's timeout or the checks' interval: Node clears either.
        clearTimeout(timer);
        await running;
      },
    };
  }
}
