import { backfillOnce, type StatusStore } from '@aduan/queue';
import type { Logger } from '@aduan/telemetry';

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
