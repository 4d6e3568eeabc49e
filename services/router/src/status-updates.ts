import { QueueNames, UnrecoverableError, citizenMessages, type DurableProducer, type StatusStore } from '@aduan/queue';
import type { Notification, StatusUpdate } from '@aduan/schema';
import type { Logger } from '@aduan/telemetry';

/**
 * A downstream system reports progress. Only the OPD the complaint is routed to may move it;
 * the citizen hears about it on the chat channel they used.
 */
export async function applyStatusUpdate(deps: { producer: DurableProducer; status: StatusStore; logger: Logger }, update: StatusUpdate): Promise<void> {
  const rec = await deps.status.get(update.complaintId);
  if (!rec) throw new UnrecoverableError(`status update ${update.updateId} names an unknown complaint`);
  if (rec.opd !== update.opd) {
    deps.logger.warn({ complaintId: update.complaintId, from: update.opd, routedTo: rec.opd ?? null }, 'status update from an OPD the complaint is not routed to: ignored');
    throw new UnrecoverableError(`complaint is not routed to ${update.opd}`);
  }
  await deps.status.transition(update.complaintId, {
    state: update.state,
    at: update.at,
    dedupeKey: `status.${update.updateId.replaceAll(":", "_")}`,
    ...(update.message ? { message: update.message } : {}),
  });
  if ((rec.channel === 'whatsapp' || rec.channel === 'instagram') && rec.replyTo && rec.replyAccount) {
    const opdName = rec.opdName ?? update.opd;
    const note: Notification = {
      schemaVersion: 1,
      channel: rec.channel,
      account: rec.replyAccount,
      to: rec.replyTo,
      complaintId: rec.id,
      ticket: rec.ticket,
      kind: 'status',
      text: citizenMessages[update.state](rec.ticket, opdName, update.message),
      createdAt: update.at,
    };
    await deps.producer.add(QueueNames.notify(rec.channel), `status.${update.updateId.replaceAll(":", "_")}`, note);
  }
}
