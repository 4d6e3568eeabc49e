import type { Redis } from 'ioredis';
import type { IgKeys } from '../session/keys.ts';

// Advances only forward, so a slow, stale writer can never move a cursor back.
const ADVANCE = `local cur = redis.call('hget', KEYS[1], ARGV[1])
if (not cur) or (string.len(ARGV[2]) > string.len(cur)) or (string.len(ARGV[2]) == string.len(cur) and ARGV[2] > cur) then
  redis.call('hset', KEYS[1], ARGV[1], ARGV[2]) return 1 end
return 0`;

/**
 * Per-thread cursor: the timestamp (microseconds) of the newest item fully processed in each
 * thread, in Redis so a restart resumes where the last process stopped. Threads never seen
 * before start at `since`, fixed when the account is first served (now minus the backfill).
 */
export class CursorStore {
  private readonly redis: Redis;
  private readonly keys: IgKeys;

  constructor(redis: Redis, keys: IgKeys) {
    this.redis = redis;
    this.keys = keys;
  }

  async get(threadId: string): Promise<bigint | null> {
    const v = await this.redis.hget(this.keys.cursor, threadId);
    return v ? BigInt(v) : null;
  }

  async advance(threadId: string, timestampUs: bigint): Promise<void> {
    await this.redis.eval(ADVANCE, 1, this.keys.cursor, threadId, timestampUs.toString());
  }

  /** The start line for threads without a cursor; set once, on the first start. */
  async since(backfillMs: number, nowMs = Date.now()): Promise<bigint> {
    const proposed = BigInt(Math.max(0, nowMs - backfillMs)) * 1000n;
    await this.redis.set(this.keys.since, proposed.toString(), 'NX');
    const v = await this.redis.get(this.keys.since);
    return v ? BigInt(v) : proposed;
  }
}
