import type { Redis } from 'ioredis';
import type { IgKeys } from '../session/keys.ts';

// Advances only forward, so a slow, stale writer can never move a cursor back.
const ADVANCE = `local cur = redis.call('hget', KEYS[1], ARGV[1])
if (not cur) or (string.len(ARGV[2]) > string.len(cur)) or (string.len(ARGV[2]) == string.len(cur) and ARGV[2] > cur) then
  redis.call('hset', KEYS[1], ARGV[1], ARGV[2]) return 1 end
return 0`;

/**
 * Where a thread's paging stopped before its cursor (the page cap), so that nothing after the
 * cursor is skipped: the stretches are read back oldest first, one per visit.
 */
export interface ThreadGap {
  /** Items to page back from, the deepest last: each is where one visit's paging stopped. */
  from: { id: string; at: bigint }[];
  /** Every item older than the one at this time is taken: reaching it is reaching the cursor. */
  edge?: bigint;
}

/** How far a walk through an inbox feed got, kept between cycles. */
export interface FeedWalk {
  /** The feed's own saved position (the library's Feed.serialize), when it can save one. */
  position?: string;
  /** Newest thread activity on the walk's first page. */
  top?: bigint;
  /** Oldest activity of a thread the walk left with items still unread (a gap). */
  low?: bigint;
}

const big = (v: string | undefined): bigint | undefined => (v ? BigInt(v) : undefined);

/** How long a refused approval is remembered: a request refused once is not asked again without news. */
const REFUSAL_MEMORY_MS = 7 * 86_400_000;

/**
 * Per-thread cursor: the timestamp (microseconds) of the newest item fully processed in each
 * thread, in Redis so a restart resumes where the last process stopped. Threads never seen
 * before start at `since`, fixed when the account is first served (now minus the backfill).
 * Beside it, in the same place: the gaps of threads read only in part, the inbox walks cut
 * short by the page cap, each feed's floor (threads whose last activity is at or before it
 * have nothing unread), and the message requests Instagram refused to approve.
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

  async gap(threadId: string): Promise<ThreadGap | null> {
    const v = await this.redis.hget(this.gapKey, threadId);
    if (!v) return null;
    const g = JSON.parse(v) as { from: { id: string; at: string }[]; edge?: string };
    return { from: g.from.map((p) => ({ id: p.id, at: BigInt(p.at) })), edge: big(g.edge) };
  }

  /** Records a thread's gap; null: the thread is read up to its cursor. */
  async setGap(threadId: string, gap: ThreadGap | null): Promise<void> {
    if (!gap) {
      await this.redis.hdel(this.gapKey, threadId);
      return;
    }
    const v = { from: gap.from.map((p) => ({ id: p.id, at: p.at.toString() })), edge: gap.edge?.toString() };
    await this.redis.hset(this.gapKey, threadId, JSON.stringify(v));
  }

  async walk(feed: string): Promise<FeedWalk> {
    const h = await this.redis.hgetall(this.walkKey(feed));
    return { position: h.position || undefined, top: big(h.top), low: big(h.low) };
  }

  async saveWalk(feed: string, walk: FeedWalk): Promise<void> {
    const fields = Object.entries(walk).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]);
    const tx = this.redis.multi().del(this.walkKey(feed));
    if (fields.length) tx.hset(this.walkKey(feed), Object.fromEntries(fields));
    await tx.exec();
  }

  /** The walk reached its end; `floor`: the feed's new floor, when there is one. */
  async endWalk(feed: string, floor?: bigint): Promise<void> {
    const tx = this.redis.multi().del(this.walkKey(feed));
    if (floor !== undefined) tx.set(this.floorKey(feed), floor.toString());
    await tx.exec();
  }

  async floor(feed: string): Promise<bigint | null> {
    const v = await this.redis.get(this.floorKey(feed));
    return v ? BigInt(v) : null;
  }

  /** The thread's last activity when Instagram refused to approve it; null when not refused (or forgotten). */
  async refused(threadId: string): Promise<bigint | null> {
    const v = await this.redis.get(this.refusedKey(threadId));
    return v ? BigInt(v) : null;
  }

  /** Remembers a refused approval with the thread's last activity then (0 when it cannot be read). */
  async setRefused(threadId: string, lastActivity: bigint): Promise<void> {
    await this.redis.set(this.refusedKey(threadId), lastActivity.toString(), 'PX', REFUSAL_MEMORY_MS);
  }

  /** The request is approved at last: nothing to remember. */
  async clearRefused(threadId: string): Promise<void> {
    await this.redis.del(this.refusedKey(threadId));
  }

  // Named after the cursor hash (same prefix and hash tag): all of it is the polling position.
  private get gapKey(): string {
    return `${this.keys.cursor}:gap`;
  }

  // The inbox's floor keeps the name it had before the pending feed got one.
  private floorKey(feed: string): string {
    return feed === 'inbox' ? `${this.keys.cursor}:floor` : `${this.keys.cursor}:floor:${feed}`;
  }

  private refusedKey(threadId: string): string {
    return `${this.keys.cursor}:refused:${threadId}`;
  }

  private walkKey(feed: string): string {
    return `${this.keys.cursor}:walk:${feed}`;
  }
}
