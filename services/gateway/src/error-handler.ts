import type { FastifyError, FastifyReply, FastifyRequest, FastifySchemaCompiler } from 'fastify';
import type { z } from 'zod';
import { QueueUnavailableError, isRedisRefusingWrites, isRedisUnavailable } from '@aduan/queue';
import { HttpError, ValidationFailedError } from './errors.ts';
import { PARSE_WITH_INPUT, fieldErrors } from './intake/complaint-request.ts';
import { backLinkFor, errorPage } from './views/result-pages.ts';
import { sendPage } from './views/page-reply.ts';

/**
 * Route schemas (body, query, params) are zod schemas, parsed as the complaint intake parses
 * its own: a refusal names each field with the same stable codes (`required`, `too_long`,
 * `invalid_value`, ...; docs/errors.md), not one generic code, and a schema's own refinement
 * (e.g. `params: { code: 'required' }`) keeps its code.
 */
export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema }) =>
  (data) => {
    const parsed = schema.safeParse(data, PARSE_WITH_INPUT);
    return parsed.success ? { value: parsed.data } : { error: new ValidationFailedError(fieldErrors(parsed.error)) };
  };

/** Fastify's own error codes -> our stable codes. */
const FASTIFY_CODES: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large', message: 'The request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type', message: 'Send application/json, application/x-www-form-urlencoded or multipart/form-data' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_body', message: 'The JSON body is empty' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_body', message: 'The body is not valid JSON' },
  FST_INVALID_MULTIPART_CONTENT_TYPE: { status: 400, code: 'invalid_body', message: 'The multipart body could not be read' },
  FST_REQ_FILE_TOO_LARGE: { status: 413, code: 'payload_too_large', message: 'A file is larger than the limit' },
  // Raised by the router before any route runs (Fastify's frameworkErrors, see app.ts).
  FST_ERR_BAD_URL: { status: 400, code: 'invalid_url', message: 'The URL is not valid (bad percent-encoding)' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'uri_too_long', message: 'A path segment is too long (a ticket is 13 characters)' },
};

/** Outside /api/ every error is a page, as the not-found answer is (app.ts): the citizen's form and status pages, login, desk, triage. */
const wantsPage = (req: FastifyRequest) => !req.url.startsWith('/api/');

/** The HTTP status errorHandler gives an error (also for a route that words its own answer to it). */
export function statusOf(err: FastifyError | Error): number {
  if (err instanceof HttpError) return err.statusCode;
  if (err instanceof QueueUnavailableError || isRedisUnavailable(err) || isRedisRefusingWrites(err)) return 503;
  const fe = err as FastifyError;
  const mapped = fe.code ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped) return mapped.status;
  return fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500 ? fe.statusCode : 500;
}

/** Retry-After for what a client should retry later; the same for a page and for JSON. */
export function retryAfterSeconds(err: FastifyError | Error): number | undefined {
  if (err instanceof HttpError) return err.statusCode === 429 || err.statusCode === 503 ? Number(err.details?.retryAfterSeconds ?? (err.statusCode === 429 ? 60 : 30)) : undefined;
  if (err instanceof QueueUnavailableError) return err.retryAfterSeconds;
  if (isRedisRefusingWrites(err)) return 30;
  return isRedisUnavailable(err) ? 10 : undefined;
}

/** The same errors as pages in Bahasa Indonesia, for a citizen or an operator in a browser. */
function errorAsPage(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply, retryAfter: number | undefined) {
  const status = statusOf(err);
  const back = backLinkFor(req.url);
  // The citizen's form refused before it was read (the limit, a body too big, uploads queued):
  // said plainly, so that nobody leaves believing the complaint arrived.
  const notSent = req.method === 'POST' && req.routeOptions.url === '/' ? 'Aduan Anda belum terkirim. ' : '';
  if (status === 429) return sendPage(reply.code(429), errorPage('Terlalu banyak kiriman', `${notSent}Terlalu banyak aduan dikirim dari jaringan Anda dalam waktu singkat. Silakan coba lagi dalam ${Math.ceil((retryAfter ?? 60) / 60)} menit.`, back));
  if (status === 503) return sendPage(reply.code(503), errorPage('Layanan sedang sibuk', `${notSent}Mohon maaf, layanan sedang sibuk atau terganggu. Silakan coba beberapa saat lagi.`, back));
  if (status === 413) return sendPage(reply.code(413), errorPage('Kiriman terlalu besar', `${notSent}Data yang dikirim melebihi batas. Kurangi jumlah atau ukuran foto, lalu coba lagi.`, back));
  if (status < 500) return sendPage(reply.code(status), errorPage('Permintaan tidak dapat diproses', 'Mohon maaf, permintaan ini tidak dapat diproses. Silakan kembali dan coba lagi.', back));
  req.log.error({ err }, 'unhandled error');
  return sendPage(reply.code(500), errorPage('Terjadi kesalahan', 'Mohon maaf, terjadi kesalahan pada sistem. Silakan coba lagi nanti.', back));
}

/** One place maps every error to a status and a stable body; nothing leaks a stack trace. */
export function errorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) {
  const retryAfter = retryAfterSeconds(err);
  if (retryAfter !== undefined) reply.header('Retry-After', String(retryAfter));
  // A look-up (status, desk, OPD API) while Redis is away: say so, briefly; complaints
  // themselves never get here (they are spooled, or QueueUnavailableError).
  const redisAway = !(err instanceof QueueUnavailableError) && isRedisUnavailable(err);
  if (redisAway) req.log.warn({ err: err.message }, 'redis unreachable: request answered 503');
  // A write other than a complaint's (a login's session, a desk link) while Redis is full.
  const redisFull = isRedisRefusingWrites(err);
  if (redisFull) req.log.warn({ err: err.message }, 'redis refuses writes (full or read-only): request answered 503');
  if (wantsPage(req)) return errorAsPage(err, req, reply, retryAfter);
  if (err instanceof ValidationFailedError) return reply.code(400).send({ error: err.code, message: err.message, fields: err.fields });
  if (err instanceof HttpError) return reply.code(err.statusCode).send({ error: err.code, message: err.message, ...(err.details ?? {}) });
  if (err instanceof QueueUnavailableError) {
    return reply.code(503).send({ error: 'queue_unavailable', message: 'The complaint could not be stored right now; retry after the Retry-After delay' });
  }
  if (redisAway) return reply.code(503).send({ error: 'service_unavailable', message: 'Redis is unreachable; retry after the Retry-After delay' });
  if (redisFull) return reply.code(503).send({ error: 'service_unavailable', message: 'Redis refuses writes (full or read-only); retry after the Retry-After delay' });
  const fe = err as FastifyError;
  const mapped = fe.code ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped) return reply.code(mapped.status).send({ error: mapped.code, message: mapped.message });
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    // Other client errors (e.g. a JSON syntax error): keep the status, give a generic code.
    return reply.code(fe.statusCode).send({ error: fe.statusCode === 415 ? 'unsupported_media_type' : 'invalid_body', message: fe.message });
  }
  req.log.error({ err }, 'unhandled error');
  return reply.code(500).send({ error: 'internal_error', message: `Internal error; request id ${req.id}` });
}
