import type { FastifyRequest } from 'fastify';
import type { AuthDeps } from './auth-deps.ts';
import { guessPassword } from './password-guess.ts';
import { sessionCookie } from './require-role.ts';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, type AuthUser } from './user-store.ts';

/** A change of one's own password as asked: the current password, the new one, and (on the page) the new one again. */
export interface PasswordChange {
  current: string;
  password: string;
  /** The page's second copy of the new password; the API has none. */
  again?: string;
}

export type PasswordField = 'current' | 'password' | 'again';

/** Why a field is refused: stable codes, worded by the page (Bahasa Indonesia) and the API (English). */
export type PasswordProblem = 'required' | 'too_short' | 'too_long' | 'same_as_current' | 'mismatch' | 'wrong_password';
export type PasswordProblems = Partial<Record<PasswordField, PasswordProblem>>;

/** The same text once Unicode-normalized as password hashing does (password.ts): "é" typed two ways is one password. */
const sameText = (a: string, b: string) => a.normalize('NFKC') === b.normalize('NFKC');

/**
 * The rules a change must meet before its current password is tried: the new one as long as
 * UserStore accepts (MIN_PASSWORD_LENGTH to the login's MAX_PASSWORD_LENGTH), not the current
 * one, and its two copies alike. A form refused for them costs no guess of the throttle.
 */
export function passwordProblems(c: PasswordChange): PasswordProblems {
  const problems: PasswordProblems = {};
  if (!c.current) problems.current = 'required';
  if (!c.password) problems.password = 'required';
  else if (c.password.length < MIN_PASSWORD_LENGTH) problems.password = 'too_short';
  else if (c.password.length > MAX_PASSWORD_LENGTH) problems.password = 'too_long';
  else if (c.current && sameText(c.current, c.password)) problems.password = 'same_as_current';
  if (c.again !== undefined && !problems.password) {
    if (!c.again) problems.again = 'required';
    else if (c.again !== c.password) problems.again = 'mismatch';
  }
  return problems;
}

/**
 * A logged-in account changes its own password: the rules (passwordProblems), then its current
 * password, tried as a login's is (guessPassword: throttled, a wrong one logged and counted), then
 * the new one stored as the account's own (no change due any more). Every session of the account
 * ends (UserStore.setPassword raises its epoch): a session stolen with the old password dies with
 * it. This browser gets a new one in their place, returned for its cookie, so its user stays
 * logged in. Logged as `account_changed` (`password_changed`), never with a password.
 */
export async function changeOwnPassword(auth: AuthDeps, req: FastifyRequest, user: AuthUser, change: PasswordChange): Promise<{ ok: true; sessionId: string } | { ok: false; problems: PasswordProblems }> {
  const problems = passwordProblems(change);
  if (Object.keys(problems).length) return { ok: false, problems };
  // Longer than any password can be (the login's limit): wrong, without costing a hash.
  const right = change.current.length <= MAX_PASSWORD_LENGTH ? await guessPassword(auth, req, user.username, change.current, 'password_change') : null;
  if (!right) return { ok: false, problems: { current: 'wrong_password' } };
  const epoch = await auth.users.setPassword(user.username, change.password, { changeDue: false });
  const old = sessionCookie(req, auth);
  const [sessionId] = await Promise.all([auth.sessions.create(user.username, epoch), old ? auth.sessions.destroy(old) : undefined]);
  req.log.info({ event: 'account_changed', account: user.username, action: 'password_changed', ...(right.user.passwordChangeDue ? { required: true } : {}) }, 'account_changed');
  return { ok: true, sessionId };
}
