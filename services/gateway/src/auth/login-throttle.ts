import type { Redis } from 'ioredis';

/**
 * Failed logins per (username, client address): after a few failures each answer is delayed
 * (doubling, capped), and past `maxFailures` within the window the pair is refused outright.
 * Keyed by the pair so nobody can lock an operator out mid-broadcast from elsewhere.
 */
export class LoginThrottle {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly opts: { maxFailures: number; windowMs: number; freeFailures?: number; maxDelayMs?: number };

  constructor(redis: Redis, prefix: string, opts: { maxFailures: number; windowMs: number; freeFailures?: number; maxDelayMs?: number }) {
    this.redis = redis;
    this.prefix = prefix;
    this.opts = opts;
  }

  private key(username: string, ip: string) {
    return `${this.prefix}:login-fail:${username}|${ip}`;
  }

  /** Seconds until the pair may try again, or 0 when it may try now. */
  async blockedFor(username: string, ip: string): Promise<number> {
    const key = this.key(username, ip);
    const failures = Number((await this.redis.get(key)) ?? 0);
    if (failures < this.opts.maxFailures) return 0;
    return Math.max(1, Math.ceil((await this.redis.pttl(key)) / 1000));
  }

  /** Counts a failure; returns the count and how long to hold the answer back. */
  async fail(username: string, ip: string): Promise<{ failures: number; delayMs: number }> {
    const key = this.key(username, ip);
    const failures = await this.redis.incr(key);
    // The window starts at the first failure; later failures do not extend it.
    if (failures === 1) await this.redis.pexpire(key, this.opts.windowMs);
    const free = this.opts.freeFailures ?? 2;
    const delayMs = failures <= free ? 0 : Math.min(250 * 2 ** (failures - free - 1), this.opts.maxDelayMs ?? 4_000);
    return { failures, delayMs };
  }

  async succeed(username: string, ip: string): Promise<void> {
    await this.redis.del(this.key(username, ip));
  }
}
