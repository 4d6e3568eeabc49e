import { HttpError } from '../errors.ts';

/** Stable error codes of login and sessions (English; the login page words them in Bahasa Indonesia). */
export const AUTH_ERROR_CODES = {
  unauthenticated: { status: 401, description: 'No session cookie: log in first (POST /api/v1/desk/login).' },
  session_expired: { status: 401, description: 'The session cookie is no longer valid (idle or maximum age reached, or logged out); log in again.' },
  invalid_credentials: { status: 401, description: 'Wrong username or password (the two are not distinguished).' },
  account_disabled: { status: 403, description: 'The account was disabled by an administrator.' },
  forbidden: { status: 403, description: 'Logged in, but the role may not use this endpoint.' },
  too_many_attempts: { status: 429, description: 'Too many failed logins for this username from this address; see Retry-After.' },
  json_required: { status: 415, description: 'Desk API posts must be application/json (part of the CSRF defence).' },
} as const;

export type AuthErrorCode = keyof typeof AUTH_ERROR_CODES;

export class AuthError extends HttpError {
  constructor(code: AuthErrorCode, message: string, details?: Record<string, unknown>) {
    super(AUTH_ERROR_CODES[code].status, code, message, details);
    this.name = 'AuthError';
  }
}
