import {
  IgActionSpamError,
  IgCheckpointError,
  IgInactiveUserError,
  IgLoginBadPasswordError,
  IgLoginInvalidUserError,
  IgLoginRequiredError,
  IgNetworkError,
  IgRequestsLimitError,
  IgResponseError,
  IgSentryBlockError,
  IgUserHasLoggedOutError,
} from 'instagram-private-api';
import { InstagramTimeoutError, NoCredentialsError } from '../errors.ts';

/**
 * What to do after a failed Instagram call. Pure and table-tested: the poller and the
 * sender act on the decision instead of branching on error classes themselves.
 * - backoff: wait `delayMs` (grows with consecutive failures) and try again
 * - relogin: the session is really gone; log in again (then back off if that fails)
 * - challenge: Instagram wants a human (challenge_required); pause and tell the operator
 */
export type IgFailure =
  | { action: 'backoff'; reason: 'rate_limited' | 'spam' | 'network' | 'timeout' | 'server' | 'blocked' | 'bad_credentials' | 'no_credentials' | 'unknown'; delayMs: number }
  | { action: 'relogin'; reason: 'login_required' | 'logged_out'; delayMs: number }
  | { action: 'challenge'; reason: 'challenge_required'; delayMs: number };

export interface BackoffPolicy {
  /** Base delay for transient failures (network, 5xx). */
  baseMs: number;
  /** Never wait longer than this. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 30_000, maxMs: 6 * 3_600_000 };

const MIN = 60_000;

function grow(startMs: number, attempt: number, policy: BackoffPolicy): number {
  return Math.min(policy.maxMs, startMs * 2 ** Math.max(0, Math.min(attempt - 1, 10)));
}

/** A checkpoint (challenge_required): how long before it is looked at again. */
export function challengeFailure(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF): IgFailure {
  return { action: 'challenge', reason: 'challenge_required', delayMs: grow(15 * MIN, attempt, policy) };
}

/**
 * Instagram's usual way to throttle an account: "Please wait a few minutes before you try
 * again." with HTTP 400 (sometimes 401) and `error_type: rate_limit_error`, which the library
 * raises as a plain IgResponseError. Read as anything else it was retried at once (30 s).
 */
function isThrottle(err: IgResponseError): boolean {
  const body: unknown = err.response?.body;
  if (typeof body !== 'object' || body === null) return false;
  const { message, error_type: type } = body as { message?: unknown; error_type?: unknown };
  return type === 'rate_limit_error' || (typeof message === 'string' && /please wait a few minutes/i.test(message));
}

/** `attempt` counts consecutive failures, starting at 1. */
export function classifyIgError(err: unknown, attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF): IgFailure {
  if (err instanceof IgActionSpamError) {
    // feedback_required: Instagram flagged the account; hammering now risks a ban.
    return { action: 'backoff', reason: 'spam', delayMs: grow(30 * MIN, attempt, policy) };
  }
  if (err instanceof IgResponseError && isThrottle(err)) return { action: 'backoff', reason: 'rate_limited', delayMs: grow(5 * MIN, attempt, policy) };
  if (err instanceof IgCheckpointError) return challengeFailure(attempt, policy);
  if (err instanceof IgRequestsLimitError) return { action: 'backoff', reason: 'rate_limited', delayMs: grow(5 * MIN, attempt, policy) };
  if (err instanceof IgLoginRequiredError) return { action: 'relogin', reason: 'login_required', delayMs: grow(policy.baseMs, attempt, policy) };
  if (err instanceof IgUserHasLoggedOutError) return { action: 'relogin', reason: 'logged_out', delayMs: grow(policy.baseMs, attempt, policy) };
  if (err instanceof IgSentryBlockError || err instanceof IgInactiveUserError) {
    return { action: 'backoff', reason: 'blocked', delayMs: grow(60 * MIN, attempt, policy) };
  }
  if (err instanceof IgLoginBadPasswordError || err instanceof IgLoginInvalidUserError) {
    // Retrying a wrong password soon gets the account locked: wait long, an operator must fix it.
    return { action: 'backoff', reason: 'bad_credentials', delayMs: grow(60 * MIN, attempt, policy) };
  }
  // The session is gone and there is no password to log in again: only an operator can help.
  if (err instanceof NoCredentialsError) return { action: 'backoff', reason: 'no_credentials', delayMs: grow(60 * MIN, attempt, policy) };
  if (err instanceof IgNetworkError) return { action: 'backoff', reason: 'network', delayMs: grow(policy.baseMs, attempt, policy) };
  if (err instanceof InstagramTimeoutError) return { action: 'backoff', reason: 'timeout', delayMs: grow(policy.baseMs, attempt, policy) };
  if (err instanceof IgResponseError) {
    const status = err.response?.statusCode ?? 0;
    if (status === 429) return { action: 'backoff', reason: 'rate_limited', delayMs: grow(5 * MIN, attempt, policy) };
    return { action: 'backoff', reason: status >= 500 ? 'server' : 'unknown', delayMs: grow(policy.baseMs, attempt, policy) };
  }
  return { action: 'backoff', reason: 'unknown', delayMs: grow(policy.baseMs, attempt, policy) };
}

/** Adds +-fraction random jitter so many replicas never poll in lockstep. */
export function withJitter(ms: number, fraction: number, random: () => number = Math.random): number {
  const f = Math.max(0, Math.min(fraction, 0.9));
  return Math.max(0, Math.round(ms * (1 - f + 2 * f * random())));
}
