import {
  IgActionSpamError,
  IgCheckpointError,
  IgLoginBadPasswordError,
  IgLoginRequiredError,
  IgNetworkError,
  IgRequestsLimitError,
  IgResponseError,
  IgUserHasLoggedOutError,
  type LoginRequiredResponse,
} from 'instagram-private-api';
import { describe, expect, it } from 'vitest';
import { InstagramTimeoutError, NoCredentialsError } from '../errors.ts';
import { checkpointBody, igResponse, loginErrorBody, spamBody, throttleBody } from '../testing/ig-fixtures.ts';
import { classifyIgError, withJitter } from './classify-error.ts';

const MIN = 60_000;
const loginRequired: LoginRequiredResponse = { message: 'login_required', logout_reason: 2, status: 'fail' };

describe('classifyIgError', () => {
  const table: [string, unknown, string, string, number][] = [
    ['challenge_required', new IgCheckpointError(igResponse(checkpointBody)), 'challenge', 'challenge_required', 15 * MIN],
    ['feedback_required (spam)', new IgActionSpamError(igResponse(spamBody)), 'backoff', 'spam', 30 * MIN],
    ['requests limit', new IgRequestsLimitError(), 'backoff', 'rate_limited', 5 * MIN],
    ['HTTP 429', new IgResponseError(igResponse({ message: 'Please wait a few minutes', status: 'fail' }, 429)), 'backoff', 'rate_limited', 5 * MIN],
    // Instagram's usual throttle: a 400 (or 401) the library leaves a plain IgResponseError.
    ['"Please wait a few minutes" (400)', new IgResponseError(igResponse(throttleBody, 400)), 'backoff', 'rate_limited', 5 * MIN],
    ['"Please wait a few minutes" (401)', new IgResponseError(igResponse({ message: 'Please wait a few minutes before you try again.', require_login: true, status: 'fail' }, 401)), 'backoff', 'rate_limited', 5 * MIN],
    ['error_type rate_limit_error', new IgResponseError(igResponse({ message: '', status: 'fail', error_type: 'rate_limit_error' }, 400)), 'backoff', 'rate_limited', 5 * MIN],
    ['another 400', new IgResponseError(igResponse({ message: 'Something went wrong.', status: 'fail' }, 400)), 'backoff', 'unknown', 30_000],
    ['no password to log in again', new NoCredentialsError(), 'backoff', 'no_credentials', 60 * MIN],
    ['a call past its deadline', new InstagramTimeoutError('poll', 300_000), 'backoff', 'timeout', 30_000],
    ['login_required', new IgLoginRequiredError(igResponse(loginRequired, 403)), 'relogin', 'login_required', 30_000],
    ['user_has_logged_out', new IgUserHasLoggedOutError(igResponse(loginRequired, 403)), 'relogin', 'logged_out', 30_000],
    ['bad password', new IgLoginBadPasswordError(igResponse(loginErrorBody({ message: 'The password you entered is incorrect.', error_type: 'bad_password', invalid_credentials: true, two_factor_required: false }))), 'backoff', 'bad_credentials', 60 * MIN],
    ['network', new IgNetworkError(new Error('ECONNRESET')), 'backoff', 'network', 30_000],
    ['5xx', new IgResponseError(igResponse({ message: '', status: 'fail' }, 502)), 'backoff', 'server', 30_000],
    ['not an Instagram error', new Error('redis down'), 'backoff', 'unknown', 30_000],
  ];
  it.each(table)('%s -> %s', (_name, err, action, reason, firstDelay) => {
    const first = classifyIgError(err, 1);
    expect(first).toEqual({ action, reason, delayMs: firstDelay });
  });

  it('grows the wait with consecutive failures, up to the cap', () => {
    const spam = new IgActionSpamError(igResponse(spamBody));
    expect(classifyIgError(spam, 2).delayMs).toBe(60 * MIN);
    expect(classifyIgError(spam, 50).delayMs).toBe(6 * 60 * MIN);
  });

  it('jitter stays within the fraction and varies', () => {
    expect(withJitter(1000, 0.2, () => 0)).toBe(800);
    expect(withJitter(1000, 0.2, () => 1)).toBe(1200);
    const seen = new Set(Array.from({ length: 50 }, () => withJitter(10_000, 0.3)));
    expect(seen.size).toBeGreaterThan(10);
  });
});
