import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { requireRole, userOf } from '../auth/index.ts';
import type { GatewayDeps } from '../deps.ts';
import { errorPage } from '../views/result-pages.ts';
import { deskApi } from './desk-api.ts';
import { deskPage } from './desk-page.ts';
import { sendPage } from '../views/page-reply.ts';

export { createDeskDeps, type DeskDeps } from './desk-deps.ts';
export { supportersJobId } from './supporters.ts';

const CLIENT_JS = readFileSync(new URL('./client/desk.js', import.meta.url), 'utf8');

/** The radio desk: GET /desk (page), /desk/desk.js, and the /api/v1/desk/* API. Operators only. */
export async function registerDesk(app: FastifyInstance, deps: GatewayDeps): Promise<void> {
  app.get('/desk', { schema: { hide: true }, preHandler: requireRole('operator', 'admin', 'opd') }, async (req, reply) => {
    const user = userOf(req);
    // The login's default landing page: an OPD's staff work in their inbox.
    if (user.role === 'opd') return reply.redirect('/opd', 303);
    // An admin made without a station (the README's first account) lands here after a login
    // without `next`: their page is triage.
    if (!user.station && user.role === 'admin') return reply.redirect('/admin/triage', 303);
    if (!user.station) return sendPage(reply.code(403), errorPage('Tidak terhubung ke stasiun', 'Akun ini tidak terhubung ke stasiun radio. Minta admin menambahkan stasiun untuk akun Anda.'));
    const stored = await deps.auth.users.get(user.username);
    reply.header('cache-control', 'no-store');
    return sendPage(reply, deskPage(deps.directory, { user, hintDays: deps.desk.hintDays, whatsappNumber: deps.config.WHATSAPP_PUBLIC_NUMBER, ticketPrefix: deps.config.TICKET_PREFIX, utcOffsetMinutes: deps.desk.utcOffsetMinutes, now: Date.now(), ...(stored?.lastProgram ? { lastProgram: stored.lastProgram } : {}) }));
  });
  app.get('/desk/desk.js', { schema: { hide: true } }, async (_req, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(CLIENT_JS));
  await deskApi(app, deps);
}
