import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Another process already runs this number. */
export class NumberLockedError extends Error {
  readonly code = 'ADUAN_ERR_WA_LOCKED';
  constructor(account: string) {
    super(`WhatsApp number ${account} is already running in another process (Redis lock held); stop that one first`);
    this.name = 'NumberLockedError';
  }
}

// Renew; or take the lock back if it expired meanwhile (a Redis outage longer than the TTL)
// and nobody else took it. 0 only when another process holds it.
const RENEW = `
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 2 end
return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * One process per number: two sockets on one session make WhatsApp close both with
 * "connection replaced" again and again. The lock expires on its own if the holder dies;
 * if renewing finds it taken by another process, `onLost` stops the socket.
 */
export class NumberLock {
  private readonly token = randomBytes(12).toString('hex');
  private timer: NodeJS.Timeout | undefined;
  readonly key: string;
  private readonly redis: Redis;
  private readonly account: string;
  private readonly opts: { ttlMs?: number; onLost?: () => void };

  constructor(redis: Redis, prefix: string, account: string, opts: { ttlMs?: number; onLost?: () => void } = {}) {
    this.redis = redis;
    this.account = account;
    this.opts = opts;
    this.key = `${prefix}:wa:lock:${account}`;
  }

  async acquire(): Promise<void> {
    const ttl = this.opts.ttlMs ?? 30_000;
    const ok = await this.redis.set(this.key, this.token, 'PX', ttl, 'NX');
    if (ok !== 'OK') throw new NumberLockedError(this.account);
    this.timer = setInterval(() => {
      this.redis
        .eval(RENEW, 1, this.key, this.token, ttl)
        .then((r) => {
          if (r === 0) {
            clearInterval(this.timer);
            this.opts.onLost?.();
          }
        })
        // Redis unreachable: keep trying; the TTL decides whether another process may take over.
        .catch(() => {});
    }, Math.floor(ttl / 3));
    this.timer.unref();
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    await this.redis.eval(RELEASE, 1, this.key, this.token).catch(() => 0);
  }
}
