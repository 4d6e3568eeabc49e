import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IsoDateTime, RoutedComplaint, StatusUpdate, StatusView, requireReturnMessage } from '@aduan/schema';
import { bearerToken } from '../bearer.ts';
import type { GatewayDeps } from '../deps.ts';
import { ErrorBody, HttpError } from '../errors.ts';
import type { OpdComplaints } from './opd-complaints.ts';
import type { OpdKey } from './opd-keys.ts';
import type { MonthlyReports } from '../report/monthly-reports.ts';
import { monthOf } from '../report/monthly-report.ts';
import { MonthQuery, OpdMonthlyReportSchema } from '../report/report-schema.ts';
import { sendAttachment } from '../views/attachment-reply.ts';

const ComplaintId = z.string().regex(/^[0-9A-Z]{26}$/);

const OpdStatusRequest = z
  .object({
    state: StatusUpdate.shape.state,
    message: StatusUpdate.shape.message,
    /** When it happened; default: when the gateway received the request (or the last report applied, when that is dated later). */
    at: StatusUpdate.shape.at.optional(),
    /** The OPD system's own id for this update: a retry with the same id changes nothing. */
    updateId: z.string().regex(/^[A-Za-z0-9._-]{1,150}$/, 'updateId: 1-150 letters, digits, ".", "_" or "-"'),
  })
  // The admin who re-assigns a returned complaint needs to know why: `message` `required`.
  .superRefine(requireReturnMessage)
  .meta({ id: 'OpdStatusRequest' });

const OpdStatusAccepted = z
  .object({
    /** The update's id on the `status` queue: `<opd>.<updateId>`. */
    updateId: z.string(),
    outcome: z.enum(['queued', 'spooled']),
  })
  .meta({ id: 'OpdStatusAccepted' });

const OpdComplaint = z
  .object({
    /** As the OPD's queue carries it: no reporter when the citizen asked for confidentiality. */
    complaint: RoutedComplaint,
    status: StatusView,
    respondBy: IsoDateTime.optional().meta({
      description:
        "While the complaint waits for your OPD's first report (`status.state` is `routed`): the moment it turns overdue, i.e. 00:00 WIB of the first working day after the city's response deadline (OPD_RESPONSE_DAYS working days, Monday to Friday without the city's listed holidays, counted from the day after it was routed to you; a re-assignment starts it afresh). Report `in_progress`, `resolved`, `rejected` or `returned` before then. Absent once you reported, or when the city has no deadline.",
      examples: ['2026-12-07T17:00:00.000Z'],
    }),
  })
  .meta({ id: 'OpdComplaint' });

/** A feed position: the routing time (ms) and id of the last complaint read. */
const CURSOR_RE = /^(\d{1,15})\.([0-9A-Z]{26})$/;

const OpdFeed = z
  .object({
    items: z.array(OpdComplaint),
    /** Pass as `after` to read on; the same cursor again when there was nothing new. */
    next: z.string(),
  })
  .meta({ id: 'OpdFeed' });

/**
 * The OPD API: an OPD's own system reads the complaints routed to it and reports progress,
 * with a per-OPD API key (`pnpm --filter @aduan/gateway opd-key:add <opd>`). The key decides
 * which OPD is speaking, and a complaint routed elsewhere (or never routed) is "not found": a
 * key can neither read nor move another OPD's complaints. Updates go to the `status` queue
 * like any other, and the router applies them and tells the citizen. The key also reads its
 * OPD's row of the admins' monthly report, and no other's.
 */
export async function registerOpdApi(app: FastifyInstance, deps: GatewayDeps, complaints: OpdComplaints, reports: MonthlyReports): Promise<void> {

  // Every OPD route checks its key first (onRequest): no answer, not even a 400, without one.
  const verified = new WeakMap<FastifyRequest, OpdKey>();
  const count = (opd: string, action: string, outcome: 'ok' | 'not_found' | 'unauthenticated' | 'update_id_reused' | 'stale_report' | 'invalid' | 'rate_limited') => deps.metrics.opdRequests.inc({ opd, action, outcome });
  const authenticate = (action: 'feed' | 'read' | 'status' | 'attachment' | 'report') => async (req: FastifyRequest): Promise<void> => {
    const secret = bearerToken(req);
    const key = secret ? await deps.opdKeys.verify(secret) : null;
    if (!key) {
      count('none', action, 'unauthenticated');
      // Where from: an OPD system that lost its key, or someone trying keys (AduanOpdApiKeyRefused).
      req.log.warn({ event: 'opd_key_refused', action, reason: secret ? 'invalid_key' : 'key_required', client: req.ip }, 'OPD API call refused: no valid key');
      if (!secret) throw new HttpError(401, 'key_required', 'Send the OPD API key as "Authorization: Bearer <key>"');
      throw new HttpError(401, 'invalid_key', 'Unknown or revoked OPD API key');
    }
    verified.set(req, key);
  };
  const keyOf = (req: FastifyRequest): OpdKey => {
    const key = verified.get(req);
    if (!key) throw new Error('OPD route without its onRequest key check');
    return key;
  };
  const perMinute = deps.config.OPD_REPORTS_PER_MINUTE;
  const reportLimit =
    perMinute > 0
      ? {
          max: perMinute,
          timeWindow: 60_000,
          hook: 'preHandler' as const,
          keyGenerator: (req: FastifyRequest) => `opd-key:${keyOf(req).id}`,
          errorResponseBuilder: (req: FastifyRequest, ctx: { ttl: number }) => {
            count(keyOf(req).opd, 'status', 'rate_limited');
            const retryAfterSeconds = Math.ceil(ctx.ttl / 1000);
            return new HttpError(429, 'rate_limited', `More than ${perMinute} reports a minute with this key (OPD_REPORTS_PER_MINUTE); retry in ${retryAfterSeconds} s`, { retryAfterSeconds });
          },
        }
      : false;
  const complaintFor = (key: OpdKey, id: string) => complaints.view(key.opd, id);
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/opd/complaints',
    {
      onRequest: authenticate('feed'),
      schema: {
        summary: 'The complaints routed to your OPD, oldest first (OPD API key)',
        description:
          'A feed: start without `after`, then pass the `next` of each answer. A complaint appears when it is routed to your OPD (again when it is re-assigned back, or when its citizen reopens it after your resolution: `routing.reopened` says why, in their words); one re-assigned away since is left out. Keeps the last 30 days.',
        tags: ['opd'],
        security: [{ opdKey: [] }],
        querystring: z.object({ after: z.string().regex(CURSOR_RE, 'after: a `next` cursor from an earlier answer').optional(), limit: z.coerce.number().int().min(1).max(100).default(50) }),
        response: { 200: OpdFeed, 400: ErrorBody, 401: ErrorBody, 503: ErrorBody },
      },
    },
    async (req) => {
      const key = keyOf(req);
      const m = req.query.after ? CURSOR_RE.exec(req.query.after) : null;
      const after = m ? { ms: Number(m[1]), id: m[2] as string } : { ms: 0, id: '' };
      const entries = await deps.status.opdInbox(key.opd, after, req.query.limit);
      const items = (await Promise.all(entries.map((e) => complaintFor(key, e.id)))).filter((i) => i !== null);
      count(key.opd, 'feed', 'ok');
      const last = entries.at(-1);
      return { items, next: last ? `${last.ms}.${last.id}` : (req.query.after ?? '0.00000000000000000000000000') };
    },
  );

  r.get(
    '/api/v1/opd/complaints/:id',
    {
      onRequest: authenticate('read'),
      schema: {
        summary: 'A complaint routed to your OPD (OPD API key)',
        description: 'The complaint as your `opd.<code>` queue carries it (its latest routing) and its current status. A complaint routed to another OPD answers 404, as an unknown one does.',
        tags: ['opd'],
        security: [{ opdKey: [] }],
        params: z.object({ id: ComplaintId }),
        response: { 200: OpdComplaint, 401: ErrorBody, 404: ErrorBody, 503: ErrorBody },
      },
    },
    async (req) => {
      const key = keyOf(req);
      const found = await complaintFor(key, req.params.id);
      count(key.opd, 'read', found ? 'ok' : 'not_found');
      if (!found) throw new HttpError(404, 'not_found', 'No complaint with this id is routed to your OPD');
      return found;
    },
  );

  r.get(
    '/api/v1/opd/complaints/:id/attachments/:sha256',
    {
      onRequest: authenticate('attachment'),
      schema: {
        summary: "A photo or other file of a complaint routed to your OPD (OPD API key)",
        description:
          "The bytes of one of the complaint's `attachments`, named by its `sha256`, as `Content-Type` its `mimeType` and as a download (`Content-Disposition: attachment`). 404 when the complaint is not routed to your OPD, has no attachment with that hash, or the file is not in this gateway's storage (`ATTACHMENT_DIR`, which the chat services must share).",
        tags: ['opd'],
        security: [{ opdKey: [] }],
        params: z.object({ id: ComplaintId, sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256: 64 lower-case hex digits, as in `attachments[].sha256`') }),
        response: { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 503: ErrorBody },
      },
    },
    async (req, reply) => {
      const key = keyOf(req);
      const found = await complaintFor(key, req.params.id);
      const attachment = found?.complaint.attachments.find((a) => a.sha256 === req.params.sha256);
      const file = attachment ? await deps.storage.open(attachment.storageKey) : null;
      count(key.opd, 'attachment', file ? 'ok' : 'not_found');
      if (!attachment || !file) throw new HttpError(404, 'not_found', 'No such attachment of a complaint routed to your OPD');
      return sendAttachment(reply as FastifyReply, attachment, file);
    },
  );

  r.post(
    '/api/v1/opd/complaints/:id/status',
    {
      onRequest: authenticate('status'),
      // Per key, after its check (preHandler): OPD_REPORTS_PER_MINUTE.
      config: { rateLimit: reportLimit },
      schema: {
        summary: 'Report progress on a complaint routed to your OPD (OPD API key)',
        description:
          'Queues a `StatusUpdate` on `status` with `opd` set from the key (jobId and `updateId` `<opd>.<updateId>`, so a retry changes nothing: the same report sent again is answered 202 as the first was, even after a return took the complaint away; another report under the same `updateId`, on this complaint or another, is refused with 409 `update_id_reused`). The router records it and, for WhatsApp and Instagram complaints, tells the citizen; `message` is shown to the citizen (Bahasa Indonesia). `state: "returned"` says the complaint is not your OPD\'s ("bukan kewenangan kami"): it goes back to the city\'s admin (triage) for re-assignment, `message` (required) tells the admin why and is not shown to the citizen, and your key can no longer read or report on it (404) unless the admin assigns it to your OPD again. A report dated (`at`) before the last report applied to the complaint is refused with 409 `stale_report` (the router would ignore it). A return of a complaint whose routing is no longer kept (routed to you more than 30 days before Aduan kept the routing of open complaints) is refused with 409 `return_unavailable`: a return publishes that routing again for triage.',
        tags: ['opd'],
        security: [{ opdKey: [] }],
        params: z.object({ id: ComplaintId }),
        body: OpdStatusRequest,
        response: { 202: OpdStatusAccepted, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody, 503: ErrorBody },
      },
    },
    async (req, reply) => {
      const key = keyOf(req);
      const accepted = await complaints.report(key.opd, req.params.id, req.body, { keyId: key.id }, req.log, (outcome) => count(key.opd, 'status', outcome));
      return reply.code(202).send(accepted);
    },
  );

  r.get(
    '/api/v1/opd/report',
    {
      onRequest: authenticate('report'),
      schema: {
        summary: "Your OPD's row of the monthly report (OPD API key)",
        description:
          "Your OPD's figures of the city's monthly report (`GET /api/v1/reports/monthly`, admins), counted the same way: the complaints received in the month (WIB) that are with your OPD now, by where they stand, with your on-time answers, those past the deadline and your median response time. A month in which none is with your OPD answers zeros, not 404. Reads every complaint of the month: ask once a day, not on every poll of the feed. A `month` that is not YYYY-MM: 400 `validation_failed`, field code `invalid`.",
        tags: ['opd'],
        security: [{ opdKey: [] }],
        querystring: MonthQuery,
        response: { 200: OpdMonthlyReportSchema, 400: ErrorBody, 401: ErrorBody, 503: ErrorBody },
      },
    },
    async (req) => {
      const key = keyOf(req);
      const report = await reports.opd(key.opd, req.query.month ?? monthOf(Date.now()));
      count(key.opd, 'report', 'ok');
      return report;
    },
  );
}
