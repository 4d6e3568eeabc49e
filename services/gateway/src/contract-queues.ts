import { EXTERNAL_OPD, QueueNames } from '@aduan/queue';
import type { Directory } from '@aduan/routing/directory';

/** Every queue of the contract: the fixed ones, and `opd.<code>` for each OPD of the directory. */
export function contractQueues(directory: Directory): string[] {
  const opds = new Set([...directory.opds.map((o) => o.code), EXTERNAL_OPD]);
  return [QueueNames.intake, QueueNames.routed, QueueNames.triage, QueueNames.status, QueueNames.reopen, QueueNames.notify('whatsapp'), QueueNames.notify('instagram'), ...[...opds].map(QueueNames.opd)];
}
