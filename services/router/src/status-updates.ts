import type { Queue } from 'bullmq';
import { QueueNames, UnrecoverableError, citizenMessages, latestRouted, type DurableProducer, type StatusStore } from '@aduan/queue';
import { MAX_CLOCK_AHEAD_MS, type Notification, type StatusUpdate } from '@aduan/schema';
import type { Logger } from '@aduan/telemetry';

/** How long a notify job is kept, so that re-adding one with the same id is a no-op (names.ts). */
const NOTICE_KEPT_MS = 7 * 86_400_000;

/**
 * How long after a decision was published a report on it waits for the status record to say
 * so. The intake job that records it is retried for about ten minutes (names.ts: 10 attempts,
 * exponential from 1 s), after a crashed router's lock has expired.
 */
export const DECISION_RECORD_WAIT_MS = 30 * 60_000;

/**
 * The complaint is on the reporting OPD's queue, but its status record does not say so yet:
 * publishRouted writes the queues before the record, and a router that died (or a write that
 * failed) in between records it only when the intake job is retried. Try again later.
 */
export class DecisionNotRecordedError extends Error {
  readonly code = 'ADUAN_ERR_DECISION_NOT_RECORDED';
  constructor(complaintId: string, opd: string) {
    super(`complaint ${complaintId} is on opd.${opd} but its status record does not say so yet`);
    this.name = 'DecisionNotRecordedError';
  }
}

/**
 * A downstream system reports progress. Only the OPD the complaint is routed to may move it;
 * the citizen hears about it on the chat channel they used.
 * - A report older than the last one applied is stale: not applied, not told. A report dated
 *   in the future (beyond clock differences) is taken as made now: its date would otherwise make
 *   every later report of the complaint stale (the OPD API refuses such dates; a system that
 *   adds to `status` directly may not).
 * - A report already applied is told again only by a job started before (`startedBefore`: it
 *   may have died between the two writes), and only while its notice's job would still be there
 *   to dedupe it. A re-post of the report is a new job, with a new `at` when it comes through the
 *   OPD API: weeks later, after both jobs were cleaned up, it must not send the citizen an old
 *   notice a second time.
 * - A report on a decision that is published but not recorded yet (DecisionNotRecordedError)
 *   waits for it: the OPD took the complaint from its queue, so it is theirs.
 */
export async function applyStatusUpdate(deps: { producer: DurableProducer; status: StatusStore; routedQueue: Queue; logger: Logger }, update: StatusUpdate, startedBefore = false): Promise<void> {
  const rec = await deps.status.get(update.complaintId);
  if (rec?.opd !== update.opd) await waitIfDecisionUnrecorded(deps, update);
  if (!rec) throw new UnrecoverableError(`status update ${update.updateId} names an unknown complaint`);
  if (rec.opd !== update.opd) {
    deps.logger.warn({ complaintId: update.complaintId, from: update.opd, routedTo: rec.opd ?? null }, 'status update from an OPD the complaint is not routed to: ignored');
    throw new UnrecoverableError(`complaint is not routed to ${update.opd}`);
  }
  const now = Date.now();
  const ahead = Date.parse(update.at) - now > MAX_CLOCK_AHEAD_MS;
  if (ahead) deps.logger.warn({ complaintId: update.complaintId, opd: update.opd, updateId: update.updateId, at: update.at }, 'status update dated in the future: recorded as made now');
  const outcome = await deps.status.transition(update.complaintId, {
    state: update.state,
    // Checked again in the same script as the write: a re-assignment may land in between.
    requireOpd: update.opd,
    at: ahead ? new Date(now).toISOString() : update.at,
    dedupeKey: `status.${update.updateId.replaceAll(":", "_")}`,
    ...(update.message ? { message: update.message } : {}),
  });
  if (outcome === 'wrong_opd') throw new UnrecoverableError(`complaint is not routed to ${update.opd}`);
  if (outcome === 'stale') {
    deps.logger.warn({ complaintId: update.complaintId, opd: update.opd, state: update.state }, 'status update older than the last one applied: ignored');
    return;
  }
  if (outcome === 'repeated') {
    // The citizen is not told the same state once more either (a notice per sync of a chatty OPD system).
    deps.logger.warn({ complaintId: update.complaintId, opd: update.opd, state: update.state }, "status update repeating the state of a complaint whose history is full: ignored");
    return;
  }
  if (outcome === 'duplicate' && !(startedBefore && Date.now() - Date.parse(update.at) < NOTICE_KEPT_MS)) return;
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

/** Throws DecisionNotRecordedError when the latest published decision gives the complaint to the reporting OPD, recently enough that its record may still follow. */
async function waitIfDecisionUnrecorded(deps: { routedQueue: Queue }, update: StatusUpdate): Promise<void> {
  const latest = await latestRouted(deps.routedQueue, update.complaintId);
  if (!latest || latest.routing.triage || latest.routing.opd !== update.opd) return;
  if (Date.now() - Date.parse(latest.routing.routedAt) < DECISION_RECORD_WAIT_MS) throw new DecisionNotRecordedError(update.complaintId, update.opd);
}
