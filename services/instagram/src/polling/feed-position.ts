import type { IgApiClient } from 'instagram-private-api';

/**
 * The library's feeds can save where they are and be put back there (Feed.serialize /
 * deserialize: cursor and seq_id, no personal data). The poller saves an inbox walk's position
 * with it, so a restart goes on where the last process stopped. The client seam does not ask
 * for it (test doubles may lack it), so it is looked up at run time; that the real inbox feeds
 * have it is checked here at compile time.
 */
interface Resumable {
  serialize(): string;
  deserialize(data: string): void;
}

type RealInboxFeeds = ReturnType<IgApiClient['feed']['directInbox']> | ReturnType<IgApiClient['feed']['directPending']>;
type RealFeedsResume = RealInboxFeeds extends Resumable ? true : never;
export const realFeedsResume: RealFeedsResume = true;

function resumable(feed: object): feed is Resumable {
  const f = feed as Partial<Resumable>;
  return typeof f.serialize === 'function' && typeof f.deserialize === 'function';
}

/** The feed's position, or undefined when it cannot save one. */
export function positionOf(feed: object): string | undefined {
  return resumable(feed) ? feed.serialize() : undefined;
}

/** Puts a new feed at a saved position; false when it cannot be put there. */
export function resumeAt(feed: object, position: string): boolean {
  if (!resumable(feed)) return false;
  try {
    feed.deserialize(position);
    return true;
  } catch {
    return false;
  }
}
