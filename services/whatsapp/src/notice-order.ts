import type { Notification } from '@aduan/schema';
import { notifyTier } from './send-lane.ts';

/**
 * A notice put back longer than any wait past its time (a job removed by hand meanwhile), or in
 * hand that long (a send that never ended), holds nothing.
 */
const STALE_MS = 10 * 60_000;

interface Pending {
  queuedAt: number;
  /** The order this process first saw it in: breaks a tie of queuedAt (two jobs added in one millisecond). */
  seen: number;
  tier: number;
  /** Put back: when it comes back from the delayed set. Undefined: in hand (on its way to the number's line, in it, or being sent). */
  backAt: number | undefined;
  /** When it was taken in hand or put back. */
  at: number;
}

/**
 * Keeps a citizen's notices in order. A notice goes to its number's line only when no earlier
 * notice of the same citizen, of its tier or a better one, is pending here: in hand (another
 * worker slot has it on its way to the line, in it, or sending it) or put back (the number not
 * connected, resting, or its line full). So at most one of a chat's notices of one rank is on its
 * way at a time: "diteruskan" never overtakes the acknowledgement it follows, nor "selesai" the
 * "diteruskan", nor one `cek` answer another. (An acknowledgement does not wait for an earlier
 * complaint's router notice: it ranks before it anyway.) Jobs put back come back in the order they
 * were put back, per number and tier: each is delayed to a time after the one before it, with no
 * jitter to swap them.
 *
 * "Earlier" is the order the jobs were queued in: their BullMQ timestamp, then, for two queued in
 * the same millisecond, the order this process first saw them in. That is the queue's order
 * because BullMQ hands out one priority's jobs in the order they were added and the worker starts
 * them in the order it took them (createConsumer's `inOrder`). And a job the queue hands out
 * after one seen here was queued after it, or is one put back here (pending): so no earlier
 * notice turns up once a later one was let through. Before, a notice's turn was only checked
 * against the ones put back, and two of a chat's `cek` answers swapped in about one loaded run in
 * six: the worker could start the later of two jobs first (a finishing job fetched the next one
 * beside the worker's main loop), so the earlier, not seen yet, held nothing; or the later, taken
 * while the earlier was on its way, went into the line just after the number turned the earlier
 * one away.
 */
export class NoticeOrder {
  /** Per recipient (account + chat), their notices in hand or put back, by jobId. */
  private readonly pending = new Map<string, Map<string, Pending>>();
  /** Per number and tier: the latest time a job was put back to. */
  private readonly lastBackAt = new Map<string, number>();
  private seenCount = 0;

  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /**
   * Takes `n` in hand, until putBack or done. Returns undefined when it may go to its number's
   * line now; else it waits behind earlier notices of its recipient (it is put back then): the
   * time the latest of those put back comes back, or 0 when all of them are in hand.
   */
  take(n: Notification, jobId: string, queuedAt: number): number | undefined {
    const key = recipient(n);
    const jobs = this.pending.get(key) ?? new Map<string, Pending>();
    const tier = notifyTier(n);
    const seen = jobs.get(jobId)?.seen ?? ++this.seenCount;
    let behind: number | undefined;
    for (const [id, e] of jobs) {
      const earlier = e.queuedAt < queuedAt || (e.queuedAt === queuedAt && e.seen < seen);
      if (id === jobId || !earlier || e.tier > tier || this.stale(e)) continue;
      behind = Math.max(behind ?? 0, e.backAt ?? 0);
    }
    jobs.set(jobId, { queuedAt, seen, tier, backAt: undefined, at: this.now() });
    this.pending.set(key, jobs);
    this.prune(key);
    return behind;
  }

  /** Records `n` (taken in hand) put back for about `waitMs`; returns the time it is delayed to. */
  putBack(n: Notification, jobId: string, waitMs: number): number {
    const key = recipient(n);
    const e = this.pending.get(key)?.get(jobId);
    const lane = `${n.account} ${notifyTier(n)}`;
    const backAt = Math.max(this.now() + waitMs, (this.lastBackAt.get(lane) ?? 0) + 1);
    this.lastBackAt.set(lane, backAt);
    if (e) {
      e.backAt = backAt;
      e.at = this.now();
    }
    return backAt;
  }

  /** `n` was sent, or failed for good: it holds nothing any more. */
  done(n: Notification, jobId: string): void {
    const key = recipient(n);
    this.pending.get(key)?.delete(jobId);
    this.prune(key);
  }

  private stale(e: Pending): boolean {
    return this.now() > (e.backAt ?? e.at) + STALE_MS;
  }

  private prune(key: string): void {
    const jobs = this.pending.get(key);
    if (!jobs) return;
    for (const [id, e] of jobs) if (this.stale(e)) jobs.delete(id);
    if (jobs.size === 0) this.pending.delete(key);
  }
}

const recipient = (n: Notification) => `${n.account} ${n.to}`;
