import { setTimeout as sleep } from 'node:timers/promises';
import type { StatusStore } from '@aduan/queue';
import type { Logger } from '@aduan/telemetry';

/** How long a backfill that failed (Redis away at start) waits before it tries again. */
const RETRY_MS = 60_000;

/**
 * Runs an index's one-time fill after an upgrade (`fill`: how many entries it added, or 'done'
 * when an earlier run did it). In the background, so a start never waits for it; tried again
 * every minute until it is done (Redis away), or `signal` aborts (the gateway stops). Every
 * gateway runs it at start; it does nothing once one has.
 */
async function backfillOnce(fill: () => Promise<number | 'done'>, say: { filled: string; notYet: string }, logger: Logger, signal: AbortSignal): Promise<void> {
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

/**
 * Fills the OPDs' awaiting indexes once from their inboxes (StatusStore.backfillAwaiting): the
 * complaints routed before this version kept the indexes are counted too.
 */
export function backfillAwaitingIndex(status: StatusStore, logger: Logger, signal: AbortSignal): Promise<void> {
  return backfillOnce(() => status.backfillAwaiting(), { filled: 'awaiting-response index filled from the OPD inboxes (once, after the upgrade)', notYet: 'awaiting-response index not filled from the OPD inboxes yet: trying again in a minute' }, logger, signal);
}

/**
 * Fills the monthly report's index of complaints by receipt once from the status records
 * (StatusStore.backfillReceived): the complaints received before this version kept it are counted too.
 */
export function backfillReceivedIndex(status: StatusStore, logger: Logger, signal: AbortSignal): Promise<void> {
  return backfillOnce(() => status.backfillReceived(), { filled: 'received index filled from the status records (once, after the upgrade)', notYet: 'received index not filled from the status records yet: trying again in a minute' }, logger, signal);
}
