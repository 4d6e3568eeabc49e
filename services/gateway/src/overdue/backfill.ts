import { setTimeout as sleep } from 'node:timers/promises';
import type { StatusStore } from '@aduan/queue';
import type { Logger } from '@aduan/telemetry';

/** How long a backfill that failed (Redis away at start) waits before it tries again. */
const RETRY_MS = 60_000;

/**
 * Fills the OPDs' awaiting indexes once from their inboxes (StatusStore.backfillAwaiting): the
 * complaints routed before this version kept the indexes are counted too. In the background, so a
 * start never waits for it; tried again every minute until it is done (Redis away), or `signal`
 * aborts (the gateway stops). Every gateway runs it at start; it does nothing once one has.
 */
export async function backfillAwaitingIndex(status: StatusStore, logger: Logger, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    try {
      const added = await status.backfillAwaiting();
      // A fresh install (or an upgrade with nothing waiting) has nothing to say.
      if (added !== 'done' && added > 0) logger.info({ added }, 'awaiting-response index filled from the OPD inboxes (once, after the upgrade)');
      return;
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'awaiting-response index not filled from the OPD inboxes yet: trying again in a minute');
      // Ends at once when aborted, also when that happened while the attempt ran.
      await sleep(RETRY_MS, undefined, { signal }).catch(() => {});
    }
  }
}
