import { hash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ComplaintAccepted } from './complaint-request.ts';

export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

export interface IdempotencyRecord {
  bodyHash: string;
  answer: ComplaintAccepted;
  /** When the first request was received (absent in records written before it was kept). */
  receivedAt?: string;
}

interface LocalEntry {
  rec: IdempotencyRecord;
  /** Settles when the first request's complaint is queued or spooled (rejects if it was refused). */
  enqueued: Promise<unknown>;
}

export const hashKey = (key: string) => hash('sha256', key).slice(0, 40);

/**
 * Remembers the answer given for each Idempotency-Key for 24 h: in Redis (shared by replicas;
 * the claim itself is made together with the status record, see IntakeService) and in a small
 * in-process map that holds a key while its request is in flight, and for as long as Redis is
 * down (when it is the only record there is).
 */
export class IdempotencyStore {
  private readonly local = new Map<string, LocalEntry>();

  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly localMax: number;

  constructor(redis: Redis, prefix: string, localMax = 10_000) {
    this.redis = redis;
    this.prefix = prefix;
    this.localMax = localMax;
  }

  redisKey(keyHash: string): string {
    return `${this.prefix}:idem:${keyHash}`;
  }

  /** The record this process already holds for the key, if any, with its request's enqueue. */
  known(keyHash: string): LocalEntry | undefined {
    return this.local.get(keyHash);
  }

  remember(keyHash: string, rec: IdempotencyRecord, enqueued: Promise<unknown>): void {
    if (this.local.size >= this.localMax) {
      const oldest = this.local.keys().next().value;
      if (oldest !== undefined) this.local.delete(oldest);
    }
    this.local.set(keyHash, { rec, enqueued });
  }

  forgetLocal(keyHash: string): void {
    this.local.delete(keyHash);
  }

  /** The request failed before it was accepted: let a retry try again. */
  async release(keyHash: string): Promise<void> {
    this.local.delete(keyHash);
    await this.redis.del(this.redisKey(keyHash)).catch(() => {});
  }
}
