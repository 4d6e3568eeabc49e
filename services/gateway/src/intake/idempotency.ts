import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ComplaintAccepted } from './complaint-request.ts';

const TTL_SECONDS = 24 * 3600;

export interface IdempotencyRecord {
  bodyHash: string;
  answer: ComplaintAccepted;
}

export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 40);

/**
 * Remembers the answer given for each Idempotency-Key for 24 h, in Redis (shared by replicas)
 * and in a small in-process map (which still answers a retry while Redis is down).
 */
export class IdempotencyStore {
  private readonly local = new Map<string, IdempotencyRecord>();

  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly localMax: number;

  constructor(redis: Redis, prefix: string, localMax = 10_000) {
    this.redis = redis;
    this.prefix = prefix;
    this.localMax = localMax;
  }

  private redisKey(keyHash: string) {
    return `${this.prefix}:idem:${keyHash}`;
  }

  /** Claims the key for this answer. Returns the earlier record if the key was already used. */
  async claim(keyHash: string, rec: IdempotencyRecord): Promise<IdempotencyRecord | null> {
    const earlierLocal = this.local.get(keyHash);
    if (earlierLocal) return earlierLocal;
    try {
      const ok = await this.redis.set(this.redisKey(keyHash), JSON.stringify(rec), 'EX', TTL_SECONDS, 'NX');
      if (ok !== 'OK') {
        const raw = await this.redis.get(this.redisKey(keyHash));
        if (raw) return JSON.parse(raw) as IdempotencyRecord;
      }
    } catch {
      // Redis down: the local map below is the best we can do; the complaint is spooled anyway.
    }
    this.remember(keyHash, rec);
    return null;
  }

  /** The request failed before it was accepted: let a retry try again. */
  async release(keyHash: string): Promise<void> {
    this.local.delete(keyHash);
    await this.redis.del(this.redisKey(keyHash)).catch(() => {});
  }

  private remember(keyHash: string, rec: IdempotencyRecord) {
    if (this.local.size >= this.localMax) {
      const oldest = this.local.keys().next().value;
      if (oldest !== undefined) this.local.delete(oldest);
    }
    this.local.set(keyHash, rec);
  }
}
