import cookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import type { AuthDeps } from './auth-deps.ts';
import { authRoutes } from './auth-routes.ts';
import { passwordRoutes } from './password-routes.ts';

export { createAuthDeps, DEVICE_COOKIE, SESSION_COOKIE, type AuthDeps } from './auth-deps.ts';
export { AUTH_ERROR_CODES, AuthError } from './errors.ts';
export { requireRole, requireStaff, requireJson, requireSameOrigin, userOf, authenticate, loginRedirect, passwordChangePath, passwordChangeRedirect, sessionCookie, cookieOf, PASSWORD_PAGE } from './require-role.ts';
export { UserStore, UserError, Role, checkAccount, canonicalUsername, USERNAME_RE, type AuthUser, type StoredUser, type NewAccount, type UserErrorCode } from './user-store.ts';
export { accountOpds, accountOpdCodes } from './account-opds.ts';
export { generatePassword, passwordGroups } from './generated-password.ts';
export { SessionStore } from './session-store.ts';

/**
 * Registers cookies, `request.user`, the login page and the login API, and the change of one's
 * own password (page and API), on the root instance.
 * Other pages protect themselves with `preHandler: requireRole('admin')` and send people to
 * `/login?next=<their path>`.
 */
export async function registerAuth(app: FastifyInstance, auth: AuthDeps): Promise<void> {
  // No parsing hook: most requests (complaints, status, OPD keys) carry no session, and a hook
  // costs every one of them. The routes that need the session read it (sessionCookie).
  await app.register(cookie, { hook: false });
  app.decorate('aduanAuth', auth);
  app.decorateRequest('user', null);
  await authRoutes(app, auth);
  await passwordRoutes(app, auth);
}
