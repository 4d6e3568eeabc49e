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

/**
 * What to do after a failed Instagram call. Pure and table-tested: the poller and the
 * sender act on the decision instead of branching on error classes themselves.
 * - backoff: wait `delayMs` (grows with consecutive failures) and try again
 * - relogin: the session is really gone; log in again (then back off if that fails)
 * - challenge: Instagram wants a human (challenge_required); pause and tell the operator
 */
export type IgFailure =
  | { action: 'backoff'; reason: 'rate_limited' | 'spam' | 'network' | 'server' | 'blocked' | 'bad_credentials' | 'unknown'; delayMs: number }
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

/** `attempt` counts consecutive failures, starting at 1. */
export function classifyIgError(err: unknown, attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF): IgFailure {
  if (err instanceof IgActionSpamError) {
    // feedback_required: Instagram flagged the account; hammering now risks a ban.
    return { action: 'backoff', reason: 'spam', delayMs: grow(30 * MIN, attempt, policy) };
  }
  if (err instanceof IgCheckpointError) return { action: 'challenge', reason: 'challenge_required', delayMs: grow(15 * MIN, attempt, policy) };
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
  if (err instanceof IgNetworkError) return { action: 'backoff', reason: 'network', delayMs: grow(policy.baseMs, attempt, policy) };
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
