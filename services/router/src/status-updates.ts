import type { Queue } from 'bullmq';
import { EXTERNAL_OPD, QueueNames, STATUS_NOTICES_PER_DAY, UnrecoverableError, citizenMessages, noticeTicket, latestRouted, noticeAddress, publishRouted, withdrawUntaken, isReportedStep, type DurableProducer, type ReportedStep, type StatusRecord, type StatusStore } from '@aduan/queue';
import { MAX_CLOCK_AHEAD_MS, type Notification, type RoutedComplaint, type Routing, type StatusUpdate } from '@aduan/schema';
import { metricsRegistry, type Logger } from '@aduan/telemetry';
import { Counter } from 'prom-client';

/** Status notices held back by the daily limit (STATUS_NOTICES_PER_DAY), by the reporting OPD: a rise names an OPD system to call. */
const noticesHeld = new Counter({ name: 'aduan_router_status_notices_held_total', help: 'Status notices to citizens held back by the daily limit per complaint, by reporting OPD', labelNames: ['opd'], registers: [metricsRegistry] });

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
 * Another decision on the complaint is being made right now (an admin assigning it: the same
 * lock, StatusStore.lockDecision). Try again later.
 */
export class DecisionBusyError extends Error {
  readonly code = 'ADUAN_ERR_DECISION_BUSY';
  constructor(complaintId: string) {
    super(`another decision on complaint ${complaintId} is being made`);
    this.name = 'DecisionBusyError';
  }
}

/** How long a report (a return too) holds the complaint's decision lock at most (a router that died). */
const DECISION_LOCK_MS = 30_000;

type StatusDeps = { producer: DurableProducer; status: StatusStore; routedQueue: Queue; logger: Logger };

/** The report's event: its dedupe key on the complaint and its notice's jobId. */
const eventOf = (update: StatusUpdate) => `status.${update.updateId.replaceAll(":", "_")}`;

/** Logs and makes the error for a report from an OPD the complaint is not (or no longer) routed to: never retried. */
function notRoutedTo(deps: { logger: Logger }, update: StatusUpdate, routedTo: string | undefined): UnrecoverableError {
  deps.logger.warn({ complaintId: update.complaintId, from: update.opd, updateId: update.updateId, routedTo: routedTo ?? null }, 'status update from an OPD the complaint is not routed to: ignored');
  return new UnrecoverableError(`complaint is not routed to ${update.opd}`);
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
 * - `acceptedMs`: when Aduan took the report (its job's time). The first report after a routing
 *   is recorded as answering it then (the monthly report's response time), whatever its `at`.
 */
export async function applyStatusUpdate(deps: StatusDeps, update: StatusUpdate, startedBefore = false, acceptedMs = Date.now()): Promise<void> {
  // One decision or report on a complaint at a time: a report applied while a return or an
  // admin's re-assignment is publishing its revision (the record, written last, still naming
  // this OPD) would tell the citizen the OPD is at work on a complaint that has left it.
  const token = await deps.status.lockDecision(update.complaintId, DECISION_LOCK_MS);
  if (!token) throw new DecisionBusyError(update.complaintId);
  try {
    await (update.state === 'returned' ? returnLocked(deps, update) : reportLocked(deps, update as ProgressReport, startedBefore, acceptedMs));
  } finally {
    await deps.status.unlockDecision(update.complaintId, token);
  }
}

/** A report of progress: any state but `returned`. */
type ProgressReport = StatusUpdate & { state: Exclude<StatusUpdate['state'], 'returned'> };

async function reportLocked(deps: StatusDeps, update: ProgressReport, startedBefore: boolean, acceptedMs: number): Promise<void> {
  const [rec, latest] = await Promise.all([deps.status.get(update.complaintId), latestRouted(deps.routedQueue, deps.status, update.complaintId)]);
  if (rec?.opd !== update.opd) waitIfDecisionUnrecorded(latest, update);
  if (!rec) throw new UnrecoverableError(`status update ${update.updateId} names an unknown complaint`);
  // The record names the OPD, but a newer decision (a return, a re-assignment) was published and
  // not recorded yet (a router or gateway that died in between): it is no longer theirs. (No
  // decision on `routed` any more, after 30 days: the routed copy is the record's own, or, for
  // a complaint routed before copies were kept, there is none and the record decides.)
  const movedAway = !!latest && (latest.routing.triage || latest.routing.opd !== update.opd);
  if (rec.opd !== update.opd || movedAway) throw notRoutedTo(deps, update, rec.opd);
  const at = reportedAt(deps, update);
  const outcome = await deps.status.transition(update.complaintId, {
    state: update.state,
    // Checked again in the same script as the write: a re-assignment may land in between.
    requireOpd: update.opd,
    at,
    acceptedMs,
    dedupeKey: eventOf(update),
    ...(update.message ? { message: update.message } : {}),
  });
  if (outcome === 'wrong_opd') throw notRoutedTo(deps, update, undefined);
  // The citizen's later photos of the same complaint (its additions) go along, also on a retry.
  if (outcome === 'applied' || outcome === 'duplicate') await reportAdditions(deps, update, at, acceptedMs);
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
  // The chat it came from, or the WhatsApp chat a web form or radio citizen follows it in.
  const address = noticeAddress(rec);
  if (address) {
    // A notice finished again (duplicate) was counted when first sent. Counted per decision: an
    // OPD the complaint is re-assigned to is not held to the notices of the one before.
    const decision = `${update.opd}.r${latest?.routing.revision ?? ''}`;
    const taken = outcome === 'duplicate' ? ({ told: true } as const) : await deps.status.takeNotice(rec.id, update.state, decision);
    if (!taken.told) {
      deps.logger.warn({ complaintId: rec.id, opd: update.opd, state: update.state, perDay: STATUS_NOTICES_PER_DAY[update.state === 'in_progress' ? 'progress' : 'outcome'] }, 'status notices to this citizen over the daily limit: recorded, not told');
      noticesHeld.inc({ opd: update.opd });
      // Looked at again once the limit allows: told then where it stands, if not what they last heard.
      await deps.status.holdNotice(rec.id, Date.now() + taken.windowEndsInMs);
      return;
    }
    await tellStatus(deps, rec, address, { state: update.state, opdName: rec.opdName ?? update.opd, message: update.message, at: update.at, jobId: eventOf(update) });
  }
}

/**
 * An OPD's report on a complaint holds for its additions (photos, a location or contact card its
 * citizen sent after it, each with a ticket of its own: StatusStore.linkAddition) that are with
 * the same OPD and not closed: they take the same state and message, as a return takes them back
 * to triage. Otherwise each waited for an answer of its own, turned overdue, and staff answered
 * the same problem once per photo. The citizen hears it once, of the complaint: no notice is sent
 * for an addition (its acknowledgement said it goes with the complaint). One already in the
 * reported state, or closed, or an addition an admin sent elsewhere, or one the OPD answered later
 * on its own (stale), stays as it is. Each under its own decision lock, taken after the
 * complaint's; one busy now fails the report's job, whose retry finishes the rest (the complaint's
 * step is then a duplicate, each addition's step keyed on the report: idempotent).
 */
async function reportAdditions(deps: StatusDeps, update: ProgressReport, at: string, acceptedMs: number): Promise<void> {
  for (const id of await deps.status.additions(update.complaintId)) {
    const token = await deps.status.lockDecision(id, DECISION_LOCK_MS);
    if (!token) throw new DecisionBusyError(id);
    try {
      const [rec, latest] = await Promise.all([deps.status.get(id), latestRouted(deps.routedQueue, deps.status, id)]);
      if (!rec || rec.opd !== update.opd || (rec.state !== 'routed' && rec.state !== 'in_progress') || rec.state === update.state) continue;
      if (latest && (latest.routing.triage || latest.routing.opd !== update.opd)) continue;
      const outcome = await deps.status.transition(id, { state: update.state, requireOpd: update.opd, at, acceptedMs, dedupeKey: `${eventOf(update)}.of.${update.complaintId}`, ...(update.message ? { message: update.message } : {}) });
      if (outcome === 'applied') deps.logger.info({ complaintId: id, addsTo: update.complaintId, opd: update.opd, state: update.state }, "addition follows its complaint's report");
    } finally {
      await deps.status.unlockDecision(id, token);
    }
  }
}

/** Queues a status notice to the complaint's citizen. */
async function tellStatus(deps: StatusDeps, rec: StatusRecord, address: NonNullable<ReturnType<typeof noticeAddress>>, n: { state: ReportedStep; opdName: string; message: string | undefined; at: string; jobId: string }): Promise<void> {
  const note: Notification = {
    schemaVersion: 1,
    ...address,
    complaintId: rec.id,
    ticket: rec.ticket,
    kind: 'status',
    text: citizenMessages[n.state](noticeTicket(address.channel, rec.ticket), n.opdName, n.message),
    createdAt: n.at,
  };
  await deps.producer.add(QueueNames.notify(address.channel), n.jobId, note);
}

/**
 * The complaints whose status notices the daily limit held back, once it allows (their window
 * over, `nowMs`): a citizen whose last notice says other than where the complaint stands now
 * ("resolved", then re-opened over the limit) is told once where it stands, with its latest note.
 * Under the complaint's decision lock, so that no report's notice is overtaken by this older
 * news; a complaint busy now, or a notice that could not be queued, is looked at again in a
 * minute. Returns how many were told.
 */
export async function tellHeldNotices(deps: StatusDeps, nowMs = Date.now()): Promise<number> {
  let told = 0;
  for (const id of await deps.status.takeDueHeld(nowMs)) {
    const token = await deps.status.lockDecision(id, DECISION_LOCK_MS);
    if (!token) {
      await deps.status.holdNotice(id, nowMs + 60_000);
      continue;
    }
    try {
      const [rec, last, history] = await Promise.all([deps.status.get(id), deps.status.lastTold(id), deps.status.history(id)]);
      const address = rec ? noticeAddress(rec) : undefined;
      if (!rec || !address || !isReportedStep(rec.state) || rec.state === last) continue;
      const latest = history.findLast((h) => h.state === rec.state);
      await tellStatus(deps, rec, address, { state: rec.state, opdName: rec.opdName ?? rec.opd ?? '', message: latest?.message, at: new Date(nowMs).toISOString(), jobId: `held.${rec.id}.${Date.parse(rec.updatedAt)}` });
      await deps.status.rememberTold(rec.id, rec.state);
      told++;
      deps.logger.info({ complaintId: rec.id, opd: rec.opd, state: rec.state }, 'held status notice: the citizen is told where the complaint stands now');
    } catch (err) {
      await deps.status.holdNotice(id, nowMs + 60_000).catch(() => {});
      deps.logger.warn({ complaintId: id, err: (err as Error).message }, 'held status notice not told: looked at again in a minute');
    } finally {
      await deps.status.unlockDecision(id, token);
    }
  }
  return told;
}

/** Throws DecisionNotRecordedError when the latest published decision gives the complaint to the reporting OPD, recently enough that its record may still follow. */
function waitIfDecisionUnrecorded(latest: RoutedComplaint | null, update: StatusUpdate): void {
  if (!latest || latest.routing.triage || latest.routing.opd !== update.opd) return;
  if (Date.now() - Date.parse(latest.routing.routedAt) < DECISION_RECORD_WAIT_MS) throw new DecisionNotRecordedError(update.complaintId, update.opd);
}

/** The report's time; one dated in the future (beyond clock differences) is taken as made now. */
function reportedAt(deps: { logger: Logger }, update: StatusUpdate): string {
  const now = Date.now();
  if (Date.parse(update.at) - now <= MAX_CLOCK_AHEAD_MS) return update.at;
  deps.logger.warn({ complaintId: update.complaintId, opd: update.opd, updateId: update.updateId, at: update.at }, 'status update dated in the future: recorded as made now');
  return new Date(now).toISOString();
}

/** A triage revision published by this OPD's return. */
const isReturnBy = (r: RoutedComplaint | null, opd: string): boolean => !!r && r.routing.triage && r.routing.decidedBy === 'opd' && r.routing.opd === opd;

/**
 * The OPD says the complaint is not theirs ("bukan kewenangan kami"): it goes back to the city's
 * admin. A new revision (`<id>.r<n+1>`) of the latest decision is published through
 * publishRouted, in triage, decidedBy "opd", with the OPD's message as its note: `routed` and
 * `triage` get it, and the status record goes to "triage" without the OPD (whose later reports
 * are refused). The citizen is told nothing (publishRouted tells nothing for triage); they hear
 * "diteruskan" once the admin assigns it.
 * - Same checks as other reports: only the OPD the complaint is routed to (a decision not
 *   recorded yet waits), and a return older than that OPD's last report applied is stale.
 * - One decision at a time: it holds the lock of the admin's assignment (DecisionBusyError).
 * - A retry publishes no second revision: when the latest revision is this OPD's return and the
 *   record still names the OPD (the record is written last; the router died before it), the same
 *   revision is published again (every jobId is deterministic) to finish it; when the record is
 *   in triage already, nothing is left to do.
 */
async function returnLocked(deps: StatusDeps, update: StatusUpdate): Promise<void> {
  const log = { complaintId: update.complaintId, opd: update.opd, updateId: update.updateId };
  // "external" is no OPD's system but the city's advice to go elsewhere (its revision carries that
  // advice): only the admin moves such a complaint, by re-assigning it.
  if (update.opd === EXTERNAL_OPD) {
    deps.logger.warn(log, 'return of an external complaint: ignored (the admin re-assigns it)');
    throw new UnrecoverableError('an external complaint cannot be returned; the admin re-assigns it on the triage page');
  }
  const event = eventOf(update);
  const [rec, latest, done] = await Promise.all([deps.status.get(update.complaintId), latestRouted(deps.routedQueue, deps.status, update.complaintId), deps.status.seen(update.complaintId, event)]);
  if (!rec) throw new UnrecoverableError(`status update ${update.updateId} names an unknown complaint`);
  // This very return was applied already (its job run again): the admin may have assigned the
  // complaint back to the OPD since, and that decision stands.
  if (done) {
    deps.logger.info(log, 'return already applied: nothing to do');
    return;
  }
  const supporters = Math.max(latest?.supporters ?? 0, rec.supporters ?? 0);
  if (latest && isReturnBy(latest, update.opd)) {
    if (rec.opd === update.opd) {
      deps.logger.warn({ ...log, revision: latest.routing.revision }, 'complaint returned by its OPD: finishing an earlier attempt');
      await publishReturn(deps, latest, latest.routing, supporters);
      await returnAdditions(deps, latest, update.opd, latest.routing.routedAt);
      await deps.status.markSeen(update.complaintId, event);
    } else if (rec.state === 'triage') {
      // The record is written, but the router may have died before the withdrawal, or before
      // its additions followed it.
      await withdrawUntaken(deps.producer, update.opd, latest.id, latest.routing.revision - 1);
      await returnAdditions(deps, latest, update.opd, latest.routing.routedAt);
      await deps.status.markSeen(update.complaintId, event);
      deps.logger.info(log, 'complaint already returned by this OPD: nothing to do');
    } else {
      throw notRoutedTo(deps, update, rec.opd);
    }
    return;
  }
  if (rec.opd !== update.opd) waitIfDecisionUnrecorded(latest, update);
  if (rec.opd !== update.opd || !latest || latest.routing.triage || latest.routing.opd !== update.opd) throw notRoutedTo(deps, update, rec.opd);
  const at = reportedAt(deps, update);
  if (rec.reportedAt !== undefined && Date.parse(at) < rec.reportedAt) {
    deps.logger.warn({ ...log, state: update.state }, 'status update older than the last one applied: ignored');
    return;
  }
  // The decision returned, as it was (its OPD is the reporting one, checked above), made a triage step.
  const { external: _external, note: _note, ...earlier } = latest.routing;
  const routing: Routing = {
    ...earlier,
    confidence: 0,
    reasons: [`returned by ${update.opd}`],
    decidedBy: 'opd',
    triage: true,
    revision: latest.routing.revision + 1,
    ...(update.message ? { note: update.message } : {}),
    routedAt: at,
  };
  await publishReturn(deps, latest, routing, supporters);
  await returnAdditions(deps, latest, update.opd, at);
  await deps.status.markSeen(update.complaintId, event);
  deps.logger.info({ ...log, revision: routing.revision }, 'complaint returned by its OPD: back in triage');
}

/**
 * The additions of a returned complaint (photos or contacts its citizen sent after it, each with
 * a ticket of its own: StatusStore.linkAddition) that are with the returning OPD and not answered
 * go back to triage with it, as returns of their own by that OPD: off its queue while untaken, out
 * of its feed's "routed" state and of its response deadline (the OPD said the complaint is not
 * theirs; its photos are not either). The triage page shows them with their complaint, and the
 * admin's assignment of the complaint takes them along (the gateway's followAdditions). One an
 * admin sent elsewhere, or that the OPD resolved or rejected, stays. Each under its own decision
 * lock, taken after the complaint's (the order an admin's assignment takes them in); one busy now
 * fails the report's job, whose retry finishes the rest (each step is idempotent).
 */
async function returnAdditions(deps: StatusDeps, complaint: RoutedComplaint, opd: string, at: string): Promise<void> {
  for (const id of await deps.status.additions(complaint.id)) {
    const token = await deps.status.lockDecision(id, DECISION_LOCK_MS);
    if (!token) throw new DecisionBusyError(id);
    try {
      const [rec, latest] = await Promise.all([deps.status.get(id), latestRouted(deps.routedQueue, deps.status, id)]);
      if (!rec || !latest) continue;
      const supporters = Math.max(latest.supporters ?? 0, rec.supporters ?? 0);
      // Returned already (an earlier attempt of this return): finish it when its record still names the OPD.
      if (isReturnBy(latest, opd)) {
        if (rec.opd === opd) await publishReturn(deps, latest, latest.routing, supporters);
        continue;
      }
      if (latest.routing.triage || latest.routing.opd !== opd || rec.opd !== opd || (rec.state !== 'routed' && rec.state !== 'in_progress')) continue;
      const { external: _external, note: _note, ...earlier } = latest.routing;
      await publishReturn(deps, latest, {
        ...earlier,
        confidence: 0,
        reasons: [`returned by ${opd}`, `tambahan untuk aduan ${complaint.ticket}`],
        decidedBy: 'opd',
        triage: true,
        revision: latest.routing.revision + 1,
        note: `Tambahan untuk aduan ${complaint.ticket}; dikembalikan bersama aduan itu.`,
        routedAt: at,
      }, supporters);
      deps.logger.info({ complaintId: id, addsTo: complaint.id, opd }, 'addition returned to triage with its complaint');
    } finally {
      await deps.status.unlockDecision(id, token);
    }
  }
}

/**
 * Publishes the return's revision, then takes the decision it returns (the revision before, to
 * the same OPD) off that OPD's queue while it is untaken, as a re-assignment does: an OPD that
 * reads the OPD API's feed never takes it.
 */
async function publishReturn(deps: StatusDeps, latest: RoutedComplaint, routing: Routing, supporters: number): Promise<void> {
  const { routing: _previous, ...complaint } = latest;
  await publishRouted({ producer: deps.producer, status: deps.status }, complaint as RoutedComplaint, routing, supporters);
  await withdrawUntaken(deps.producer, routing.opd, latest.id, routing.revision - 1);
}
