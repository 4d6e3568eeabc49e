import { ERROR_CODES, HttpError } from '../errors.ts';

/** Stable error codes of login and sessions (English; the login page words them in Bahasa Indonesia). */
const AUTH_CODES = ['unauthenticated', 'session_expired', 'session_changed', 'invalid_credentials', 'account_disabled', 'password_change_required', 'forbidden', 'too_many_attempts', 'json_required', 'cross_site'] as const;

/** The login/session subset of the gateway's documented error codes (errors.ts is the one list). */
export const AUTH_ERROR_CODES = Object.fromEntries(AUTH_CODES.map((c) => [c, ERROR_CODES[c]])) as Pick<typeof ERROR_CODES, (typeof AUTH_CODES)[number]>;

export type AuthErrorCode = keyof typeof AUTH_ERROR_CODES;

export class AuthError extends HttpError {
  constructor(code: AuthErrorCode, message: string, details?: Record<string, unknown>) {
    super(AUTH_ERROR_CODES[code].status, code, message, details);
    this.name = 'AuthError';
  }
}
