import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Queue, QueueNames, latestRouted } from '@aduan/queue';
import { OpdCode, RoutedComplaint, normalizeTicket } from '@aduan/schema';
import { AuthError, authenticate, cookieOf, loginRedirect, requireJson, requireRole, requireSameOrigin, userOf } from '../auth/index.ts';
import type { GatewayDeps } from '../deps.ts';
import { HttpError } from '../errors.ts';
import { retryAfterSeconds, statusOf } from '../error-handler.ts';
import { AssignDraftStore, DRAFT_COOKIE, DRAFT_TTL_SECONDS, type AssignDraft } from './assign-draft.ts';
import { assignComplaint, listCorrections, listTriage, type TriageDeps } from './assign.ts';
import { changedMeanwhile, triagePage, type TriagePageOptions } from './triage-page.ts';
import { assignRetryPage } from './assign-retry-page.ts';
import { readAdditions } from './triage-additions.ts';
import { listOverdue } from '../overdue/overdue-list.ts';
import { sendPage } from '../views/page-reply.ts';
import { isInlineImage, sendAttachment } from '../views/attachment-reply.ts';

/** An item of `GET /api/v1/triage`: the complaint as the router published it, and what the page says of its additions. */
const TriageItem = RoutedComplaint.extend({
  additions: z
    .array(z.object({ id: z.string(), ticket: z.string(), receivedAt: z.string(), follows: z.boolean(), opdName: z.string().optional() }))
    .optional()
    .meta({ description: 'Additions linked to this complaint (the oldest 10); `follows`: assigned along with it; else `opdName`, where an admin sent it on its own' }),
  follows: z.object({ id: z.string(), ticket: z.string() }).optional().meta({ description: 'This is an addition waiting for that complaint, itself in triage: assigning it takes this one along' }),
}).meta({ id: 'TriageItem' });

/** A complaint id (a ULID); anything else names no complaint. */
const ComplaintId = z.string().regex(/^[0-9A-Z]{26}$/);
const AssignBody = z
  .object({
    opd: OpdCode,
    note: z.string().trim().max(2000).optional(),
    revision: z.number().int().nonnegative().optional().meta({ description: "The routing revision you decided on (the triage item's `routing.revision`). When another assignment came first, 409 `assignment_conflict` instead of a second OPD." }),
  })
  .meta({ id: 'AssignRequest' });

type AssignForm = { opd?: unknown; note?: unknown; revision?: unknown; next?: unknown } | undefined;

/** The page form's fields. Form fields are text; anything else (an object from a JSON body) counts as empty. */
function assignForm(body: AssignForm): Omit<AssignDraft, 'id'> {
  const opd = typeof body?.opd === 'string' ? body.opd.slice(0, 40) : '';
  const note = typeof body?.note === 'string' ? body.note.slice(0, 2000) : '';
  // The revision the page showed: a form sent after another admin's decision must not override it.
  const revision = typeof body?.revision === 'string' && /^\d{1,6}$/.test(body.revision) ? Number(body.revision) : undefined;
  const next = typeof body?.next === 'string' && ComplaintId.safeParse(body.next).success ? body.next : undefined;
  return { opd, note, ...(revision !== undefined ? { revision } : {}), ...(next ? { next } : {}) };
}

/** What the triage page says after a failed assignment (`?error=`). */
const ASSIGN_ERRORS: Record<string, string> = {
  conflict: 'Aduan ini baru saja diputuskan oleh orang lain. Cari tiketnya untuk melihat keadaannya sekarang.',
  failed: 'Aduan tidak dapat diteruskan. Mohon coba lagi.',
};

/** Triage by a human: `/admin/triage`, `GET /api/v1/triage`, `POST /api/v1/complaints/:id/assign`, corrections export. */
export async function registerTriage(app: FastifyInstance, deps: GatewayDeps): Promise<TriageDeps> {
  const triageQueue = new Queue(QueueNames.triage, { connection: deps.redis, prefix: deps.prefix });
  const routedQueue = new Queue(QueueNames.routed, { connection: deps.redis, prefix: deps.prefix });
  for (const q of [triageQueue, routedQueue]) q.on('error', () => {});
  app.addHook('onClose', async () => {
    await Promise.all([triageQueue.close(), routedQueue.close()]).catch(() => {});
  });
  const t: TriageDeps = { redis: deps.redis, prefix: deps.prefix, producer: deps.producer, status: deps.status, directory: deps.directory, triageQueue, routedQueue, logger: deps.logger };
  const admin = requireRole('admin');
  const r = app.withTypeProvider<ZodTypeProvider>();
  const drafts = new AssignDraftStore(deps.redis, deps.prefix);
  const choiceCodes = new Set([...deps.directory.opds.map((o) => o.code), 'external']);
  const draftCookie = { path: '/admin/triage', httpOnly: true, secure: deps.auth.cookie.secure, sameSite: 'strict' as const };
  const draftToken = (req: FastifyRequest) => cookieOf(req, DRAFT_COOKIE);

  /**
   * The page form's assignment that could not be made (Redis away, a timeout, an OPD the list does
   * not have): the same form again, with the admin's OPD and note, to send again (assignRetryPage),
   * not an error page that loses them. The status is the error handler's (503 and Retry-After when
   * Redis is away or full). The note goes into no log line.
   */
  function assignFailed(req: FastifyRequest<{ Params: { id: string }; Body: AssignForm }>, reply: FastifyReply, err: unknown): FastifyReply {
    const error = err instanceof Error ? err : new Error(String(err));
    const status = statusOf(error);
    const retryAfter = retryAfterSeconds(error);
    if (retryAfter !== undefined) reply.header('Retry-After', String(retryAfter));
    if (status === 503) req.log.warn({ err: error.message }, 'triage assignment not made (redis unreachable or refusing writes): its form answered 503, to send again');
    else if (status >= 500) req.log.error({ err: error }, 'unhandled error');
    return sendPage(reply.code(status), assignRetryPage(deps.directory, { id: req.params.id, form: assignForm(req.body), status }));
  }

  /**
   * Keeps the draft of a form sent without a session. A browser some account logged in from (an
   * admin's, whose session lapsed) is held to a budget of its own, not to the one anonymous
   * requests share: nobody else can use it up for them, and one such cookie cannot fill Redis
   * either. Returns the id for the draft's cookie, or null past the budget.
   */
  async function keepDraft(req: FastifyRequest, draft: AssignDraft): Promise<string | null> {
    const device = cookieOf(req, deps.auth.cookie.deviceName);
    return device !== undefined && (await deps.auth.throttle.isDevice(device)) ? drafts.saveForDevice(draft, device) : drafts.saveAnonymous(draft);
  }

  /**
   * The page form's assignment: an admin whose session expired while they read and typed is sent
   * to log in as by `admin`, with their decision kept (AssignDraftStore) for the page they come
   * back to, to confirm. When the session cannot be checked or the draft not kept (Redis away),
   * the form comes back to be sent again (assignFailed): it holds only what the request sent.
   * requireSameOrigin runs first: another site can neither plant a draft nor have a form sent back.
   */
  const adminKeepingDraft = async function (this: FastifyInstance, req: FastifyRequest<{ Params: { id: string }; Body: AssignForm }>, reply: FastifyReply) {
    const known = ComplaintId.safeParse(req.params.id).success;
    try {
      let user;
      try {
        user = await authenticate(req, deps.auth);
      } catch (err) {
        // Not a session's answer (Redis away): the form back, without asking Redis a second time.
        if (!(err instanceof AuthError)) throw err;
        const lapsed = err.code === 'unauthenticated' || err.code === 'session_expired';
        // Each draft kept counts as a login from the address: anyone may send this form without a session.
        if (lapsed && known && !(await deps.auth.throttle.addressAttempt(req.ip))) {
          const form = assignForm(req.body);
          // Only a choice the page offers is kept (an OPD code is the directory's); a form with
          // nothing chosen or typed has nothing to restore. Past the budget: no draft, as before drafts.
          const opd = choiceCodes.has(form.opd) ? form.opd : '';
          const token = opd || form.note ? await keepDraft(req, { id: req.params.id, ...form, opd }) : null;
          if (token) reply.setCookie(DRAFT_COOKIE, token, { ...draftCookie, maxAge: DRAFT_TTL_SECONDS });
          return reply.redirect(loginRedirect(req, err.code === 'session_expired'), 303);
        }
      }
      if (user?.role === 'admin') {
        req.user = user;
        return;
      }
      return await admin.call(this, req, reply);
    } catch (err) {
      if (err instanceof HttpError || !known) throw err;
      return assignFailed(req, reply, err);
    }
  };

  r.get('/api/v1/triage', {
    preHandler: admin,
    schema: {
      summary: 'Complaints waiting for a human decision (admin)',
      description: "Oldest first, up to 200. Each item may say what the page says of additions (photos or contact cards the same chat citizen sent after a complaint, filed with tickets of their own): `additions`, those linked to it (the oldest 10), each with whether it goes with the complaint when you assign it (`follows`) or stays where an admin sent it on its own (`opdName`); `follows`, for an addition that waits for a complaint in triage: assigning that complaint takes it along, so it needs no decision of its own.",
      tags: ['triage'],
      response: { 200: z.object({ items: z.array(TriageItem) }) },
    },
  }, async () => {
    const items = await listTriage(t);
    const additions = await readAdditions({ status: deps.status, routedQueue }, items);
    return {
      items: items.map((c) => {
        const own = additions.of.get(c.id)?.shown.map((a) => ({ id: a.id, ticket: a.ticket, receivedAt: a.receivedAt, follows: a.follows, ...(a.opdName ? { opdName: a.opdName } : {}) }));
        const follows = additions.follows.get(c.id);
        return {
          // The admin sees who reported unless the reporter asked for confidentiality.
          ...(c.reporter?.confidential ? { ...c, reporter: undefined } : c),
          ...(own?.length ? { additions: own } : {}),
          ...(follows ? { follows: { id: follows.id, ticket: follows.ticket } } : {}),
        };
      }),
    };
  });

  r.post('/api/v1/complaints/:id/assign', {
    // Who asks, then what: a caller without a session hears 401, not the body's validation errors.
    preValidation: [admin, requireJson],
    schema: {
      summary: 'Assign a complaint to an OPD (admin)',
      description: 'Re-publishes to `routed` (jobId `<id>.r<n>`) and `opd.<code>` with decidedBy "admin", tells the citizen, removes it from triage and records the correction.',
      tags: ['triage'],
      params: z.object({ id: ComplaintId }),
      body: AssignBody,
      response: {
        200: z.object({
          id: z.string(),
          ticket: z.string(),
          opd: z.string(),
          revision: z.number(),
          note: z.string().optional().meta({ description: "The note the OPD received with this decision; absent: none. When it is not the note you sent, yours did not reach the OPD: the complaint was already with that OPD (the same OPD chosen again, or this assignment sent again after it was published with another note)." }),
        }),
      },
    },
  }, async (req) => {
    const routed = await assignComplaint(t, { id: req.params.id, opd: req.body.opd, ...(req.body.note ? { note: req.body.note } : {}), ...(req.body.revision !== undefined ? { revision: req.body.revision } : {}), by: userOf(req).username });
    return { id: routed.id, ticket: routed.ticket, opd: routed.routing.opd, revision: routed.routing.revision, ...(routed.routing.note ? { note: routed.routing.note } : {}) };
  });

  app.get('/api/v1/triage/corrections', {
    preHandler: admin,
    schema: { summary: 'Every human correction as JSON lines (id, text, category, location, opd = the label) for `pnpm eval:routing`', tags: ['triage'] },
  }, async (_req, reply) => {
    const lines = (await listCorrections(t)).map((c) => JSON.stringify(c)).join('\n');
    return reply.type('application/x-ndjson').header('content-disposition', 'attachment; filename="routing-corrections.jsonl"').send(lines ? `${lines}\n` : '');
  });

  /** The confirmation after an assignment: the ticket's record says where it went (a ticket it does not know shows nothing). */
  async function doneOf(query: { done?: unknown; next?: unknown; note?: unknown }): Promise<TriagePageOptions['done']> {
    const ticket = typeof query.done === 'string' ? normalizeTicket(query.done, deps.config.TICKET_PREFIX) : null;
    const id = ticket ? await deps.status.idForTicket(ticket) : null;
    const record = id ? await deps.status.get(id) : null;
    if (!record) return undefined;
    const before = typeof query.next === 'string' && ComplaintId.safeParse(query.next).success ? query.next : undefined;
    // Its additions that went with it: with the same OPD now.
    const additions = record.opd && id ? (await Promise.all((await deps.status.additions(id)).map((a) => deps.status.get(a)))).filter((a) => a?.opd === record.opd).map((a) => a!.ticket) : [];
    return { ticket: record.ticket, ...(record.opdName ? { opdName: record.opdName } : {}), ...(before ? { before } : {}), ...(query.note === 'unsent' ? { noteUnsent: true } : {}), ...(additions.length ? { additions } : {}) };
  }

  /** A ticket as the admin typed it (case, spaces and dashes do not matter): the complaint as it is now, in triage or routed. */
  async function find(query: string): Promise<RoutedComplaint | undefined> {
    const ticket = normalizeTicket(query, deps.config.TICKET_PREFIX);
    const id = ticket ? await deps.status.idForTicket(ticket) : null;
    return (id && (await latestRouted(routedQueue, deps.status, id))) || undefined;
  }

  app.get<{ Querystring: { done?: string; next?: string; note?: string; error?: string; tiket?: string } }>('/admin/triage', { preHandler: admin, schema: { hide: true } }, async (req, reply) => {
    const query = typeof req.query.tiket === 'string' ? req.query.tiket.trim().slice(0, 40) : '';
    const [items, waiting, done, found, overdue] = await Promise.all([
      query ? [] : listTriage(t),
      triageQueue.getJobCountByTypes('waiting', 'prioritized', 'delayed'),
      doneOf(req.query),
      query ? find(query) : undefined,
      query || !deps.deadline ? undefined : listOverdue(deps),
    ]);
    // Late OPDs nobody reads in Aduan (no inbox account, no API key): said with their group.
    const unread = overdue?.length ? await opdsWithoutReaders(deps, overdue.map((g) => g.opd)) : undefined;
    const conflict = req.query.error === 'conflict' && found;
    // After a conflict, the note the admin typed is still there (their choice named, not selected).
    const [draft, additions] = await Promise.all([
      conflict ? drafts.get(draftToken(req), found.id) : null,
      readAdditions({ status: deps.status, routedQueue }, found ? [found] : items),
    ]);
    const prefill = found && draft ? { earlier: draft.opd, note: draft.note, revision: found.routing.revision } : undefined;
    return sendPage(reply, triagePage(deps.directory, items, {
      username: userOf(req).username,
      waiting,
      additions,
      ...(done ? { done } : {}),
      ...(conflict ? { error: changedMeanwhile(found.routing) } : req.query.error ? { error: (Object.hasOwn(ASSIGN_ERRORS, String(req.query.error)) ? ASSIGN_ERRORS[String(req.query.error)] : undefined) ?? ASSIGN_ERRORS.failed } : {}),
      ...(query ? { search: { query, ...(found ? { found } : {}), ...(prefill ? { prefill } : {}) } } : {}),
      ...(overdue && deps.deadline ? { overdue: { groups: overdue, days: deps.deadline.days, unread: unread ?? new Set<string>() } } : {}),
    }));
  });

  // A complaint's photos, for the admin deciding where it goes (the triage page shows them).
  app.get<{ Params: { id: string; sha256: string } }>('/admin/triage/:id/attachments/:sha256', { preHandler: admin, schema: { hide: true } }, async (req, reply) => {
    const { id, sha256 } = req.params;
    // Waiting in triage (its job id is the complaint's), or routed since.
    const complaint = ComplaintId.safeParse(id).success ? (((await triageQueue.getJob(id))?.data as RoutedComplaint | undefined) ?? (await latestRouted(routedQueue, deps.status, id))) : undefined;
    const attachment = complaint?.attachments.find((a) => a.sha256 === sha256);
    const file = attachment ? await deps.storage.open(attachment.storageKey) : null;
    if (!attachment || !file) throw new HttpError(404, 'not_found', 'No such attachment');
    return sendAttachment(reply, attachment, file, { inline: isInlineImage(attachment.mimeType) });
  });

  // Where the login page sends an admin whose session expired as they sent an assignment (its
  // `next`): that complaint with the OPD and note they had sent, to confirm; without a draft (it
  // expired too, or another browser), back to that complaint on the list, not to a 404.
  app.get<{ Params: { id: string } }>('/admin/triage/:id/assign', { preHandler: admin, schema: { hide: true } }, async (req, reply) => {
    if (!ComplaintId.safeParse(req.params.id).success) return reply.redirect('/admin/triage', 303);
    const draft = await drafts.get(draftToken(req), req.params.id);
    const complaint = draft ? await latestRouted(routedQueue, deps.status, req.params.id) : undefined;
    if (!draft || !complaint) return reply.redirect(`/admin/triage#t-${req.params.id}`, 303);
    const [waiting, additions] = await Promise.all([triageQueue.getJobCountByTypes('waiting', 'prioritized', 'delayed'), readAdditions({ status: deps.status, routedQueue }, [complaint])]);
    // Decided by someone else meanwhile: the admin sees where it is now and confirms against that.
    const meanwhile = draft.revision !== undefined && draft.revision !== complaint.routing.revision;
    // Their choice is then only named, not selected: a stray Enter must not override what happened.
    const prefill = meanwhile ? { earlier: draft.opd, note: draft.note, revision: complaint.routing.revision } : { opd: draft.opd, note: draft.note, revision: draft.revision ?? complaint.routing.revision };
    return sendPage(reply, triagePage(deps.directory, [], { username: userOf(req).username, waiting, additions, restored: { complaint, draft: prefill, meanwhile, ...(draft.next ? { next: draft.next } : {}) } }));
  });

  app.post<{ Params: { id: string }; Body: AssignForm }>('/admin/triage/:id/assign', { preHandler: [requireSameOrigin, adminKeepingDraft], schema: { hide: true } }, async (req, reply) => {
    if (!ComplaintId.safeParse(req.params.id).success) return reply.redirect('/admin/triage?error=failed', 303);
    const { opd, note, revision, next } = assignForm(req.body);
    let routed;
    try {
      routed = await assignComplaint(t, { id: req.params.id, opd, ...(note ? { note } : {}), ...(revision !== undefined ? { revision } : {}), by: userOf(req).username });
    } catch (err) {
      if (!(err instanceof HttpError && err.code === 'assignment_conflict')) return assignFailed(req, reply, err);
      // Decided meanwhile (another admin, an OPD's return): show the complaint as it is now, with
      // what this admin had chosen and typed kept to decide again (AssignDraftStore, not the URL).
      const now = await latestRouted(routedQueue, deps.status, req.params.id);
      if (now && (opd || note)) reply.setCookie(DRAFT_COOKIE, await drafts.save({ id: req.params.id, opd, note }), { ...draftCookie, maxAge: DRAFT_TTL_SECONDS });
      return reply.redirect(`/admin/triage?${now ? `tiket=${encodeURIComponent(now.ticket)}&` : ''}error=conflict`, 303);
    }
    // Made: from here on a failure is not "belum diteruskan" (outside the try above).
    const token = draftToken(req);
    if (token) {
      await drafts.drop(token);
      reply.clearCookie(DRAFT_COOKIE, draftCookie);
    }
    // The note the admin typed did not reach the OPD when the complaint was already there: the
    // same OPD chosen again, or an assignment sent again whose first sending carried another note.
    const unsent = note.trim() !== '' && routed.routing.note !== note;
    // Back where the admin was: at the item that followed this one, with the confirmation above it.
    return reply.redirect(`/admin/triage?done=${encodeURIComponent(routed.ticket)}${next ? `&next=${next}` : ''}${unsent ? '&note=unsent' : ''}#diteruskan`, 303);
  });
  return t;
}

/**
 * Of `opds`, those with neither an active OPD inbox account nor an unrevoked OPD API key: nobody
 * reads their complaints in Aduan (unless the OPD consumes its `opd.<code>` queue from Redis).
 */
async function opdsWithoutReaders(deps: GatewayDeps, opds: string[]): Promise<Set<string>> {
  const [users, keys] = await Promise.all([deps.auth.users.list(), deps.opdKeys.list()]);
  const read = new Set([...users.filter((u) => u.role === 'opd' && !u.disabled).map((u) => u.opd), ...keys.filter((k) => !k.revokedAt).map((k) => k.opd)]);
  return new Set(opds.filter((opd) => !read.has(opd)));
}
