import type { Complaint, Notification, RoutedComplaint, Routing } from '@aduan/schema';
import { citizenMessages } from './citizen-messages.ts';
import { QueueNames } from './names.ts';
import type { DurableProducer } from './producer.ts';
import type { StatusStore } from './status-store.ts';

export const EXTERNAL_OPD = 'external';

/** jobId of a routing publication: the complaint id, plus `.r<n>` after the n-th re-assignment. */
export function routedJobId(complaintId: string, revision: number): string {
  return revision === 0 ? complaintId : `${complaintId}.r${revision}`;
}

/**
 * `opd.<code>` jobs of confidential complaints carry nothing that names the reporter: no
 * `reporter`, and no chat sender or thread id (a WhatsApp JID is the citizen's phone number).
 */
export function forOpd(routed: RoutedComplaint): RoutedComplaint {
  if (!routed.reporter?.confidential) return routed;
  const { reporter: _reporter, source, ...rest } = routed;
  const { senderId: _sender, threadId: _thread, ...anonymousSource } = source;
  return { ...rest, source: anonymousSource } as RoutedComplaint;
}

/**
 * Publishes one routing decision exactly as the queue contract says: `routed` always; then
 * `triage` when below the threshold, else `opd.<code>`; the citizen's status; and, for chat
 * channels, a notice on `notify.<channel>`. Every jobId is deterministic, so running this
 * twice for the same decision (a retried job) publishes nothing twice.
 */
export async function publishRouted(
  deps: { producer: DurableProducer; status: StatusStore },
  complaint: Complaint | RoutedComplaint,
  routing: Routing,
  supporters = 0,
): Promise<RoutedComplaint> {
  const routed: RoutedComplaint = { ...complaint, routing, supporters } as RoutedComplaint;
  const jobId = routedJobId(complaint.id, routing.revision);
  // The feed and the destination are independent: one round trip for both. A failure of either
  // fails the job, and BullMQ's retry adds both again (idempotent by jobId).
  await Promise.all([
    deps.producer.add(QueueNames.routed, jobId, routed),
    routing.triage ? deps.producer.add(QueueNames.triage, jobId, routed) : deps.producer.add(QueueNames.opd(routing.opd), jobId, forOpd(routed)),
  ]);

  const state = routing.triage ? 'triage' : routing.opd === EXTERNAL_OPD ? 'external' : 'routed';
  await deps.status.transition(complaint.id, {
    state,
    at: routing.routedAt,
    dedupeKey: `decision:r${routing.revision}`,
    ...(routing.external ? { message: routing.external.advice } : {}),
    ...(routing.triage ? {} : { opd: routing.opd, opdName: routing.opdName }),
  });

  const chat = complaint.channel === 'whatsapp' || complaint.channel === 'instagram' ? complaint.channel : undefined;
  if (chat && !routing.triage && complaint.source.threadId) {
    const text = routing.opd === EXTERNAL_OPD ? citizenMessages.external(complaint.ticket, routing.external?.advice) : citizenMessages.routed(complaint.ticket, routing.opdName);
    const note: Notification = {
      schemaVersion: 1,
      channel: chat,
      account: complaint.source.account,
      to: complaint.source.threadId,
      complaintId: complaint.id,
      ticket: complaint.ticket,
      kind: 'routed',
      text,
      createdAt: routing.routedAt,
    };
    await deps.producer.add(QueueNames.notify(chat), `routed.${complaint.id}.r${routing.revision}`, note);
  }
  return routed;
}
