import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuthDeps } from './auth-deps.ts';
import { Me, setSessionCookie } from './auth-routes.ts';
import { AuthError } from './errors.ts';
import { safeNext } from './login-page.ts';
import { changeOwnPassword, type PasswordProblem } from './password-change.ts';
import { passwordChangedPage, passwordPage } from './password-page.ts';
import { PASSWORD_PAGE, requireJson, requireSameOrigin, requireStaff, userOf } from './require-role.ts';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './user-store.ts';
import { ErrorBody, HttpError, ValidationFailedError } from '../errors.ts';
import { sendPage } from '../views/page-reply.ts';

const PasswordBody = z
  .object({
    currentPassword: z.string().meta({ description: 'The password the account logs in with now.' }),
    newPassword: z.string().meta({ description: `${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters, not the current one.` }),
  })
  .meta({ id: 'PasswordChangeRequest' });

/** The API's English for each field problem (the page words them itself, password-page.ts). */
const API_MESSAGES: Record<PasswordProblem, string> = {
  required: 'Required',
  too_short: `At least ${MIN_PASSWORD_LENGTH} characters`,
  too_long: `At most ${MAX_PASSWORD_LENGTH} characters`,
  same_as_current: 'The new password must differ from the current one',
  mismatch: 'The two copies differ',
  wrong_password: 'This is not the current password',
};

/** A form field as text: anything else counts as empty. */
const text = (v: unknown) => (typeof v === 'string' ? v : '');

/** The throttle's refusal of a guess (429), in the page's words; undefined for any other error. */
function throttleNotice(err: unknown): { seconds: number; text: string } | undefined {
  const limited = err instanceof HttpError && err.code === 'rate_limited';
  if (!limited && !(err instanceof AuthError && err.code === 'too_many_attempts')) return undefined;
  const seconds = Number(err.details?.retryAfterSeconds ?? 60);
  const minutes = Math.ceil(seconds / 60);
  return { seconds, text: limited ? `Terlalu banyak percobaan masuk dari jaringan ini. Silakan coba lagi dalam ${minutes} menit.` : `Terlalu banyak percobaan kata sandi yang salah. Silakan coba lagi dalam ${minutes} menit.` };
}

/**
 * A staff member changes their own password: the page `/akun/sandi` (every role, linked from the
 * staff bar; where an account whose password someone else chose is sent until it has chosen its
 * own) and its JSON twin `POST /api/v1/desk/password`, beside the login's. Both run
 * changeOwnPassword; the page's form posts are checked as the login's (requireSameOrigin), the
 * API's as the desk API's (JSON only).
 */
export async function passwordRoutes(app: FastifyInstance, auth: AuthDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const staff = requireStaff();

  async function isDue(req: FastifyRequest): Promise<boolean> {
    return (await auth.users.get(userOf(req).username))?.passwordChangeDue ?? false;
  }

  app.get<{ Querystring: { next?: unknown; selesai?: unknown } }>(PASSWORD_PAGE, { preHandler: staff, schema: { hide: true } }, async (req, reply) => {
    const next = safeNext(req.query.next);
    const due = await isDue(req);
    // "Done" only for an account that did it: the URL alone proves nothing.
    if (req.query.selesai === '1' && !due) return sendPage(reply, passwordChangedPage({ user: userOf(req), next }));
    return sendPage(reply, passwordPage({ user: userOf(req), next, due }));
  });

  app.post<{ Body: Record<string, unknown> | undefined }>(PASSWORD_PAGE, { preHandler: [requireSameOrigin, staff], schema: { hide: true } }, async (req, reply: FastifyReply) => {
    const body = req.body && typeof req.body === 'object' ? req.body : {};
    const next = safeNext(body.next);
    const user = userOf(req);
    try {
      const done = await changeOwnPassword(auth, req, user, { current: text(body.current), password: text(body.password), again: text(body.again) });
      if (!done.ok) return sendPage(reply.code(400), passwordPage({ user, next, due: await isDue(req), problems: done.problems }));
      setSessionCookie(reply, auth, done.sessionId);
      // Redirected: a reload of the answer must not send the form again (its current password is no longer right).
      return reply.redirect(`${PASSWORD_PAGE}?selesai=1&next=${encodeURIComponent(next)}`, 303);
    } catch (err) {
      const notice = throttleNotice(err);
      if (!notice) throw err;
      reply.header('Retry-After', String(notice.seconds));
      return sendPage(reply.code(429), passwordPage({ user, next, due: await isDue(req), notice: notice.text }));
    }
  });

  r.post(
    '/api/v1/desk/password',
    {
      // Who asks before what is asked (as the desk API): a session that ended hears 401, not a field error.
      preValidation: [requireJson, staff],
      schema: {
        summary: "Change the logged-in account's own password",
        description:
          'Session cookie required (any staff role; also an account whose `passwordChangeRequired` is true, for which this is the only call allowed). The current password is checked, and throttled, as a login\'s (a wrong one: 400 with `fields.currentPassword.code` `wrong_password`; too many: 429). On success every other session of the account ends and a new session cookie replaces this one.',
        tags: ['desk'],
        body: PasswordBody,
        response: { 200: Me, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 415: ErrorBody, 429: ErrorBody },
      },
    },
    async (req, reply) => {
      const user = userOf(req);
      const done = await changeOwnPassword(auth, req, user, { current: req.body.currentPassword, password: req.body.newPassword });
      if (!done.ok) {
        const name = { current: 'currentPassword', password: 'newPassword', again: 'newPassword' } as const;
        throw new ValidationFailedError(Object.fromEntries(Object.entries(done.problems).map(([field, code]) => [name[field as keyof typeof name], { code, message: API_MESSAGES[code] }])));
      }
      setSessionCookie(reply, auth, done.sessionId);
      return user;
    },
  );
}
