import { latestRouted, publishRouted, withdrawUntaken, UnrecoverableError, type DurableProducer, type StatusStore } from '@aduan/queue';
import type { Queue } from 'bullmq';
import type { ReopenRequest, RoutedComplaint, Routing } from '@aduan/schema';
import type { Logger } from '@aduan/telemetry';
import { DecisionBusyError } from './status-updates.ts';

/** How long a reopen holds the complaint's decision lock at most (a router that died). */
const DECISION_LOCK_MS = 30_000;

type ReopenDeps = { producer: DurableProducer; status: StatusStore; routedQueue: Queue; logger: Logger };

/**
 * The citizen says the OPD's resolution did not solve the problem (ADR 0014): the complaint goes
 * back to the same OPD as a new revision of its latest decision (`<id>.r<n+1>`, `reopened` set
 * with their words), on `routed` and `opd.<code>`; publishRouted tells the citizen and moves the
 * record to "routed" (a new response deadline, the OPD's awaiting index and inbox, the reason in
 * its history, the reopen counted). The requester (the gateway, a chat adapter) checked the window
 * and the limit; here, under the decision lock, only that it is still resolved as it was.
 * - One decision at a time: the lock of an admin's assignment and an OPD's report (DecisionBusyError).
 * - Once: the job's id is the resolution's; a retry that finds its revision published but the
 *   record not written yet (the router died in between) publishes it again (deterministic jobIds:
 *   nothing twice) to finish it; one that finds it done, or the complaint moved on, does nothing.
 */
export async function applyReopen(deps: ReopenDeps, req: ReopenRequest): Promise<void> {
  const token = await deps.status.lockDecision(req.complaintId, DECISION_LOCK_MS);
  if (!token) throw new DecisionBusyError(req.complaintId);
  try {
    await reopenLocked(deps, req);
  } finally {
    await deps.status.unlockDecision(req.complaintId, token);
  }
}

async function reopenLocked(deps: ReopenDeps, req: ReopenRequest): Promise<void> {
  const log = { complaintId: req.complaintId, via: req.via };
  const [rec, latest] = await Promise.all([deps.status.get(req.complaintId), latestRouted(deps.routedQueue, deps.status, req.complaintId)]);
  if (!rec) throw new UnrecoverableError('reopen of an unknown complaint');
  const supporters = Math.max(latest?.supporters ?? 0, rec.supporters ?? 0);
  if (latest?.routing.reopened?.at === req.at) {
    // This very reopen is published; its record still says "resolved" when the router died before writing it.
    if (rec.state === 'resolved') {
      deps.logger.warn({ ...log, revision: latest.routing.revision }, 'reopen published but not recorded: finishing an earlier attempt');
      await publishReopen(deps, latest, latest.routing, supporters);
    }
    return;
  }
  // Moved on since it was asked (reopened already, answered again, re-assigned): nothing to do.
  if (rec.state !== 'resolved' || rec.updatedAt !== req.resolvedAt) {
    deps.logger.info({ ...log, state: rec.state }, 'reopen of a complaint no longer in the resolution it answers: ignored');
    return;
  }
  if (!latest || latest.routing.triage || latest.routing.opd !== rec.opd) {
    deps.logger.warn(log, "reopen of a complaint whose latest decision on `routed` is not its record's OPD: ignored");
    return;
  }
  // The decision it was resolved under, again: the same OPD, its note not repeated as new.
  const { note: _note, reopened: _reopened, ...earlier } = latest.routing;
  const routing: Routing = {
    ...earlier,
    revision: latest.routing.revision + 1,
    reopened: { reason: req.reason, at: req.at, count: (rec.reopens ?? 0) + 1 },
    routedAt: new Date().toISOString(),
  };
  await publishReopen(deps, latest, routing, supporters);
  deps.logger.info({ ...log, opd: routing.opd, revision: routing.revision, count: routing.reopened!.count }, 'complaint reopened by its citizen: routed again to its OPD');
}

/**
 * Publishes the reopen's revision, then takes the revision before it off the OPD's queue while it
 * is untaken: the OPD gets the complaint once, as reopened.
 */
async function publishReopen(deps: ReopenDeps, latest: RoutedComplaint, routing: Routing, supporters: number): Promise<void> {
  const { routing: _previous, ...complaint } = latest;
  await publishRouted({ producer: deps.producer, status: deps.status }, complaint as RoutedComplaint, routing, supporters);
  await withdrawUntaken(deps.producer, routing.opd, latest.id, routing.revision - 1);
}
