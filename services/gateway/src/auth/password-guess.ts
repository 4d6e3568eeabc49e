import type { FastifyRequest } from 'fastify';
import type { AuthDeps } from './auth-deps.ts';
import { AuthError } from './errors.ts';
import { loginCounter } from './metrics.ts';
import { DUMMY_HASH, verifyPassword } from './password.ts';
import { cookieOf } from './require-role.ts';
import type { StoredUser } from './user-store.ts';
import { HttpError } from '../errors.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a password is typed for: a login, or the current password asked by a change of it (password-change.ts). */
export type GuessKind = 'login' | 'password_change';

/** A right password: the account, and the browser's device token as the login keeps it (LoginThrottle.rememberDevice). */
export interface RightGuess {
  user: StoredUser;
  device: string | undefined;
  knownDevice: boolean;
}

/**
 * Throttles, checks and logs one password typed for an account: the address's per-minute limit,
 * the account's hourly limit of browsers it never logged in from, the (account, address) pair's
 * failures, then the password. A wrong one is logged (`login_failed`), counted as a refused login
 * and its answer held back; a right one of an active account clears the failures. The current
 * password a change asks for goes through the same (logged with `via: "password_change"`): it is
 * as much a guess as a login's, made with a session that may be stolen.
 *
 * The username is logged only when such an account exists: a password typed into the username
 * box must not reach the logs. Returns null for a wrong password or an unknown account; throws
 * 429 `rate_limited` or `too_many_attempts` when the guess is not even tried.
 */
export async function guessPassword(auth: AuthDeps, req: FastifyRequest, username: string, password: string, kind: GuessKind): Promise<RightGuess | null> {
  const wait = await auth.throttle.addressAttempt(req.ip);
  if (wait) throw new HttpError(429, 'rate_limited', `Too many logins from this address; retry in ${wait} s`, { retryAfterSeconds: wait });
  const user = await auth.users.get(username);
  // The client's address on every login line: what an admin blocks at the proxy when someone
  // guesses passwords (AduanLoginGuessing). Staff logins only: no citizen's request logs one.
  const who = { operator: user ? username : null, client: req.ip, ...(kind === 'login' ? {} : { via: kind }) };
  // A browser this account never logged in from counts against the account's hourly limit,
  // whatever its address: the password is not even tried past it.
  const device = cookieOf(req, auth.cookie.deviceName);
  let knownDevice = await auth.throttle.knownDevice(username, device);
  if (knownDevice && !(await auth.throttle.knownDeviceAttempt(username, device!))) {
    req.log.warn({ event: 'login_device_forgotten', ...who }, 'a browser of this account failed too often: it counts as a new one again');
    knownDevice = false;
  }
  if (!knownDevice) {
    const held = await auth.throttle.newDeviceAttempt(username);
    if (held) {
      req.log.warn({ event: 'login_blocked_new_device', ...who }, 'login refused: too many logins of this account from unknown browsers');
      loginCounter().inc({ outcome: 'blocked' });
      throw new AuthError('too_many_attempts', `Too many logins of this account from browsers it never logged in from; log in from one it did, or retry in ${held} s`, { retryAfterSeconds: held, newDevice: true });
    }
  }
  const attempt = await auth.throttle.attempt(username, req.ip);
  if (attempt.blockedSeconds) {
    req.log.warn({ event: 'login_blocked', ...who }, 'login refused: too many failures');
    loginCounter().inc({ outcome: 'blocked' });
    throw new AuthError('too_many_attempts', `Too many failed logins; retry in ${attempt.blockedSeconds} s`, { retryAfterSeconds: attempt.blockedSeconds });
  }
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok) {
    req.log.warn({ event: 'login_failed', ...who }, 'login failed');
    loginCounter().inc({ outcome: 'invalid' });
    await sleep(attempt.delayMs);
    return null;
  }
  // A disabled account's failures stay counted: its right password opens nothing.
  if (!user.disabled) await auth.throttle.succeed(username, req.ip, knownDevice ? device : undefined);
  return { user, device, knownDevice };
}
