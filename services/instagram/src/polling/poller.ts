import type { Logger } from '@aduan/telemetry';
import type { IgClientLike, InboxFeedLike } from '../client/ig-client-like.ts';
import { asThreadItem, type IgThread, type IgThreadItem } from '../client/ig-item.ts';
import type { IgMetrics } from '../metrics.ts';
import type { CursorStore } from './cursor-store.ts';
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
}

export interface PollReport {
  threads: number;
  approved: number;
  groupsSkipped: number;
  items: Record<ItemOutcome | 'poison', number>;
}

/** Instagram timestamps: microseconds since the epoch, as a decimal string. Anything else: null. */
const micros = (v: unknown): bigint | null => {
  const s = String(v);
  return /^\d{1,20}$/.test(s) ? BigInt(s) : null;
};
const ts = (item: Pick<IgThreadItem, 'timestamp'>): bigint => micros(item.timestamp) ?? 0n;

/**
 * One poll cycle: the pending inbox (message requests; most citizens land there) and the
 * inbox, each thread from its cursor, items oldest first, the cursor advanced after each
 * item is kept. Instagram errors propagate to the loop (PollLoop), which backs off.
 */
export class Poller {
  private readonly opts: PollerOptions;

  constructor(opts: PollerOptions) {
    this.opts = opts;
  }

  async pollOnce(): Promise<PollReport> {
    const report: PollReport = { threads: 0, approved: 0, groupsSkipped: 0, items: { ingested: 0, duplicate: 0, skipped: 0, poison: 0 } };
    const since = await this.opts.cursors.since(this.opts.backfillMs);
    await this.walk(this.opts.client.feed.directPending(), since, true, report);
    await this.walk(this.opts.client.feed.directInbox(), since, false, report);
    return report;
  }

  private async walk(feed: InboxFeedLike, since: bigint, pending: boolean, report: PollReport): Promise<void> {
    for (let page = 0; page < this.opts.maxPages; page++) {
      const threads = await feed.items();
      let allFresh = threads.length > 0;
      for (const thread of threads) {
        const fresh = await this.handleThread(thread, since, pending, report);
        allFresh &&= fresh;
      }
      // Threads come newest activity first: once a page holds a thread with nothing new, older pages have nothing either.
      if (!allFresh || !feed.isMoreAvailable()) return;
    }
  }

  /** Returns whether the thread had activity after its cursor. */
  private async handleThread(thread: IgThread, since: bigint, pending: boolean, report: PollReport): Promise<boolean> {
    const { client, cursors, processor } = this.opts;
    if (thread.is_group) {
      // Complaints are one citizen to the city; group chats are not an intake path.
      report.groupsSkipped++;
      return true;
    }
    const cursor = (await cursors.get(thread.thread_id)) ?? since;
    // Unreadable: look at the items themselves rather than skip the thread.
    const lastActivity = micros(thread.last_activity_at || '0');
    if (lastActivity !== null && lastActivity <= cursor && !pending) return false;
    report.threads++;
    const viewerId = String(thread.viewer_id);
    const user = thread.users[0] ?? thread.inviter;
    const items = await this.newItems(thread, cursor);
    for (const item of items) {
      let outcome: ItemOutcome | 'poison';
      try {
        outcome = await processor.process({ threadId: thread.thread_id, viewerId, user }, item);
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (typeof code !== 'string' || !this.opts.poisonCodes?.has(code)) throw err;
        this.opts.logger.error({ itemId: item.item_id, code }, 'instagram item refused by the conversation engine; skipped');
        outcome = 'poison';
      }
      report.items[outcome]++;
      await cursors.advance(thread.thread_id, ts(item));
    }
    if (pending && this.opts.approvePending) {
      await client.directThread.approve(thread.thread_id);
      report.approved++;
      this.opts.metrics.approvals.inc({ outcome: 'approved' });
    }
    return true;
  }

  /** Items newer than the cursor, oldest first; pages back through the thread when the inbox preview is not enough. */
  private async newItems(thread: IgThread, cursor: bigint): Promise<IgThreadItem[]> {
    const byId = new Map<string, IgThreadItem>();
    const take = (list: IgThreadItem[]): boolean => {
      let reachedCursor = list.length === 0;
      for (const it of list) {
        if (micros(it.timestamp) === null) {
          // Without a time the item cannot be placed against the cursor; it must not stop the poll.
          this.opts.logger.error({ itemId: it.item_id, itemType: String(it.item_type).slice(0, 40) }, 'instagram item without a readable timestamp; skipped');
          continue;
        }
        if (ts(it) > cursor) byId.set(it.item_id, it);
        else reachedCursor = true;
      }
      return reachedCursor;
    };
    let reached = take(thread.items.map(asThreadItem));
    if (!reached && thread.has_older && thread.oldest_cursor) {
      const feed = this.opts.client.feed.directThread({ thread_id: thread.thread_id, oldest_cursor: thread.oldest_cursor });
      for (let page = 0; page < this.opts.maxPages && !reached; page++) {
        reached = take((await feed.items()).map(asThreadItem));
        if (!feed.isMoreAvailable()) break;
      }
    }
    return [...byId.values()].sort((a, b) => (ts(a) < ts(b) ? -1 : ts(a) > ts(b) ? 1 : 0));
  }
}
