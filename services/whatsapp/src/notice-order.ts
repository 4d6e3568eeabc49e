import type { Notification } from '@aduan/schema';
import { notifyTier } from './send-lane.ts';

/** A notice held behind an earlier one comes back this long after it. */
export const HOLD_BEHIND_MS = 200;

/** One put back longer than any wait past its time (a job removed by hand meanwhile) holds nothing. */
const STALE_ASIDE_MS = 10 * 60_000;

interface Aside {
  queuedAt: number;
  /** The order this process first saw it in: breaks a tie of queuedAt (two jobs added in one millisecond). */
  seen: number;
  tier: number;
  /** When it comes back from the delayed set. */
  backAt: number;
}

/**
 * Keeps a citizen's notices in order while some of them wait in the queue (put back: the number
 * not connected, resting, or its line full). A notice waits behind every earlier one of the same
 * citizen, of its tier or a better one, that was put back: "diteruskan" never overtakes the
 * acknowledgement it follows, nor "selesai" the "diteruskan". (An acknowledgement does not wait
 * for an earlier complaint's router notice: it ranks before it anyway.) Jobs put back come back
 * in the order they were put back, per number and tier: each is delayed to a time after the one
 * before it, with no jitter to swap them.
 */
export class NoticeOrder {
  /** Per recipient (account + chat), their notices now put back, by jobId. */
  private readonly aside = new Map<string, Map<string, Aside>>();
  /** Per number and tier: the latest time a job was put back to. */
  private readonly lastBackAt = new Map<string, number>();
  /**
   * Per job: the order this process first saw it in. BullMQ hands out one priority's jobs in the
   * order they were added, so of two added in the same millisecond (the same `queuedAt`), the one
   * seen first was added first. Without it, neither held the other, and a put-back notice was
   * overtaken by the one queued right after it ("status 3" before "status 2").
   */
  private readonly seenAt = new Map<string, number>();
  private seenCount = 0;

  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /**
   * When the earlier notices `n` must wait behind come back (the latest of them), or undefined
   * when it need not wait.
   */
  behind(n: Notification, jobId: string, queuedAt: number): number | undefined {
    const tier = notifyTier(n);
    const seen = this.seen(jobId);
    let until: number | undefined;
    for (const [id, e] of this.aside.get(recipient(n)) ?? []) {
      const earlier = e.queuedAt < queuedAt || (e.queuedAt === queuedAt && e.seen < seen);
      if (id === jobId || !earlier || e.tier > tier || this.stale(e)) continue;
      until = Math.max(until ?? 0, e.backAt);
    }
    return until;
  }

  /** The order `jobId` was first seen in (see seenAt); the oldest are forgotten past 10,000 jobs. */
  private seen(jobId: string): number {
    let seen = this.seenAt.get(jobId);
    if (seen === undefined) {
      seen = ++this.seenCount;
      this.seenAt.set(jobId, seen);
      if (this.seenAt.size > 10_000) this.seenAt.delete(this.seenAt.keys().next().value!);
    }
    return seen;
  }

  /** Records `n` put back for about `waitMs`; returns the time it is delayed to. */
  putBack(n: Notification, jobId: string, queuedAt: number, waitMs: number): number {
    const tier = notifyTier(n);
    const lane = `${n.account} ${tier}`;
    const backAt = Math.max(this.now() + waitMs, (this.lastBackAt.get(lane) ?? 0) + 1);
    this.lastBackAt.set(lane, backAt);
    const key = recipient(n);
    const jobs = this.aside.get(key) ?? new Map<string, Aside>();
    jobs.set(jobId, { queuedAt, seen: this.seen(jobId), tier, backAt });
    this.aside.set(key, jobs);
    this.prune(key);
    return backAt;
  }

  /** `n` was sent, or failed for good: it holds nothing any more. */
  done(n: Notification, jobId: string): void {
    const key = recipient(n);
    this.aside.get(key)?.delete(jobId);
    this.seenAt.delete(jobId);
    this.prune(key);
  }

  private stale(e: Aside): boolean {
    return this.now() > e.backAt + STALE_ASIDE_MS;
  }

  private prune(key: string): void {
    const jobs = this.aside.get(key);
    if (!jobs) return;
    for (const [id, e] of jobs) if (this.stale(e)) jobs.delete(id);
    if (jobs.size === 0) this.aside.delete(key);
  }
}

const recipient = (n: Notification) => `${n.account} ${n.to}`;
