import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { StatusView, normalizeTicket, verifyStatusToken } from '@aduan/schema';
import { STATUS_KEEP_DAYS, type StatusRecord } from '@aduan/queue';
import { ErrorBody, HttpError, ValidationFailedError, type FieldError } from '../errors.ts';
import { ComplaintAccepted, ComplaintRequest, PARSE_WITH_INPUT, fieldErrors, unflatten } from '../intake/complaint-request.ts';
import { checkAgainstDirectory } from '../intake/directory-check.ts';
import { multipartLimitBytes, readMultipart, refuseOversizeMultipart, storePhotos, type ParsedMultipart } from '../intake/multipart.ts';
import { acceptedLogFields, type SubmitInput, type SubmitResult } from '../intake/intake-service.ts';
import { bearerToken } from '../bearer.ts';
import { clientAddressKey } from '../auth/client-address.ts';
import type { GatewayDeps } from '../deps.ts';


/** Validates a request body (JSON, urlencoded or multipart fields) into a checked ComplaintRequest. */
export function parseComplaintRequest(raw: unknown, deps: GatewayDeps): ComplaintRequest {
  const parsed = ComplaintRequest.safeParse(raw, PARSE_WITH_INPUT);
  if (!parsed.success) throw new ValidationFailedError({ ...directoryErrorsOfParts(raw, deps), ...fieldErrors(parsed.error) });
  const { value, errors } = checkAgainstDirectory(parsed.data, deps.directory);
  if (Object.keys(errors).length) throw new ValidationFailedError(errors);
  return value;
}

/**
 * The directory's errors (category, kecamatan, kelurahan) of a request refused for other fields,
 * so that one answer names every mistake: a citizen without JavaScript would otherwise fix the
 * phone number, send, and only then hear that the kelurahan is not in that kecamatan (choosing
 * the photos again each time). Parts that do not parse themselves are left to fieldErrors.
 */
function directoryErrorsOfParts(raw: unknown, deps: GatewayDeps): Record<string, FieldError> {
  if (!raw || typeof raw !== 'object') return {};
  const { category, location } = raw as Record<string, unknown>;
  const cat = ComplaintRequest.shape.category.safeParse(category);
  const loc = ComplaintRequest.shape.location.safeParse(location);
  const parts = { text: '', ...(cat.success && cat.data ? { category: cat.data } : {}), ...(loc.success && loc.data ? { location: loc.data } : {}) };
  return checkAgainstDirectory(parts, deps.directory).errors;
}

/**
 * The web intake both the API and the citizen page share: validate, check photos by content
 * and store them, queue the complaint, count it.
 */
export async function submitWebComplaint(deps: GatewayDeps, raw: unknown, files: ParsedMultipart['files'], idempotencyKey: string | undefined, opts: Pick<SubmitInput, 'retryFromRestoredForm' | 'keyScope'> = {}): Promise<SubmitResult> {
  const request = parseComplaintRequest(raw, deps);
  const attachments = files.length ? await storePhotos(files, deps.storage, deps.logger) : [];
  const result = await deps.intake.submit({ request, attachments, channel: 'webform', account: 'web', intake: { transport: 'http' }, ...(idempotencyKey ? { idempotencyKey } : {}), ...opts });
  deps.metrics.accepted.inc({ channel: 'webform', outcome: result.outcome });
  return result;
}

export function idempotencyKeyOf(req: FastifyRequest): string | undefined {
  const key = req.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || key.length < 1 || key.length > 200) throw new ValidationFailedError({ 'Idempotency-Key': { code: 'invalid', message: 'Idempotency-Key must be 1-200 characters' } });
  return key;
}

export async function complaintsApi(app: FastifyInstance, deps: GatewayDeps): Promise<void> {
  const limitBytes = multipartLimitBytes(deps.config);
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/complaints',
    {
      config: { rateLimit: deps.rateLimit },
      // Bodies are validated in the handler (JSON and multipart share one path); the schema documents them.
      validatorCompiler: () => (data) => ({ value: data }),
      schema: {
        summary: 'File a complaint',
        description:
          'JSON, application/x-www-form-urlencoded or multipart/form-data (dotted field names such as `location.kelurahan`, plus up to 5 image files in `photos`). An `Idempotency-Key` header makes a retry return the same answer without a second complaint.',
        tags: ['complaints'],
        headers: z.object({ 'idempotency-key': z.string().max(200).optional() }),
        body: ComplaintRequest,
        response: { 202: ComplaintAccepted, 400: ErrorBody, 413: ErrorBody, 415: ErrorBody, 422: ErrorBody, 429: ErrorBody, 503: ErrorBody },
      },
    },
    async (req, reply) => {
      const idempotencyKey = idempotencyKeyOf(req);
      let raw: unknown;
      let files: ParsedMultipart['files'] = [];
      refuseOversizeMultipart(req, reply, limitBytes);
      // Photos are held in memory from the read until they are stored: a bounded number at once.
      const release = req.isMultipart() ? await deps.uploads.enter(clientAddressKey(req.ip ?? '')) : undefined;
      try {
        if (req.isMultipart()) {
          const mp = await readMultipart(req, deps.config.MAX_PHOTOS, limitBytes);
          raw = unflatten(mp.fields);
          files = mp.files;
        } else {
          raw = req.body && typeof req.body === 'object' && !Array.isArray(req.body) && req.headers['content-type']?.includes('urlencoded') ? unflatten(req.body as unknown as Record<string, string>) : req.body;
        }
        if (raw === undefined || raw === null || typeof raw !== 'object') throw new HttpError(400, 'invalid_body', 'Send a JSON object, a form or multipart/form-data');
        const result = await submitWebComplaint(deps, raw, files, idempotencyKey);
        req.logFields = acceptedLogFields(result, 'webform', files.length);
        return reply.code(202).send({ id: result.id, ticket: result.ticket, statusToken: result.statusToken });
      } finally {
        release?.();
      }
    },
  );

  r.get(
    '/api/v1/complaints/:ticket',
    {
      schema: {
        summary: 'Status of a complaint',
        description: 'Needs the status token given when the complaint was filed: `Authorization: Bearer <statusToken>` or `?token=`. Without it nothing is revealed (tickets are read on air).',
        tags: ['complaints'],
        params: z.object({ ticket: z.string().max(40) }),
        querystring: z.object({ token: z.string().max(100).optional() }),
        response: { 200: StatusView, 401: ErrorBody, 404: ErrorBody, 503: ErrorBody },
      },
    },
    async (req) => {
      const token = bearerToken(req) ?? req.query.token;
      if (!token) throw new HttpError(401, 'token_required', 'Send the status token as "Authorization: Bearer <statusToken>" or ?token=');
      const view = await lookupStatus(deps, req.params.ticket, token);
      if (!view) throw new HttpError(404, 'not_found', `No complaint with this ticket and token (a complaint's status is kept ${STATUS_KEEP_DAYS} days after it was received)`);
      return view;
    },
  );
}

/** Ticket + token -> status, or null when either is wrong (the two are not distinguished). */
export async function lookupStatus(deps: GatewayDeps, ticketInput: string, token: string): Promise<StatusView | null> {
  return (await lookupComplaint(deps, ticketInput, token))?.view ?? null;
}

/** lookupStatus, with the complaint's status record (for the citizen's own page: never sent as it is). */
export async function lookupComplaint(deps: GatewayDeps, ticketInput: string, token: string): Promise<{ record: StatusRecord; view: StatusView } | null> {
  // The ticket as written, or the eight characters of its code alone (this deployment's prefix).
  const ticket = normalizeTicket(ticketInput, deps.config.TICKET_PREFIX);
  if (!ticket) return null;
  const id = await deps.status.idForTicket(ticket);
  // Read as a citizen may type it: any case, spaces or a line break from a chat app, 0 as O.
  if (id && verifyStatusToken(id, token, deps.statusSecret())) return deps.status.read(id);
  // Not in Redis while complaints wait in the spool (Redis full or read-only: it answers reads
  // and refuses writes): it may be one of them. "Try again shortly", not "no such ticket"; and
  // the same for a known ticket with a wrong token, so the answer says nothing of a ticket
  // without its token.
  // service_unavailable, as every look-up Redis cannot answer (docs/errors.md): not
  // queue_unavailable, which tells an API client its complaint was not stored.
  if (deps.producer.mayHoldSpooled) throw new HttpError(503, 'service_unavailable', 'Complaints wait in the spool for Redis and this one may be among them; retry after the Retry-After delay', { retryAfterSeconds: 10 });
  return null;
}
