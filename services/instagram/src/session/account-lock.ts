import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { releaseLockWithin, renewLock } from '@aduan/queue';
import { AccountLockedError } from '../errors.ts';

/** How long the account's lock outlives its holder when not renewed (a crash, a release Redis did not get). */
export const ACCOUNT_LOCK_TTL_MS = 30_000;

/**
 * One process per Instagram account: two pollers on one account would double every reply
 * and look like a bot farm to Instagram. The lock has a TTL and is renewed; a crashed
 * holder frees it within `ttlMs`. One that expired while Redis was away is taken back if
 * nobody else took it; finding it held by another process (a failover, a long pause) calls `onLost`.
 */
export class AccountLock {
  readonly token = randomBytes(12).toString('hex');
  private timer: NodeJS.Timeout | undefined;
  private held = false;

  private readonly redis: Redis;
  private readonly key: string;
  private readonly account: string;
  private readonly ttlMs: number;

  constructor(redis: Redis, key: string, account: string, ttlMs = ACCOUNT_LOCK_TTL_MS) {
    this.redis = redis;
    this.key = key;
    this.account = account;
    this.ttlMs = ttlMs;
  }

  get isHeld(): boolean {
    return this.held;
  }

  async acquire(onLost: (err: Error) => void): Promise<void> {
    const ok = await this.redis.set(this.key, this.token, 'PX', this.ttlMs, 'NX');
    if (ok !== 'OK') throw new AccountLockedError(this.account);
    this.held = true;
    this.timer = setInterval(() => void this.renew(onLost), Math.floor(this.ttlMs / 3));
    this.timer.unref();
  }

  private async renew(onLost: (err: Error) => void): Promise<void> {
    try {
      const ours = await renewLock(this.redis, this.key, this.token, this.ttlMs);
      if (!ours && this.held) {
        this.held = false;
        clearInterval(this.timer);
        onLost(new AccountLockedError(this.account));
      }
    } catch {
      // Redis briefly unreachable: keep trying until the TTL says otherwise.
    }
  }

  /**
   * Gives the lock back: false when Redis was away (down, or back from a restart while this
   * connection still waits out its back-off), or did not answer within 1 s. The lock then
   * expires within its TTL, and until it has, a new start exits with ADUAN_ERR_IG_LOCKED.
   */
  async release(): Promise<boolean> {
    clearInterval(this.timer);
    if (!this.held) return true;
    this.held = false;
    return releaseLockWithin(this.redis, this.key, this.token);
  }
}
