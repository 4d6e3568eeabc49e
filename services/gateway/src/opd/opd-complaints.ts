import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { Queue, QueueNames, forOpd, latestRouted, withoutIdentity } from '@aduan/queue';
import { MAX_CLOCK_AHEAD_MS, type RoutedComplaint, type StatusUpdate, type StatusView } from '@aduan/schema';
import type { GatewayDeps } from '../deps.ts';
import { HttpError, ValidationFailedError } from '../errors.ts';

/** A complaint as its OPD may see it: the OPD API's `OpdComplaint`, and the inbox page's. */
export interface OpdComplaintView {
  complaint: RoutedComplaint;
  status: StatusView;
  /** While the OPD has not answered: when it turns overdue (ISO). */
  respondBy?: string;
}

/**
 * A confidential citizen's words in their complaint's history, as its OPD reads it: a "routed"
 * step's message is the reason they gave when they reopened it (ADR 0014), masked as forOpd masks
 * the text.
 */
function withReopenReasonsMasked(view: StatusView, reporter: NonNullable<RoutedComplaint['reporter']>): StatusView {
  return { ...view, history: view.history.map((h) => (h.state === 'routed' && h.message ? { ...h, message: withoutIdentity(h.message, reporter) } : h)) };
}

/** A report an OPD sends on one of its complaints: through its API key or its inbox page. */
export interface OpdReport {
  state: StatusUpdate['state'];
  message?: string | undefined;
  at?: string | undefined;
  /** The OPD's own id for it; queued as `<opd>.<updateId>`. */
  updateId: string;
}

export type OpdReportOutcome = 'ok' | 'not_found' | 'update_id_reused' | 'stale_report' | 'invalid';

/** Who sent a report, for the log: an API key's id or an inbox account's username (`staff`; a key named `username` is redacted from logs). */
export type OpdActor = { keyId: string } | { staff: string };

/**
 * What the OPD API and the OPD inbox page share: reading a complaint as its OPD may, and
 * queueing the OPD's report on it with the same checks, whichever way it came.
 */
export class OpdComplaints {
  private readonly deps: GatewayDeps;
  private readonly routedQueue: Queue;
  private readonly statusQueue: Queue;

  constructor(app: FastifyInstance, deps: GatewayDeps) {
    this.deps = deps;
    this.routedQueue = new Queue(QueueNames.routed, { connection: deps.redis, prefix: deps.prefix });
    this.statusQueue = new Queue(QueueNames.status, { connection: deps.redis, prefix: deps.prefix });
    for (const q of [this.routedQueue, this.statusQueue]) q.on('error', () => {});
    app.addHook('onClose', async () => {
      await Promise.all([this.routedQueue.close(), this.statusQueue.close()]).catch(() => {});
    });
  }

  /** The complaint as `opd` may see it, or null when it is not (or no longer) theirs. */
  async view(opd: string, id: string): Promise<OpdComplaintView | null> {
    const found = await this.find(opd, id);
    return found?.complaint ? { complaint: found.complaint, status: found.status, ...(found.respondBy ? { respondBy: found.respondBy } : {}) } : null;
  }

  /**
   * As view(), and also a complaint still with `opd` whose routing is no longer kept (neither
   * `routed` nor a routed copy holds it: routed over 30 days before copies were kept, or re-opened
   * over 30 days after it closed): its status alone, `complaint` null, so that the OPD can still
   * answer it. `lastDay`, while unanswered: 00.00 WIB of the last working day to answer on (ISO).
   */
  async find(opd: string, id: string): Promise<(Omit<OpdComplaintView, 'complaint'> & { complaint: RoutedComplaint | null; lastDay?: string }) | null> {
    const loaded = await this.load(opd, id);
    if (!loaded) return null;
    const { routed, read } = loaded;
    // Callers linked by the radio desk after the decision are counted on the status record.
    const complaint = routed ? forOpd({ ...routed, supporters: Math.max(routed.supporters, read.record.supporters ?? 0) }) : null;
    const status = routed?.reporter?.confidential ? withReopenReasonsMasked(read.view, routed.reporter) : read.view;
    const routedAt = routed?.routing.routedAt ?? read.view.history.findLast((h) => h.state === 'routed')?.at;
    // The deadline of this decision, while the OPD has not answered it (the awaiting index's clock).
    const { deadline } = this.deps;
    if (!deadline || read.record.state !== 'routed' || !routedAt) return { complaint, status };
    const routedMs = Date.parse(routedAt);
    return { complaint, status, respondBy: new Date(deadline.respondBy(routedMs)).toISOString(), lastDay: new Date(deadline.lastDay(routedMs)).toISOString() };
  }

  /**
   * The complaint's latest routing and its status, when both say it is with `opd`: a triage
   * revision names the OPD that returned it, not theirs any more even while its record (written
   * last) still names them. `routed` null: its routing is no longer kept (see find) and the
   * record alone says where it is.
   */
  private async load(opd: string, id: string) {
    const read = await this.deps.status.read(id);
    if (!read || read.record.opd !== opd || read.view.opd?.code !== opd) return null;
    // Every routing step is a decision: an upper bound of its revisions, for a first decision gone from `routed`.
    const maxRevision = read.view.history.filter((h) => h.state === 'routed' || h.state === 'triage' || h.state === 'external').length;
    const routed = await latestRouted(this.routedQueue, this.deps.status, id, { maxRevision });
    if (routed && (routed.routing.triage || routed.routing.opd !== opd)) return null;
    if (!routed && !['routed', 'in_progress', 'resolved', 'rejected'].includes(read.record.state)) return null;
    return { routed, read };
  }

  /**
   * Queues `opd`'s report on complaint `id` for the router (jobId `<opd>.<updateId>`, so a retry
   * changes nothing). Throws HttpError: 404 not routed to `opd`, 409 `update_id_reused` /
   * `stale_report` / `return_unavailable`, 400 for an `at` out of bounds; `count` hears each outcome.
   */
  async report(opd: string, id: string, report: OpdReport, who: OpdActor, log: FastifyBaseLogger, count: (outcome: OpdReportOutcome) => void = () => {}): Promise<{ updateId: string; outcome: 'queued' | 'spooled' }> {
    const updateId = `${opd}.${report.updateId}`;
    // The jobId dedupes a retry; the same updateId for another complaint, or for another report
    // on this one, would be dropped as that retry, silently. (Redis away: the producer spools,
    // as for any other update.) Completed updates are kept 7 days (`status`'s retention).
    const earlier = (await this.statusQueue.getJob(updateId).catch(() => undefined)) as { data?: Partial<StatusUpdate> } | undefined;
    if (earlier?.data?.complaintId && earlier.data.complaintId !== id) {
      count('update_id_reused');
      throw new HttpError(409, 'update_id_reused', `updateId "${report.updateId}" was already used for another complaint; use an id unique to each update`);
    }
    if (earlier?.data?.complaintId) {
      const same = earlier.data.state === report.state && (earlier.data.message ?? '') === (report.message ?? '') && (report.at === undefined || Date.parse(report.at) === Date.parse(earlier.data.at ?? ''));
      if (!same) {
        count('update_id_reused');
        throw new HttpError(409, 'update_id_reused', `updateId "${report.updateId}" was already used for another report on this complaint (state "${earlier.data.state}"); use an id unique to each update`);
      }
      // A retry of this OPD's own report, answered as the first was, even once that report took
      // the complaint away from the OPD (a return): a system retrying after a lost answer must
      // not read 404 and think its return never arrived.
      count('ok');
      log.info({ complaintId: id, opd, ...who, updateId }, 'opd status update retried: already queued');
      return { updateId, outcome: 'queued' };
    }
    const loaded = await this.load(opd, id);
    if (!loaded) {
      count('not_found');
      throw new HttpError(404, 'not_found', 'No complaint with this id is routed to your OPD');
    }
    const rec = loaded.read.record;
    // A return publishes the complaint's latest decision again as a triage revision: with its
    // routing no longer kept (routed over 30 days before routed copies were kept, or re-opened
    // over 30 days after it closed), the router could not, and would drop the return after this 202.
    if (report.state === 'returned' && !loaded.routed) {
      count('invalid');
      throw new HttpError(409, 'return_unavailable', "This complaint's routing is no longer kept (it was routed to your OPD more than 30 days before Aduan kept the routing of open complaints, or it was closed for more than 30 days before it was re-opened), so it cannot be returned to triage. Report its progress instead: for a complaint that is not yours, \"rejected\" with a message telling the citizen which body handles it.");
    }
    // A date ahead of this clock would make every later report on the complaint (by any OPD
    // it is re-assigned to, too) "older than the last one" and dropped.
    if (report.at && Date.parse(report.at) - Date.now() > MAX_CLOCK_AHEAD_MS) {
      count('invalid');
      throw new ValidationFailedError({ at: { code: 'in_future', message: 'at must not be in the future (more than 5 minutes ahead of the server clock); leave it out to use the time of the request' } });
    }
    // Nothing happens to a complaint before it was received: such a date (a time zone gone
    // wrong) would show the citizen progress made before they complained, or (before 1970) be
    // dropped as older than any report. Clocks may differ by as much as ahead.
    if (report.at && Date.parse(report.at) < Date.parse(rec.receivedAt) - MAX_CLOCK_AHEAD_MS) {
      count('invalid');
      throw new ValidationFailedError({ at: { code: 'before_received', message: `at must not be before the complaint was received (${rec.receivedAt}, 5 minutes allowed for clocks); leave it out to use the time of the request` } });
    }
    // The router ignores a report older than the last one applied to the complaint (a late "in
    // progress" must not move "resolved" back): say so now rather than accept it with 202 and
    // drop it. (A retry of a report already queued was answered above.)
    if (report.at && rec.reportedAt !== undefined && Date.parse(report.at) < rec.reportedAt) {
      count('stale_report');
      throw new HttpError(409, 'stale_report', `A later report on this complaint (at ${new Date(rec.reportedAt).toISOString()}) was already applied, so this one (at ${report.at}) would be ignored. Leave "at" out to report as of now.`);
    }
    const update: StatusUpdate = {
      schemaVersion: 1,
      complaintId: id,
      state: report.state,
      opd,
      ...(report.message ? { message: report.message } : {}),
      // As of now, but not before the last report applied: that one may be dated up to
      // MAX_CLOCK_AHEAD_MS ahead of this clock (an OPD clock running fast), and the router
      // would drop a report "older" than it, after this 202.
      at: report.at ?? new Date(Math.max(Date.now(), rec.reportedAt ?? 0)).toISOString(),
      updateId,
    };
    const { outcome } = await this.deps.producer.add(QueueNames.status, updateId, update);
    count('ok');
    log.info({ complaintId: id, opd, ...who, state: update.state, updateId, outcome }, 'opd status update queued');
    return { updateId, outcome };
  }
}
