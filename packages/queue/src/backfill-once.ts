import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@aduan/telemetry';

/** How long a backfill that failed (Redis away at start) waits before it tries again. */
const RETRY_MS = 60_000;

/**
 * Runs a one-time fill after an upgrade (`fill`: how many entries it added, or 'done' when an
 * earlier run did it). In the background, so a start never waits for it; tried again every
 * minute until it is done (Redis away), or `signal` aborts (the service stops). Every process
 * that runs it does so at start; it does nothing once one has.
 */
export async function backfillOnce(fill: () => Promise<number | 'done'>, say: { filled: string; notYet: string }, logger: Logger, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    try {
      const added = await fill();
      // A fresh install (or an upgrade with nothing to fill) has nothing to say.
      if (added !== 'done' && added > 0) logger.info({ added }, say.filled);
      return;
    } catch (err) {
      logger.warn({ err: (err as Error).message }, say.notYet);
      // Ends at once when aborted, also when that happened while the attempt ran.
      await sleep(RETRY_MS, undefined, { signal }).catch(() => {});
    }
  }
}
