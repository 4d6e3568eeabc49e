import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * Headers of every HTML page (the citizen form and status pages, login, radio desk, triage,
 * error pages). Constant; set where a page is sent (`sendPage`) rather than by a hook, so the
 * JSON API pays nothing for them.
 * - CSP: scripts only from this origin (/form.js, /desk/desk.js), so markup that slipped past
 *   escaping could not run a script; no framing (clickjacking on the login and desk pages); forms
 *   post only here. Inline styles stay allowed: every page carries its CSS inline.
 * - `Referrer-Policy: same-origin`: the status page's URL carries the status token; no other
 *   site ever receives it as a Referer.
 * - `Cache-Control: no-store`: status, desk and triage pages show personal data, and a shared
 *   computer (a warnet, an office PC) must not keep them.
 * HSTS belongs to the TLS-terminating proxy in front of the gateway, which knows the domain.
 */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
} as const;

/** Sends an HTML page with PAGE_HEADERS (also from frameworkErrors, whose reply has no decorators). */
export function sendPage(reply: FastifyReply, html: string): FastifyReply {
  return reply.headers(PAGE_HEADERS).send(html);
}

/** Where the citizen form's script is served. */
export const FORM_SCRIPT_PATH = '/form.js';
const FORM_SCRIPT = readFileSync(new URL('./client/form.js', import.meta.url), 'utf8');

/** The form's script, served from this origin for the pages' CSP. */
export function registerFormScript(app: FastifyInstance): void {
  app.get(FORM_SCRIPT_PATH, { schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('x-content-type-options', 'nosniff').header('cache-control', 'no-cache').send(FORM_SCRIPT),
  );
}
