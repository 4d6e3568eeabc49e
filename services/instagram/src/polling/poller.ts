import { IgResponseError } from 'instagram-private-api';
import type { Logger } from '@aduan/telemetry';
import { classifyIgError } from '../client/classify-error.ts';
import type { IgClientLike, InboxFeedLike, ThreadFeedLike } from '../client/ig-client-like.ts';
import { asThreadItem, type IgThread, type IgThreadItem, type IgUser } from '../client/ig-item.ts';
import type { IgMetrics } from '../metrics.ts';
import type { CursorStore, FeedWalk, ThreadGap } from './cursor-store.ts';
import { positionOf, resumeAt } from './feed-position.ts';
import type { ItemOutcome, ItemProcessor } from './item-processor.ts';

export interface PollerOptions {
  client: IgClientLike;
  processor: ItemProcessor;
  cursors: CursorStore;
  logger: Logger;
  metrics: IgMetrics;
  /** Items older than this on a thread never seen before are history, not complaints. */
  backfillMs: number;
  /** Approve message requests (pending inbox) after their items are taken. */
  approvePending: boolean;
  /** At most this many inbox pages, and thread pages per thread, in one cycle. */
  maxPages: number;
  /** Errors whose `code` is in this set are the message's fault, not the system's: skip it. */
  poisonCodes?: ReadonlySet<string>;
  /**
   * Called after a cycle that read everything (`PollReport.complete`) with the time it started:
   * every message sent before then has been handed over (ConversationEngine.markDelivered).
   */
  onComplete?: (startedAtMs: number) => Promise<void>;
  now?: () => number;
}

export interface PollReport {
  threads: number;
  approved: number;
  groupsSkipped: number;
  items: Record<ItemOutcome | 'poison', number>;
  /**
   * Both walks started at the top this cycle and got to their end, and no thread was left with
   * items unread: every message sent before the cycle started has been taken. Not when the page
   * cap cut a walk, a walk begun in an earlier cycle ended (threads with new activity went back
   * to the top, above it), or a thread has a gap.
   */
  complete: boolean;
}

type FeedName = 'pending' | 'inbox';

/** One poll cycle, as its steps see it. */
interface Cycle {
  report: PollReport;
  /** Aborted when the loop gave the poll up at its deadline (PollLoop): it stops at its next step. */
  signal?: AbortSignal | undefined;
  /** Times past this (microseconds) are not believed: see FUTURE_SLACK_MS. */
  horizon: bigint;
}

/**
 * How far ahead of our clock an Instagram time may be. Cursors only move forward: one item stamped
 * years ahead (a broken clock, a forged item) taken as it is silenced its thread, and the inbox
 * walk's floor, for good. Past this, an item waits (skipped, logged) until its time comes, and a
 * thread's activity counts as unreadable (its items are looked at one by one).
 */
const FUTURE_SLACK_MS = 3_600_000;

/** One stretch of a thread's new items, as one visit read it. */
interface Stretch {
  /** Items after the cursor, oldest first. */
  items: IgThreadItem[];
  /** The page cap stopped the paging before it reached what is already taken. */
  cut: boolean;
  /** The thread feed to go on from, when cut. */
  feed?: ThreadFeedLike;
}

/** Instagram timestamps: microseconds since the epoch, as a decimal string. Anything else: null. */
const micros = (v: unknown): bigint | null => {
  const s = String(v);
  return /^\d{1,20}$/.test(s) ? BigInt(s) : null;
};
const ts = (item: Pick<IgThreadItem, 'timestamp'>): bigint => micros(item.timestamp) ?? 0n;
/** A thread's last activity; null when unreadable or past the horizon. */
const activity = (thread: IgThread, horizon: bigint): bigint | null => {
  const at = micros(thread.last_activity_at || '0');
  return at !== null && at <= horizon ? at : null;
};
const min = (a: bigint | undefined, b: bigint): bigint => (a === undefined || b < a ? b : a);

/** The private API's shapes drift: a list that is not one counts as empty, an entry that is not an object as absent. */
const list = <T>(v: T[] | null | undefined): T[] => (Array.isArray(v) ? v.filter((x) => typeof x === 'object' && x !== null) : []);

/**
 * The citizen of a one-to-one thread: its other participant, else the inviter when that is not
 * us. Undefined when neither can be read (a participant whose account is gone comes as no users).
 */
function citizenOf(thread: IgThread, viewerId: string): IgUser | undefined {
  const readable = (u: IgUser | null | undefined): u is IgUser => typeof u === 'object' && u !== null && u.pk !== undefined && u.pk !== null;
  const other = list(thread.users).find(readable);
  if (other) return other;
  const inviter = readable(thread.inviter) ? thread.inviter : undefined;
  return inviter && String(inviter.pk) !== viewerId ? inviter : undefined;
}

/**
 * Newest readable thread activity on an inbox page, and the page's last one: where the feed's
 * order has got to. Not its oldest: a thread out of the order at the top (pinned, a "top" request)
 * must not end a walk before the newer threads below it.
 */
function span(threads: IgThread[], horizon: bigint): { newest?: bigint; last?: bigint } {
  const times = threads.map((t) => activity(t, horizon)).filter((t): t is bigint => t !== null);
  if (!times.length) return {};
  return { newest: times.reduce((a, b) => (b > a ? b : a)), last: times.at(-1) };
}

/**
 * One poll cycle: the pending inbox (message requests; most citizens land there) and the
 * inbox, each thread from its cursor, items oldest first, the cursor advanced after each
 * item is kept. Instagram errors propagate to the loop (PollLoop), which backs off.
 *
 * The work per cycle is capped (maxPages), but nothing is left behind for good: an inbox walk
 * the cap cuts short goes on next cycle where it stopped, and a thread with more new items
 * than the cap reaches is read in stretches, the oldest first (see ThreadGap).
 */
export class Poller {
  private readonly opts: PollerOptions;
  /** Inbox feeds the page cap stopped last cycle: they go on from their own position. */
  private readonly openFeeds = new Map<FeedName, InboxFeedLike>();
  /** Thread feeds stopped at the deepest position of their thread's gap. */
  private readonly openThreads = new Map<string, ThreadFeedLike>();

  constructor(opts: PollerOptions) {
    this.opts = opts;
  }

  /** `signal`: the loop gave this poll up (its deadline); it stops at its next step, taking nothing more. */
  async pollOnce(signal?: AbortSignal): Promise<PollReport> {
    const startedAt = (this.opts.now ?? Date.now)();
    const report: PollReport = { threads: 0, approved: 0, groupsSkipped: 0, items: { ingested: 0, duplicate: 0, skipped: 0, poison: 0 }, complete: false };
    const cycle: Cycle = { report, signal, horizon: BigInt(startedAt + FUTURE_SLACK_MS) * 1000n };
    const since = await this.opts.cursors.since(this.opts.backfillMs);
    const pending = await this.walk('pending', since, cycle);
    const inbox = await this.walk('inbox', since, cycle);
    report.complete = pending && inbox;
    if (report.complete) await this.opts.onComplete?.(startedAt);
    return report;
  }

  /**
   * Pages through one feed, newest activity first, at most maxPages pages this cycle, down to the
   * page that reaches the feed's floor (nothing at or before it is unread). The pending walk has
   * no floor until one walk got to its end: requests that never leave the folder (groups,
   * refused approvals, approvals off) then stay below it, and cost no page and no call once
   * passed, however many there are. Cut short by the cap, the walk goes on next cycle from where
   * it stopped. Returns whether it read everything: begun at the top this cycle, got to its end,
   * and left no thread with items unread.
   */
  private async walk(name: FeedName, since: bigint, cycle: Cycle): Promise<boolean> {
    const pending = name === 'pending';
    const saved = await this.opts.cursors.floor(name);
    const floor = pending ? saved : (saved ?? since);
    const { feed, walk, fromTop } = await this.openWalk(name);
    let unreadLeft = false;
    for (let page = 0; page < this.opts.maxPages; page++) {
      const threads = list(await feed.items());
      cycle.signal?.throwIfAborted();
      const { newest, last } = span(threads, cycle.horizon);
      // The newest activity the walk started from: where the floor goes once it gets to its end.
      walk.top ??= newest;
      for (const thread of threads) {
        const unread = await this.handleThread(thread, since, pending ? floor : undefined, cycle);
        const at = activity(thread, cycle.horizon);
        if (unread && at !== null) walk.low = min(walk.low, at);
        unreadLeft ||= unread;
      }
      const end = threads.length === 0 || !feed.isMoreAvailable() || (floor !== null && last !== undefined && last <= floor);
      if (end) {
        await this.endWalk(name, walk, floor);
        return fromTop && !unreadLeft;
      }
      await this.opts.cursors.saveWalk(name, { ...walk, position: positionOf(feed) });
    }
    this.openFeeds.set(name, feed);
    return false;
  }

  /**
   * This cycle's feed: the one the cap stopped last cycle, else its saved position, else a new
   * walk from the top (`fromTop`).
   */
  private async openWalk(name: FeedName): Promise<{ feed: InboxFeedLike; walk: FeedWalk; fromTop: boolean }> {
    const { client, cursors } = this.opts;
    const walk = await cursors.walk(name);
    // Taken out while in use: a cycle that fails mid-page must not go on past that page.
    const open = this.openFeeds.get(name);
    this.openFeeds.delete(name);
    if (open) return { feed: open, walk, fromTop: false };
    const feed = name === 'pending' ? client.feed.directPending() : client.feed.directInbox();
    if (walk.position && resumeAt(feed, walk.position)) {
      // Used once: should Instagram refuse it, the next cycle starts over instead of failing on it for ever.
      await cursors.saveWalk(name, { ...walk, position: undefined });
      return { feed, walk, fromTop: false };
    }
    // Starting over is always safe: the floor moves only when a walk gets to its end.
    return { feed, walk: {}, fromTop: true };
  }

  /**
   * Everything the walk passed is read, except threads it left with a gap: the new floor is the
   * walk's newest activity, or just below its oldest thread with a gap, so the next walks go
   * down to that thread again. Threads with activity since the walk began are above the floor.
   */
  private async endWalk(name: FeedName, walk: FeedWalk, floor: bigint | null): Promise<void> {
    let next = walk.top ?? floor ?? undefined;
    if (next !== undefined && walk.low !== undefined) next = min(next, walk.low - 1n);
    await this.opts.cursors.endWalk(name, next);
  }

  /**
   * Takes a thread's new items; returns whether some are left unread (a gap, read on later visits).
   * `pendingFloor`: a message request's walk, with its floor (null: none yet); undefined: the inbox.
   */
  private async handleThread(thread: IgThread, since: bigint, pendingFloor: bigint | null | undefined, cycle: Cycle): Promise<boolean> {
    const { cursors } = this.opts;
    const { report } = cycle;
    const pending = pendingFloor !== undefined;
    if (thread.is_group) {
      // Complaints are one citizen to the city; group chats are not an intake path.
      report.groupsSkipped++;
      return false;
    }
    // Unreadable: look at the items themselves rather than skip the thread.
    const lastActivity = activity(thread, cycle.horizon);
    // A request at or below the floor was read by the walk that set it, and approved or left for good.
    if (pending && pendingFloor !== null && lastActivity !== null && lastActivity <= pendingFloor) return false;
    const cursor = (await cursors.get(thread.thread_id)) ?? since;
    // An inbox thread with nothing after its cursor is passed over; a request is looked at: its approval may be due.
    if (lastActivity !== null && lastActivity <= cursor && !pending) return false;
    report.threads++;
    const gap = await cursors.gap(thread.thread_id);
    const stretch = await this.read(thread, cursor, gap, cycle);
    if (stretch.cut) {
      await this.leaveGap(thread.thread_id, gap, stretch);
      return true;
    }
    await this.ingest(thread, stretch.items, cycle);
    const unread = await this.closeStretch(thread.thread_id, gap);
    // A request is approved only once read to the end: approved, it leaves the pending walk.
    if (pending && this.opts.approvePending && !unread) await this.approve(thread.thread_id, lastActivity, cycle);
    return unread;
  }

  /**
   * Approves a message request whose items are taken. Instagram refusing it for this one thread
   * (404: the requester's account is gone; a 5xx) must not hold up every thread after it: the
   * request stays pending, and the refusal is remembered with the thread's last activity, so it
   * is asked again only once the thread has something new (asked every cycle, a request whose
   * requester is gone cost one call a cycle, for ever). An answer about the whole account (rate
   * limit, including "Please wait a few minutes" in a 400; spam, challenge, session gone,
   * network) stops the cycle as always.
   */
  private async approve(threadId: string, lastActivity: bigint | null, cycle: Cycle): Promise<void> {
    const { client, cursors, metrics, logger } = this.opts;
    const refused = await cursors.refused(threadId);
    if (refused !== null && (lastActivity === null || lastActivity <= refused)) return;
    try {
      await client.directThread.approve(threadId);
      cycle.signal?.throwIfAborted();
    } catch (err) {
      const failure = classifyIgError(err, 1);
      const threadOnly = err instanceof IgResponseError && failure.action === 'backoff' && (failure.reason === 'unknown' || failure.reason === 'server');
      if (!threadOnly) throw err;
      await cursors.setRefused(threadId, lastActivity ?? 0n);
      metrics.approvals.inc({ outcome: 'failed' });
      logger.warn({ errName: err.name, status: err.response?.statusCode }, 'instagram refused to approve a message request; its messages are taken, the approval is tried again once the thread has new messages');
      return;
    }
    if (refused !== null) await cursors.clearRefused(threadId);
    cycle.report.approved++;
    metrics.approvals.inc({ outcome: 'approved' });
  }

  private async ingest(thread: IgThread, items: IgThreadItem[], cycle: Cycle): Promise<void> {
    const { cursors, processor } = this.opts;
    const viewerId = String(thread.viewer_id);
    const citizen = citizenOf(thread, viewerId);
    for (const item of items) {
      cycle.signal?.throwIfAborted();
      let outcome: ItemOutcome | 'poison';
      try {
        // Without a readable participant, the sender is whoever sent the item (no handle, no name).
        const user: IgUser = citizen ?? { pk: item.user_id, username: '', full_name: '' };
        outcome = await processor.process({ threadId: thread.thread_id, viewerId, user }, item);
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (typeof code !== 'string' || !this.opts.poisonCodes?.has(code)) throw err;
        this.opts.logger.error({ itemId: item.item_id, code }, 'instagram item refused by the conversation engine; skipped');
        outcome = 'poison';
      }
      cycle.report.items[outcome]++;
      await cursors.advance(thread.thread_id, ts(item));
    }
  }

  /**
   * Paging stopped before the cursor: nothing is taken (the items after the gap would go to the
   * conversation engine before the older ones). Where it stopped is recorded; the next visit
   * pages on from there.
   */
  private async leaveGap(threadId: string, gap: ThreadGap | null, stretch: Stretch): Promise<void> {
    const deepest = stretch.items[0]!;
    const from = [...(gap?.from ?? []), { id: deepest.item_id, at: ts(deepest) }];
    await this.opts.cursors.setGap(threadId, { from, edge: gap?.edge });
    if (stretch.feed) this.openThreads.set(threadId, stretch.feed);
    this.opts.logger.info({ depth: from.length, maxPages: this.opts.maxPages }, 'instagram thread has more new items than one visit reads; reading on next cycle, oldest first');
  }

  /** A stretch is taken: the one above it is next. Returns whether the thread still has a gap. */
  private async closeStretch(threadId: string, gap: ThreadGap | null): Promise<boolean> {
    if (!gap) return false;
    const done = gap.from.at(-1);
    if (!done) {
      await this.opts.cursors.setGap(threadId, null);
      return false;
    }
    // Everything older than `done` is taken now: the stretch above ends where it reaches it.
    await this.opts.cursors.setGap(threadId, { from: gap.from.slice(0, -1), edge: done.at });
    return true;
  }

  /**
   * New items of one stretch, oldest first: from the deepest position of the thread's gap, else
   * from the inbox preview down, paging back through the thread when the preview is not enough.
   */
  private async read(thread: IgThread, cursor: bigint, gap: ThreadGap | null, cycle: Cycle): Promise<Stretch> {
    // Reaching the cursor, or the edge of what is taken below a gap position, ends the paging.
    const line = gap?.edge !== undefined && gap.edge > cursor ? gap.edge : cursor;
    const byId = new Map<string, IgThreadItem>();
    const take = (list: IgThreadItem[]): boolean => {
      let reached = list.length === 0;
      for (const it of list) {
        const at = micros(it.timestamp);
        if (at === null) {
          // Without a time the item cannot be placed against the cursor; it must not stop the poll.
          this.opts.logger.error({ itemId: it.item_id, itemType: String(it.item_type).slice(0, 40) }, 'instagram item without a readable timestamp; skipped');
          continue;
        }
        if (at > cycle.horizon) {
          // Taken, it would move the cursor past every message to come: it waits for its time.
          this.opts.logger.error({ itemId: it.item_id, itemType: String(it.item_type).slice(0, 40) }, 'instagram item stamped in the future; skipped until its time comes');
          continue;
        }
        if (ts(it) > cursor) byId.set(it.item_id, it);
        if (ts(it) <= line) reached = true;
      }
      return reached;
    };
    const { feed, reached: fromPreview } = this.startStretch(thread, gap, take);
    let reached = fromPreview;
    let more = feed !== undefined;
    for (let page = 0; feed && more && !reached && page < this.opts.maxPages; page++) {
      const got = list(await feed.items());
      cycle.signal?.throwIfAborted();
      reached = take(got.map(asThreadItem));
      more = feed.isMoreAvailable();
    }
    const items = [...byId.values()].sort((a, b) => (ts(a) < ts(b) ? -1 : ts(a) > ts(b) ? 1 : 0));
    // Pages of items without a readable time only cannot be placed: they are skipped, as anywhere.
    const cut = !reached && more && items.length > 0;
    return { items, cut, feed: cut ? feed : undefined };
  }

  /** Where a stretch starts: the deepest gap position (the feed stopped there, if still open), else the preview. */
  private startStretch(thread: IgThread, gap: ThreadGap | null, take: (list: IgThreadItem[]) => boolean): { feed?: ThreadFeedLike; reached: boolean } {
    const { client } = this.opts;
    const from = gap?.from.at(-1);
    if (from) {
      // Taken out while in use: a visit that fails half-way must not go on past what it took.
      const open = this.openThreads.get(thread.thread_id);
      this.openThreads.delete(thread.thread_id);
      return { feed: open ?? client.feed.directThread({ thread_id: thread.thread_id, oldest_cursor: from.id }), reached: false };
    }
    this.openThreads.delete(thread.thread_id);
    const reached = take(list(thread.items).map(asThreadItem));
    if (reached || !thread.has_older || !thread.oldest_cursor) return { reached };
    return { feed: client.feed.directThread({ thread_id: thread.thread_id, oldest_cursor: thread.oldest_cursor }), reached };
  }
}
