import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Directory } from '@aduan/routing/directory';
import { DEFAULT_EXTERNAL_ADVICE, EXTERNAL_OPD, forOpd, latestRouted, publishRouted, routedJobId, withdrawUntaken, withoutIdentity, type DurableProducer, type StatusStore } from '@aduan/queue';
import type { RoutedComplaint, Routing } from '@aduan/schema';
import type { Logger } from '@aduan/telemetry';
import { HttpError } from '../errors.ts';

export interface TriageDeps {
  redis: Redis;
  prefix: string;
  producer: DurableProducer;
  status: StatusStore;
  directory: Directory;
  triageQueue: Queue;
  routedQueue: Queue;
  logger: Logger;
}

/** One human correction of the router, kept as labelled data (`GET /api/v1/triage/corrections`). */
export interface Correction {
  id: string;
  text: string;
  category?: string;
  location?: RoutedComplaint['location'];
  /** The OPD a person decided: the label. */
  opd: string;
  /** What the router had said. */
  /**
   * What had been decided before: the router (or an earlier admin). For a complaint its OPD
   * returned, the decision that OPD returned, not the return itself.
   */
  router: { opd: string; confidence: number; triage: boolean; decidedBy: string };
  /** The complaint came back from this OPD ("bukan kewenangan kami"), with its reason. */
  returned?: { opd: string; note?: string };
  note?: string;
  by: string;
  at: string;
}

export const correctionsKey = (prefix: string) => `${prefix}:routing:corrections`;

/**
 * How many corrections Redis keeps (the newest): one is written per admin decision, with the
 * complaint's text, and nothing else would ever remove it. Download the export regularly to keep
 * more.
 */
export const CORRECTIONS_MAX = 10_000;

/** An admin's assignment: `revision` is the one the admin saw; `follows`, for an addition moved with its complaint, that complaint's ticket. */
export interface AssignInput {
  id: string;
  opd: string;
  note?: string;
  by: string;
  revision?: number;
  follows?: string;
}

const ASSIGN_LOCK_MS = 30_000;
/**
 * How long an assignment waits for the complaint's decision lock: the router holds it for each
 * OPD report it applies (milliseconds), and an OPD's return. Another admin's assignment holds it
 * longer and is answered with 409 once this is over.
 */
const ASSIGN_LOCK_WAIT_MS = 2_000;

async function lockWithin(deps: Pick<TriageDeps, 'status'>, id: string): Promise<string | null> {
  const until = Date.now() + ASSIGN_LOCK_WAIT_MS;
  for (;;) {
    const token = await deps.status.lockDecision(id, ASSIGN_LOCK_MS);
    if (token || Date.now() >= until) return token;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * An admin assigns a complaint to an OPD: re-published to `routed` (`<id>.r<n>`) and
 * `opd.<code>` with decidedBy "admin", the citizen told, the triage entry removed and the
 * correction recorded. Works for complaints in triage and for re-assigning routed ones.
 *
 * One assignment of a complaint at a time (a Redis lock): two admins deciding at once would
 * otherwise both publish revision n+1, to two OPDs. `revision`, when given, is the revision the
 * admin saw: an assignment made meanwhile refuses this one (409 `assignment_conflict`) rather
 * than send the complaint on to a second OPD. Assigning it to the OPD it is already with changes
 * nothing (a double-click, a resubmitted form). The same admin's assignment sent again after it
 * was published (it failed part-way: Redis gone before the rest) is finished, not refused.
 */
export async function assignComplaint(deps: TriageDeps, input: AssignInput): Promise<RoutedComplaint> {
  const opd = deps.directory.opds.find((o) => o.code === input.opd) ?? (input.opd === 'external' ? { code: 'external', name: 'Di luar kewenangan Pemerintah Kota Blitar' } : undefined);
  if (!opd) throw new HttpError(400, 'validation_failed', 'Unknown OPD code', { fields: { opd: { code: 'unknown_opd', message: `opd must be one of: ${deps.directory.opds.map((o) => o.code).join(', ')}` } } });
  // The same lock as an OPD's return (the router): one decision on a complaint at a time.
  const token = await lockWithin(deps, input.id);
  if (!token) throw new HttpError(409, 'assignment_conflict', 'Another decision on this complaint is being made right now; reload and look again');
  try {
    return await assignLocked(deps, input, opd);
  } finally {
    await deps.status.unlockDecision(input.id, token);
  }
}

/**
 * Whether `current` is this very assignment, published already: the same admin's decision for the
 * same OPD, one revision after the one they decided on. Sent again (a retry after a failure part-way,
 * Redis gone after the publish; a resubmitted page), its remaining steps are finished, not refused
 * as another admin's.
 */
function isThisAssignment(current: Routing, input: Pick<AssignInput, 'by' | 'revision'>, opd: string): boolean {
  return current.decidedBy === 'admin' && !current.triage && current.opd === opd && current.reasons[0] === `assigned by admin ${input.by}` && (input.revision === undefined || current.revision === input.revision + 1);
}

/** The event (StatusStore.markSeen) of an admin's assignment finished, every step of it done: revision `revision`. */
const assignedEvent = (revision: number) => `assigned:r${revision}`;

async function assignLocked(deps: TriageDeps, input: AssignInput, opd: { code: string; name: string }): Promise<RoutedComplaint> {
  const [latest, record] = await Promise.all([latestRouted(deps.routedQueue, deps.status, input.id), deps.status.get(input.id)]);
  if (!latest) throw new HttpError(404, 'not_found', 'No routed complaint with this id');
  const again = isThisAssignment(latest.routing, input, opd.code) && latest.routing.revision > 0;
  // Finished already (its last step done): nothing to do again. Redoing it would record the
  // correction twice once it left the list's newest end, and tell the citizen again once their
  // notice's job was removed (after a week).
  if (again && (await deps.status.seen(input.id, assignedEvent(latest.routing.revision)))) return latest;
  // Sent again: finished from the decision it was made on (its routing is the one published).
  const current = again ? ((await deps.routedQueue.getJob(routedJobId(input.id, latest.routing.revision - 1)))?.data as RoutedComplaint | undefined) : latest;
  if (!current) return latest;
  if (!again && input.revision !== undefined && input.revision !== current.routing.revision) {
    throw new HttpError(409, 'assignment_conflict', `This complaint was assigned meanwhile (now: ${current.routing.triage ? 'triage' : current.routing.opd}); reload and decide again`);
  }
  if (!again && !current.routing.triage && current.routing.opd === opd.code) return current;
  const routing: Routing = again ? latest.routing : {
    opd: opd.code,
    opdName: opd.name,
    confidence: 1,
    reasons: [`assigned by admin ${input.by}`, ...(input.follows ? [`tambahan untuk aduan ${input.follows}`] : [])],
    alternatives: [],
    decidedBy: 'admin',
    triage: false,
    // Outside the city's remit: the status page and "cek" tell the citizen where to go, as for the router's.
    ...(opd.code === EXTERNAL_OPD ? { external: { body: opd.name, advice: DEFAULT_EXTERNAL_ADVICE } } : {}),
    revision: current.routing.revision + 1,
    ...(input.note ? { note: input.note } : {}),
    routedAt: new Date().toISOString(),
    routerVersion: current.routing.routerVersion,
  };
  const { routing: previous, ...complaint } = current;
  // Callers the desk linked are counted on the status record (and on `<id>.s<n>` jobs, which
  // latestRouted does not read): the OPD must get the count, not the one of the last decision.
  const supporters = Math.max(current.supporters, record?.supporters ?? 0);
  const routed = await publishRouted({ producer: deps.producer, status: deps.status }, complaint as RoutedComplaint, routing, supporters, input.follows ? { addsTo: input.follows } : {});
  await deps.triageQueue.remove(input.id).catch(() => 0);
  for (let rev = 1; rev <= current.routing.revision; rev++) await deps.triageQueue.remove(`${input.id}.r${rev}`).catch(() => 0);
  if (!previous.triage && (await withdrawUntaken(deps.producer, previous.opd, input.id, previous.revision))) {
    deps.logger.info({ complaintId: input.id, opd: previous.opd }, "re-assigned complaint withdrawn from the earlier OPD's queue");
  }
  // A return whose router died before it withdrew the decision it returned: done here.
  if (previous.triage && previous.decidedBy === 'opd' && previous.revision > 0) await withdrawUntaken(deps.producer, previous.opd, input.id, previous.revision - 1);
  await followAdditions(deps, { id: input.id, ticket: complaint.ticket, by: input.by }, previous, routing);
  // An addition's words are ours: no label for the router to learn from. Its mark is enough.
  if (input.follows) {
    await deps.status.markSeen(input.id, assignedEvent(routing.revision));
    deps.logger.info({ complaintId: input.id, from: previous.opd, to: opd.code, revision: routing.revision }, 'addition moved with its complaint');
    return routed;
  }
  // Labelled data, exported and kept long: a confidential reporter's identity masked as for an OPD.
  const labelled = forOpd(current);
  // A returned complaint corrects the decision its OPD returned (the revision before the return).
  const returnedBy = previous.triage && previous.decidedBy === 'opd' ? previous : undefined;
  const corrected = returnedBy && previous.revision > 0 ? ((await deps.routedQueue.getJob(routedJobId(input.id, previous.revision - 1)))?.data as RoutedComplaint | undefined)?.routing : undefined;
  const before = corrected ?? previous;
  const correction: Correction = {
    id: input.id,
    text: labelled.text,
    ...(labelled.category ? { category: labelled.category } : {}),
    ...(labelled.location ? { location: labelled.location } : {}),
    opd: opd.code,
    router: { opd: before.opd, confidence: before.confidence, triage: before.triage, decidedBy: before.decidedBy },
    // The OPD saw the complaint masked; its words are masked as the text is, should they name the reporter.
    ...(returnedBy ? { returned: { opd: returnedBy.opd, ...(returnedBy.note ? { note: current.reporter?.confidential ? withoutIdentity(returnedBy.note, current.reporter) : returnedBy.note } : {}) } } : {}),
    // The note its OPD got: an assignment sent again keeps the one it was published with.
    ...(routing.note ? { note: routing.note } : {}),
    by: input.by,
    at: routing.routedAt,
  };
  // The last step, with the mark that every step is done: both or neither, so that the
  // correction is recorded once however often the assignment is sent again.
  const writes = deps.redis.multi().rpush(correctionsKey(deps.prefix), JSON.stringify(correction)).ltrim(correctionsKey(deps.prefix), -CORRECTIONS_MAX, -1);
  await deps.status.markSeenIn(writes, input.id, assignedEvent(routing.revision)).exec();
  deps.logger.info({ complaintId: input.id, from: previous.opd, to: opd.code, revision: routing.revision, ...(again ? { sentAgain: true } : {}) }, 'complaint assigned by admin');
  return routed;
}

/**
 * The additions of a complaint (a photo the same citizen sent soon after it was acknowledged,
 * filed as a complaint of its own: StatusStore.linkAddition) go where the complaint goes: those
 * waiting in triage for it, and those with the OPD it leaves. An addition an admin sent elsewhere
 * on its own stays. Each is an assignment of its own (its OPD's queue, the citizen told under its
 * ticket), by the same admin. One assigned meanwhile by someone else is left as it is. One this
 * assignment moved already, when it is sent again after a failure part-way (the addition's move
 * published, not all of its steps done), has its move finished as any assignment sent again.
 */
async function followAdditions(deps: TriageDeps, complaint: { id: string; ticket: string; by: string }, from: Routing, to: Routing): Promise<void> {
  for (const id of await deps.status.additions(complaint.id)) {
    const latest = await latestRouted(deps.routedQueue, deps.status, id);
    if (!latest) continue;
    const at = latest.routing;
    const movedAlready = isThisAssignment(at, { by: complaint.by }, to.opd) && at.reasons.includes(`tambahan untuk aduan ${complaint.ticket}`);
    const follows = movedAlready || additionFollows(at, from);
    if (!follows || (!movedAlready && !at.triage && at.opd === to.opd)) continue;
    try {
      // Moved already: sent again on the revision it was moved from (assignLocked finishes it, or finds it done).
      await assignComplaint(deps, { id, opd: to.opd, by: complaint.by, revision: movedAlready ? at.revision - 1 : at.revision, follows: complaint.ticket, note: `Tambahan untuk aduan ${complaint.ticket} dari pelapor yang sama; ikut aduan itu.` });
    } catch (err) {
      if (!(err instanceof HttpError && err.statusCode === 409)) throw err;
      deps.logger.info({ complaintId: id, addsTo: complaint.id }, 'addition assigned meanwhile: left where it is');
    }
  }
}

/**
 * Whether an addition where `at` says it is goes with its complaint when the complaint leaves
 * `from` (its decision now): waiting in triage, or with the OPD the complaint is with (or that
 * returned it). One an admin sent elsewhere on its own stays. The triage page says so with the
 * same rule (triage-additions.ts).
 */
export function additionFollows(at: { triage: boolean; opd?: string | undefined }, from: Pick<Routing, 'opd' | 'triage' | 'decidedBy'>): boolean {
  return at.triage || (at.opd === from.opd && (!from.triage || from.decidedBy === 'opd'));
}

export async function listCorrections(deps: Pick<TriageDeps, 'redis' | 'prefix'>): Promise<Correction[]> {
  return (await deps.redis.lrange(correctionsKey(deps.prefix), 0, -1)).map((s) => JSON.parse(s) as Correction);
}

/** Complaints waiting in `triage`, oldest first. */
export async function listTriage(deps: Pick<TriageDeps, 'triageQueue'>, limit = 200): Promise<RoutedComplaint[]> {
  const jobs = await deps.triageQueue.getJobs(['waiting', 'prioritized', 'delayed'], 0, limit - 1, true);
  return jobs.filter((j) => j?.data).map((j) => j.data as RoutedComplaint);
}
