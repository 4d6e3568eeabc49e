/**
 * Every error the gateway answers with has a stable English `code` (for API clients) and an
 * HTTP status; field errors carry one entry per field. docs/errors.md lists them; a test keeps
 * that list and this file in step.
 */
import { z } from 'zod';

/** The body of every JSON error (response schemas use it, so `fields` is never stripped). */
export const ErrorBody = z.object({ error: z.string(), message: z.string(), fields: z.record(z.string(), z.object({ code: z.string(), message: z.string() })).optional() }).meta({ id: 'Error' });

export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(statusCode: number, code: string, message: string, details?: Record<string, unknown>) {
    // A client error needs no stack trace, and capturing one was ~10% of the CPU spent on
    // answering a flood of bad requests.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
    this.details = details;
  }
}

/** Over a rate limit of the plugin (@fastify/rate-limit): retry in `seconds`. */
export function rateLimitedError(seconds: number): HttpError {
  return new HttpError(429, 'rate_limited', `Too many requests from this address; retry in ${seconds} s`, { retryAfterSeconds: seconds });
}

export interface FieldError {
  /** Stable machine code, e.g. "required", "too_short", "invalid_phone". */
  code: string;
  /** English message for API clients. */
  message: string;
}

export class ValidationFailedError extends HttpError {
  readonly fields: Record<string, FieldError>;

  constructor(fields: Record<string, FieldError>) {
    super(400, 'validation_failed', 'Some fields are invalid', { fields });
    this.fields = fields;
    this.name = 'ValidationFailedError';
  }
}

export const ERROR_CODES = {
  validation_failed: { status: 400, description: 'One or more fields are invalid; `fields` maps each field to { code, message }.' },
  invalid_body: { status: 400, description: 'The body is not valid JSON or multipart.' },
  invalid_url: { status: 400, description: 'The URL could not be decoded (bad percent-encoding).' },
  uri_too_long: { status: 414, description: 'A path segment is longer than 100 characters (a ticket is 13).' },
  too_many_files: { status: 400, description: 'More photos than MAX_PHOTOS.' },
  token_required: { status: 401, description: 'Status look-up without a status token.' },
  key_required: { status: 401, description: 'OPD API call without an OPD API key (Authorization: Bearer <key>).' },
  invalid_key: { status: 401, description: 'The OPD API key is unknown or revoked.' },
  unauthenticated: { status: 401, description: 'No session cookie: log in first (POST /api/v1/desk/login).' },
  session_expired: { status: 401, description: 'The session is no longer valid (idle or maximum age reached, or logged out); log in again.' },
  invalid_credentials: { status: 401, description: 'Wrong username or password (the two are not distinguished).' },
  session_changed: { status: 409, description: "The desk page was opened for another user than the one the browser's session is now (X-Aduan-Desk-User): someone else logged in in another tab. Nothing was done; log in again as the page's user." },
  account_disabled: { status: 403, description: 'The account was disabled by an administrator.' },
  password_change_required: { status: 403, description: 'The account\'s password was chosen by someone else (an admin, the server\'s CLI): it must choose its own first (POST /api/v1/desk/password, or the page /akun/sandi).' },
  forbidden: { status: 403, description: 'Logged in, but the role may not use this endpoint.' },
  too_many_attempts: { status: 429, description: 'Too many failed logins for this username from this address, or too many logins of this account from browsers it never logged in from (LOGIN_NEW_DEVICE_PER_HOUR); see Retry-After.' },
  json_required: { status: 415, description: 'Desk and admin API posts must be application/json (part of the CSRF defence).' },
  cross_site: { status: 403, description: 'A login, logout or admin form posted from another site (its Origin is not this one).' },
  not_found: { status: 404, description: 'No such ticket, or the token does not match it (the two are not distinguished); on the OPD API, no complaint with this id is routed to the key\'s OPD.' },
  payload_too_large: { status: 413, description: 'Body or a photo exceeds the size limit.' },
  unsupported_media_type: { status: 415, description: 'An attachment is not an image by its content, or a damaged photo whose metadata cannot be removed, or the Content-Type is not JSON, form or multipart.' },
  idempotency_key_reused: { status: 422, description: 'The Idempotency-Key was already used with a different request body.' },
  assignment_conflict: { status: 409, description: 'Another admin assigned this complaint meanwhile (the `revision` sent is not the current one), or is assigning it right now; reload and decide again.' },
  update_id_reused: { status: 409, description: "The OPD API's updateId was already used for another complaint of this OPD." },
  return_unavailable: { status: 409, description: "An OPD's return of a complaint whose routing is no longer kept (routed to it more than 30 days before Aduan kept the routing of open complaints): it cannot go back to triage (nor be re-assigned). Reports of progress are still taken." },
  not_resolved: { status: 409, description: 'A citizen reopen of a complaint that is not resolved (now): only a resolved one can be said to be not solved.' },
  reopen_window_closed: { status: 409, description: 'A citizen reopen more than REOPEN_DAYS after the complaint was resolved.' },
  reopen_limit_reached: { status: 409, description: 'A citizen reopen of a complaint reopened REOPEN_MAX times already.' },
  stale_report: { status: 409, description: "An OPD API report dated (`at`) before the complaint's last report applied: it would be ignored. Leave `at` out to report as of now." },
  service_unavailable: { status: 503, description: 'A look-up (status, desk, OPD API) while Redis is unreachable, a write while Redis refuses writes, or a complaint with photos that waited too long for its turn (MAX_CONCURRENT_UPLOADS); see Retry-After. Nothing was changed.' },
  rate_limited: { status: 429, description: 'Too many submissions or logins from this address; see Retry-After.' },
  storage_unavailable: { status: 503, description: 'A photo could not be stored (the disk is full or not writable); the complaint was not accepted; see Retry-After.' },
  queue_unavailable: { status: 503, description: 'Redis is unreachable and the local spool could not keep the complaint; see Retry-After.' },
  internal_error: { status: 500, description: 'A bug; the request id is logged.' },
} as const;
