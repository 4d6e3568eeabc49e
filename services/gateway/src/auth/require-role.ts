import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { errorPage } from '../views/result-pages.ts';
import type { AuthDeps } from './auth-deps.ts';
import { AuthError } from './errors.ts';
import type { AuthUser, Role } from './user-store.ts';
import { sendPage } from '../views/page-reply.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The logged-in user; set by requireRole(), null elsewhere. */
    user: AuthUser | null;
  }
  interface FastifyInstance {
    aduanAuth: AuthDeps;
  }
}

const isApi = (req: FastifyRequest) => req.url.startsWith('/api/');

/** Where a page request without a valid session is sent: the shared login page, then back. */
export function loginRedirect(req: FastifyRequest, expired: boolean): string {
  return `/login?next=${encodeURIComponent(req.url)}${expired ? '&expired=1' : ''}`;
}

/**
 * The session id the request's cookie header carries, if any. Cookies are parsed here, on the
 * few routes that need them, not by a hook on every request (registerAuth).
 */
export function sessionCookie(req: FastifyRequest, auth: AuthDeps): string | undefined {
  return cookieOf(req, auth.cookie.name);
}

/** One cookie of the request, parsed only where a route needs it (no hook on every request). */
export function cookieOf(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  return header ? req.server.parseCookie(header)[name] : undefined;
}

/** The page where staff change their own password (password-routes.ts). */
export const PASSWORD_PAGE = '/akun/sandi';

/** The change of password's page, then back to `next` (a staff page's link to it). */
export const passwordChangePath = (next: string) => `${PASSWORD_PAGE}?next=${encodeURIComponent(next)}`;

/** Where the pages send an account whose password change is due: the change page, then back to `req`'s page. */
export function passwordChangeRedirect(req: FastifyRequest): string {
  return passwordChangePath(req.url);
}

/**
 * Resolves the session cookie to its account, or explains why not (as an AuthError), also when
 * the account must change its password first (`passwordChangeDue`): only the change itself may
 * go on then (requireStaff). Everything else uses authenticate.
 */
export async function sessionAccount(req: FastifyRequest, auth: AuthDeps): Promise<{ user: AuthUser; passwordChangeDue: boolean }> {
  const id = sessionCookie(req, auth);
  if (!id) throw new AuthError('unauthenticated', 'Log in first: POST /api/v1/desk/login');
  // The desk's board poll says so (x-aduan-poll): it reads the session without restarting its idle timer.
  const session = await auth.sessions.touch(id, req.headers['x-aduan-poll'] === undefined);
  if (!session) throw new AuthError('session_expired', 'Your session has expired; log in again');
  const user = await auth.users.get(session.username);
  if (user?.disabled) throw new AuthError('account_disabled', 'This account has been disabled');
  // A new password or a disabled account since this session began (StoredUser.sessionEpoch) ends it.
  if (!user || (session.epoch ?? 0) !== user.sessionEpoch) {
    await auth.sessions.destroy(id);
    throw new AuthError('session_expired', 'Your session has expired; log in again');
  }
  return { user: { username: user.username, role: user.role, station: user.station, opd: user.opd }, passwordChangeDue: user.passwordChangeDue };
}

/** Resolves the session cookie to a user who may work, or explains why not (as an AuthError). */
export async function authenticate(req: FastifyRequest, auth: AuthDeps): Promise<AuthUser> {
  const { user, passwordChangeDue } = await sessionAccount(req, auth);
  // Checked here, not by each route: a password someone else knows opens nothing but its change.
  if (passwordChangeDue) throw new AuthError('password_change_required', `Choose your own password first: POST /api/v1/desk/password (or the page ${PASSWORD_PAGE})`);
  return user;
}

/**
 * preHandler for routes that need a logged-in user with one of `roles`. API routes answer
 * 401/403 JSON; pages redirect to /login?next=<this page> (or show 403 for a wrong role), and an
 * account whose password change is due to the change page.
 */
export function requireRole(...roles: Role[]): preHandlerAsyncHookHandler {
  return async function (this: unknown, req: FastifyRequest, reply: FastifyReply) {
    try {
      const user = await authenticate(req, req.server.aduanAuth);
      if (!roles.includes(user.role)) throw new AuthError('forbidden', `This needs the role ${roles.join(' or ')}`);
      req.user = user;
    } catch (err) {
      return refused(req, reply, err);
    }
  };
}

/**
 * preHandler of the password change: any logged-in staff account, also one whose change is due
 * (the one thing it may do). Refusals as requireRole's.
 */
export function requireStaff(): preHandlerAsyncHookHandler {
  return async function (this: unknown, req: FastifyRequest, reply: FastifyReply) {
    try {
      req.user = (await sessionAccount(req, req.server.aduanAuth)).user;
    } catch (err) {
      return refused(req, reply, err);
    }
  };
}

/** A session's refusal: thrown for the API's JSON answer; for a page, a login, the change page, or a 403 page. */
async function refused(req: FastifyRequest, reply: FastifyReply, err: unknown): Promise<FastifyReply> {
  if (isApi(req) || !(err instanceof AuthError)) throw err;
  if (err.code === 'unauthenticated' || err.code === 'session_expired') return reply.redirect(loginRedirect(req, err.code === 'session_expired'), 303);
  if (err.code === 'password_change_required') return reply.redirect(passwordChangeRedirect(req), 303);
  const message = err.code === 'account_disabled' ? 'Akun Anda dinonaktifkan. Silakan hubungi admin.' : 'Akun Anda tidak berhak membuka halaman ini.';
  return sendPage(reply.code(403), errorPage('Akses ditolak', message, { href: '/login', label: 'Masuk dengan akun lain' }));
}

/** The user of a request that passed requireRole(). */
export function userOf(req: FastifyRequest): AuthUser {
  if (!req.user) throw new AuthError('unauthenticated', 'Log in first');
  return req.user;
}

/**
 * Form posts that a session rides on (the login, logout and admin triage forms) must come from
 * this site's own pages. Browsers send `Origin` with every form POST; a cross-site one, or
 * `null` (a sandboxed frame, a page without a referrer), is refused. With SameSite=Strict
 * cookies this covers what SameSite does not: a sibling subdomain and older browsers. Browsers
 * from before 2019 (Firefox before 70) send no `Origin` on a form POST, but a `Referer`: then
 * that page's origin counts. A request with neither comes from no browser form, and passes.
 */
export async function requireSameOrigin(req: FastifyRequest): Promise<void> {
  const referer = req.headers.referer;
  const origin = req.headers.origin ?? (referer === undefined ? undefined : originOf(referer));
  if (origin === undefined) return;
  let same = false;
  try {
    const from = new URL(origin);
    // Read this server's Host with the Origin's scheme, so that a default port (":80") matches.
    same = from.host === new URL(`${from.protocol}//${req.host}`).host;
  } catch {
    // `null`, and anything else that is not a URL
  }
  if (!same) throw new AuthError('cross_site', 'This form must be sent from this site');
}

/** A Referer's origin ("https://host:port"), or `null` for one that is no URL (refused). */
function originOf(referer: string): string {
  try {
    return new URL(referer).origin;
  } catch {
    return 'null';
  }
}

/** Desk API posts must be JSON: with SameSite=Strict cookies this is the CSRF defence (forms cannot send JSON cross-site). */
export async function requireJson(req: FastifyRequest): Promise<void> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) throw new AuthError('json_required', 'Send Content-Type: application/json');
}
