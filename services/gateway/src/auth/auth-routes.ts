import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuthDeps } from './auth-deps.ts';
import { DEVICE_TTL_MS } from './login-throttle.ts';
import { loginCounter } from './metrics.ts';
import { AuthError } from './errors.ts';
import { loginPage, safeNext } from './login-page.ts';
import { guessPassword } from './password-guess.ts';
import { PASSWORD_PAGE, requireJson, requireRole, requireSameOrigin, sessionCookie, userOf } from './require-role.ts';
import { MAX_PASSWORD_LENGTH, Role, canonicalUsername, type AuthUser } from './user-store.ts';
import { sendPage } from '../views/page-reply.ts';
import { HttpError } from '../errors.ts';

const LoginBody = z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(MAX_PASSWORD_LENGTH) }).meta({ id: 'LoginRequest' });
export const Me = z.object({ username: z.string(), role: Role, station: z.string() }).meta({ id: 'DeskUser' });
const LoggedInAnswer = Me.extend({
  passwordChangeRequired: z.boolean().meta({ description: 'The password was chosen by someone else (an admin, the server\'s CLI): every other call answers 403 `password_change_required` until the account has chosen its own (POST /api/v1/desk/password).' }),
}).meta({ id: 'LoginAnswer' });
const ErrorBody = z.object({ error: z.string(), message: z.string() });

/** A form field as text: anything else (an object from a JSON body) counts as empty. */
const text = (v: unknown) => (typeof v === 'string' ? v : '');

/** A login's outcome: the user, a new session id, the browser's device token, and whether the account must choose its own password first. */
export interface LoggedIn {
  user: AuthUser;
  sessionId: string;
  device: string;
  passwordChangeDue: boolean;
}

/** Checks a password with throttling and logging (guessPassword); returns the user and a new session id. */
export async function login(auth: AuthDeps, req: FastifyRequest, rawUsername: string, password: string): Promise<LoggedIn> {
  // The API's limits (LoginBody), for the page form too: nothing longer is anyone's account.
  if (rawUsername.length > 100 || password.length > MAX_PASSWORD_LENGTH) throw new AuthError('invalid_credentials', 'Wrong username or password');
  const username = canonicalUsername(rawUsername);
  const right = await guessPassword(auth, req, username, password, 'login');
  if (!right) throw new AuthError('invalid_credentials', 'Wrong username or password');
  const { user, device, knownDevice } = right;
  const who = { operator: username, client: req.ip };
  if (user.disabled) {
    req.log.warn({ event: 'login_disabled', ...who }, 'login of a disabled account');
    loginCounter().inc({ outcome: 'disabled' });
    throw new AuthError('account_disabled', 'This account has been disabled');
  }
  req.log.info({ event: 'login', ...who, role: user.role }, 'logged in');
  loginCounter().inc({ outcome: 'ok' });
  const [sessionId, known] = await Promise.all([auth.sessions.create(user.username, user.sessionEpoch), auth.throttle.rememberDevice(username, device, knownDevice)]);
  return { user: { username: user.username, role: user.role, station: user.station, opd: user.opd }, sessionId, device: known, passwordChangeDue: user.passwordChangeDue };
}

/** The session's cookie (a login's, or the new session of a password change). */
export function setSessionCookie(reply: FastifyReply, auth: AuthDeps, sessionId: string) {
  reply.setCookie(auth.cookie.name, sessionId, { path: '/', httpOnly: true, secure: auth.cookie.secure, sameSite: 'strict', maxAge: auth.cookie.maxAgeSeconds });
}

/** The session's cookie, and the device cookie that marks this browser as one the user logged in from. */
function setLoginCookies(reply: FastifyReply, auth: AuthDeps, login: { sessionId: string; device: string }) {
  setSessionCookie(reply, auth, login.sessionId);
  reply.setCookie(auth.cookie.deviceName, login.device, { path: '/', httpOnly: true, secure: auth.cookie.secure, sameSite: 'strict', maxAge: DEVICE_TTL_MS / 1000 });
}

async function logout(auth: AuthDeps, req: FastifyRequest, reply: FastifyReply) {
  const id = sessionCookie(req, auth);
  if (id) await auth.sessions.destroy(id);
  reply.clearCookie(auth.cookie.name, { path: '/', httpOnly: true, secure: auth.cookie.secure, sameSite: 'strict' });
}

const PAGE_MESSAGES: Record<string, (e: AuthError) => string> = {
  invalid_credentials: () => 'Nama pengguna atau kata sandi salah.',
  account_disabled: () => 'Akun ini dinonaktifkan. Silakan hubungi admin.',
  too_many_attempts: (e) =>
    e.details?.newDevice
      ? `Akun ini sedang terlalu sering dicoba dari perangkat lain. Silakan masuk dari perangkat yang biasa Anda pakai, atau coba lagi dalam ${Math.ceil(Number(e.details.retryAfterSeconds ?? 60) / 60)} menit.`
      : `Terlalu banyak percobaan yang gagal. Silakan coba lagi dalam ${Math.ceil(Number(e.details?.retryAfterSeconds ?? 60) / 60)} menit.`,
};

/** GET/POST /login (page), POST /logout, and the JSON API: /api/v1/desk/login, /logout, /me. */
export async function authRoutes(app: FastifyInstance, auth: AuthDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  app.get<{ Querystring: { next?: string; expired?: string } }>('/login', { schema: { hide: true } }, async (req, reply) => {
    const next = safeNext(req.query.next);
    const message = req.query.expired ? 'Sesi Anda sudah berakhir. Silakan masuk lagi.' : undefined;
    return sendPage(reply, loginPage({ next, ...(message ? { message } : {}) }));
  });

  app.post<{ Body: Record<string, unknown> }>('/login', { preHandler: requireSameOrigin, schema: { hide: true } }, async (req, reply) => {
    const body = req.body && typeof req.body === 'object' ? req.body : {};
    const next = safeNext(body.next);
    const username = text(body.username);
    try {
      const done = await login(auth, req, username, text(body.password));
      setLoginCookies(reply, auth, done);
      // Straight to the change, with where the login was going kept for after it.
      return reply.redirect(done.passwordChangeDue ? `${PASSWORD_PAGE}?next=${encodeURIComponent(next)}` : next, 303);
    } catch (err) {
      // The per-address limit (any username): said on the login page, not as a complaint refused.
      if (err instanceof HttpError && err.code === 'rate_limited') {
        const wait = Number(err.details?.retryAfterSeconds ?? 60);
        reply.header('Retry-After', String(wait));
        return sendPage(reply.code(429), loginPage({ next, username, message: `Terlalu banyak percobaan masuk dari jaringan ini. Silakan coba lagi dalam ${Math.ceil(wait / 60)} menit.` }));
      }
      const toMessage = err instanceof AuthError ? PAGE_MESSAGES[err.code] : undefined;
      if (!toMessage || !(err instanceof AuthError)) throw err;
      if (err.code === 'too_many_attempts') reply.header('Retry-After', String(err.details?.retryAfterSeconds ?? 60));
      return sendPage(reply.code(err.statusCode), loginPage({ next, username, message: toMessage(err) }));
    }
  });

  app.post<{ Body: Record<string, unknown> | undefined }>('/logout', { preHandler: requireSameOrigin, schema: { hide: true } }, async (req, reply) => {
    await logout(auth, req, reply);
    // The page logged out of (its form's `next`, e.g. the admin's triage) is where the next login
    // goes, not the login's default (the desk).
    const next = safeNext(req.body && typeof req.body === 'object' ? req.body.next : undefined, '');
    return reply.redirect(next ? `/login?next=${encodeURIComponent(next)}` : '/login', 303);
  });

  r.post(
    '/api/v1/desk/login',
    {
      preHandler: requireJson,
      schema: { summary: 'Log in (operator, admin or OPD staff)', description: 'Sets the http-only, SameSite=Strict session cookie `aduan_session` (`__Host-aduan_session` when the gateway runs with Secure cookies: HTTPS, NODE_ENV=production).', tags: ['desk'], body: LoginBody, response: { 200: LoggedInAnswer, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody } },
    },
    async (req, reply) => {
      const done = await login(auth, req, req.body.username, req.body.password);
      setLoginCookies(reply, auth, done);
      return { ...done.user, passwordChangeRequired: done.passwordChangeDue };
    },
  );

  // A cross-site page must not end an operator's session mid-broadcast (SameSite does not stop a sibling subdomain).
  r.post('/api/v1/desk/logout', { preHandler: requireSameOrigin, schema: { summary: 'Log out', description: 'Refused (403) when sent from another site (`Origin`).', tags: ['desk'], response: { 204: z.null(), 403: ErrorBody } } }, async (req, reply) => {
    await logout(auth, req, reply);
    return reply.code(204).send(null);
  });

  r.get('/api/v1/desk/me', { preHandler: requireRole('operator', 'admin'), schema: { summary: 'The logged-in user', tags: ['desk'], response: { 200: Me, 401: ErrorBody, 403: ErrorBody } } }, async (req) => userOf(req));
}
