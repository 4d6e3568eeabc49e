import { notifyPriority } from '@aduan/queue';
import type { Notification } from '@aduan/schema';

/** Where a notice stands in its number's line: the lower tier first (notifyTier), then the one queued first. */
export interface LanePlace {
  tier: number;
  /** When the job was queued (BullMQ's job.timestamp). */
  queuedAt: number;
}

/** The tier of an urgent notice (the 112 notice of an emergency): before the acknowledgements. */
export const URGENT_TIER = -1;

/**
 * A notice's tier in its number's line, as its place in the queue (jobOrder in @aduan/queue):
 * urgent -1 (the head of the wait list), acknowledgement 0, answers (guide, lookup) 1, router
 * notices 2, staff digests 3 (their BullMQ priorities).
 */
export const notifyTier = (n: Pick<Notification, 'kind' | 'urgent'>): number => (n.urgent ? URGENT_TIER : (notifyPriority(n.kind) ?? 0));

/**
 * Notices one number holds at most: the one holding its turn (pacing wait, typing, send) and one
 * waiting for it, so the next is ready when the turn ends. The notify worker runs this many jobs
 * per number (and one more): a number with its line full never holds a slot another needs.
 */
export const LANE_DEPTH = 2;

/** The number's line is full of notices that go before this one: it waits in the queue instead (put back, no attempt used). */
export class LaneFullError extends Error {
  constructor() {
    super('the number has its next notices in hand');
    this.name = 'LaneFullError';
  }
}

interface Waiter {
  place: LanePlace;
  admit: () => void;
  refuse: (err: Error) => void;
}

interface Lane {
  busy: boolean;
  waiting: Waiter[];
}

const goesBefore = (a: LanePlace, b: LanePlace) => a.tier < b.tier || (a.tier === b.tier && a.queuedAt < b.queuedAt);

/**
 * One line per number: one notice at a time holds the number's turn, through its pacing wait,
 * typing and send; the others wait, best placed first (an acknowledgement before a `cek` answer
 * before a router's notice). The line holds LANE_DEPTH notices: one more is refused at once
 * (LaneFullError), unless it is of a better tier than the worst waiting, which is refused in its
 * place. Numbers never wait for each other: each has its own line.
 */
export class SendLanes {
  private readonly lanes = new Map<string, Lane>();

  /** Waits for the number's turn; resolves to the function that ends it (call it once). */
  async enter(account: string, place: LanePlace): Promise<() => void> {
    let lane = this.lanes.get(account);
    if (!lane) {
      lane = { busy: false, waiting: [] };
      this.lanes.set(account, lane);
    }
    const held = lane;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      this.next(account, held);
    };
    if (!lane.busy) {
      lane.busy = true;
      return end;
    }
    if (lane.waiting.length >= LANE_DEPTH - 1) {
      const worst = lane.waiting.at(-1);
      if (!worst || worst.place.tier <= place.tier) throw new LaneFullError();
      lane.waiting.pop();
      worst.refuse(new LaneFullError());
    }
    await new Promise<void>((admit, refuse) => {
      const waiter = { place, admit, refuse };
      const at = held.waiting.findIndex((w) => goesBefore(place, w.place));
      if (at === -1) held.waiting.push(waiter);
      else held.waiting.splice(at, 0, waiter);
    });
    return end;
  }

  /** Hands the turn to the best placed notice waiting, if any. */
  private next(account: string, lane: Lane): void {
    const waiter = lane.waiting.shift();
    if (waiter) return waiter.admit();
    lane.busy = false;
    this.lanes.delete(account);
  }

  /** Turns every waiting notice away with `err` (shutdown): each goes back to the queue. */
  refuseWaiting(err: () => Error): void {
    for (const lane of this.lanes.values()) {
      for (const waiter of lane.waiting.splice(0)) waiter.refuse(err());
    }
  }
}
