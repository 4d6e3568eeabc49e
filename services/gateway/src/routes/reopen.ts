import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requestReopen, type ReopenPolicy, type ReopenRefusal, type StatusRecord } from '@aduan/queue';
import { ReopenReason } from '@aduan/schema';
import { requireSameOrigin } from '../auth/index.ts';
import { bearerToken } from '../bearer.ts';
import type { GatewayDeps } from '../deps.ts';
import { ErrorBody, HttpError } from '../errors.ts';
import { sendPage } from '../views/page-reply.ts';
import { statusLink, statusPage } from '../views/result-pages.ts';
import { lookupComplaint } from './complaints-api.ts';

/** REOPEN_DAYS and REOPEN_MAX as the reopen's rules. */
export const reopenPolicy = (deps: Pick<GatewayDeps, 'config'>): ReopenPolicy => ({ days: deps.config.REOPEN_DAYS, max: deps.config.REOPEN_MAX });

/** The API's 409 for each refusal (docs/errors.md). */
const REFUSED: Record<ReopenRefusal, string> = {
  not_resolved: 'Only a resolved complaint can be reopened; this one is not resolved (now)',
  reopen_window_closed: 'The complaint was resolved too long ago to be reopened (REOPEN_DAYS); file a new complaint',
  reopen_limit_reached: 'This complaint was reopened as often as it may be (REOPEN_MAX); file a new complaint',
};

/** The same refusals for the citizen on the status page. */
const REFUSED_ID: Record<ReopenRefusal, string> = {
  not_resolved: 'Aduan ini tidak sedang berstatus selesai, jadi tidak perlu dibuka kembali. Bila baru saja Anda kirim, keterangan Anda sudah kami terima.',
  reopen_window_closed: 'Mohon maaf, batas waktu untuk membuka kembali aduan ini sudah lewat. Silakan kirim aduan baru.',
  reopen_limit_reached: 'Mohon maaf, aduan ini sudah dibuka kembali sebanyak batas yang berlaku. Silakan kirim aduan baru.',
};

const ReopenBody = z
  .object({
    reason: z
      .string()
      .trim()
      .max(1000)
      .refine((s) => s.length > 0, { params: { code: 'required' }, message: 'reason is required: tell what is still wrong' })
      .meta({ description: 'What is still wrong, in the citizen\'s words (Bahasa Indonesia), 1-1000 characters. The OPD reads it (masked like the text for a confidential reporter).' }),
  })
  .meta({ id: 'ReopenRequestBody' });

const ReopenAccepted = z.object({ ticket: z.string() }).meta({ id: 'ReopenAccepted', description: 'Taken: the complaint goes back to its OPD within seconds (its status then reads `routed`), and a citizen who follows it on a chat is told.' });

/**
 * A citizen says their resolved complaint is not solved (ADR 0014): the JSON API
 * (`POST /api/v1/complaints/:ticket/reopen`) and the status page's form (`POST /status/belum-selesai`),
 * both with the complaint's status token. The router does the rest (the `reopen` queue).
 */
export async function reopenRoutes(app: FastifyInstance, deps: GatewayDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/api/v1/complaints/:ticket/reopen',
    {
      config: { rateLimit: deps.rateLimit },
      schema: {
        summary: 'Say a resolved complaint is not solved',
        description:
          "With the complaint's status token (`Authorization: Bearer <statusToken>`). Within REOPEN_DAYS (default 14) of its resolution and at most REOPEN_MAX times (default 2), the complaint goes back to the same OPD with the citizen's reason and a new response deadline. Sent twice before it is applied, it is reopened once.",
        tags: ['complaints'],
        params: z.object({ ticket: z.string().max(40) }),
        body: ReopenBody,
        response: { 202: ReopenAccepted, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody, 503: ErrorBody },
      },
    },
    async (req, reply) => {
      const token = bearerToken(req);
      if (!token) throw new HttpError(401, 'token_required', 'Send the status token as "Authorization: Bearer <statusToken>"');
      const found = await lookupComplaint(deps, req.params.ticket, token);
      if (!found) throw new HttpError(404, 'not_found', 'No complaint with this ticket and token');
      const refused = await reopen(deps, found.record, req.body.reason, 'api');
      if (refused) throw new HttpError(409, refused, REFUSED[refused]);
      return reply.code(202).send({ ticket: found.record.ticket });
    },
  );

  app.post('/status/belum-selesai', { preHandler: requireSameOrigin, schema: { hide: true } }, async (req, reply) => {
    if (!req.headers['content-type']?.includes('application/x-www-form-urlencoded')) throw new HttpError(415, 'unsupported_media_type', 'This page takes a form (application/x-www-form-urlencoded)');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const field = (name: string) => (typeof body[name] === 'string' ? body[name] : '');
    const [ticket, token, reason] = [field('ticket'), field('token'), field('reason')];
    const ticketPrefix = deps.config.TICKET_PREFIX;
    const found = ticket && token ? await lookupComplaint(deps, ticket, token) : null;
    if (!found) return sendPage(reply.code(404), statusPage({ ticket, token, notFound: true, ticketPrefix }));
    const page = (reopen: NonNullable<Parameters<typeof statusPage>[0]['reopen']>) => statusPage({ ticket: found.view.ticket, view: found.view, ticketPrefix, reopen });
    const checked = ReopenReason.safeParse(reason);
    if (!checked.success) {
      const error = reason.trim() ? 'Keterangan paling banyak 1000 karakter.' : 'Mohon tuliskan apa yang belum selesai.';
      return sendPage(reply.code(400), page({ token, value: reason, error }));
    }
    const refused = await reopen(deps, found.record, checked.data, 'web');
    if (refused) return sendPage(reply.code(409), page({ token, refused: REFUSED_ID[refused] }));
    return reply.redirect(`${statusLink({ ticket: found.record.ticket, statusToken: token })}&dibuka=1`, 303);
  });
}

/** Queues the reopen, or says why not. Logged without the citizen's words. */
async function reopen(deps: GatewayDeps, rec: StatusRecord, reason: string, via: 'api' | 'web'): Promise<ReopenRefusal | null> {
  const { refused } = await requestReopen(deps.producer, rec, { reason, via }, reopenPolicy(deps));
  deps.logger.info({ complaintId: rec.id, via, ...(refused ? { refused } : {}) }, refused ? 'reopen refused' : 'reopen requested by the citizen');
  return refused;
}
