import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler } from 'fastify-type-provider-zod';
import type { GatewayDeps } from './deps.ts';
import { errorHandler, zodValidatorCompiler } from './error-handler.ts';
import { rateLimitedError } from './errors.ts';
import { FILES_PARSED_PAST_LIMIT } from './intake/multipart.ts';
import { complaintsApi } from './routes/complaints-api.ts';
import { health } from './routes/health.ts';
import { webForm } from './routes/web-form.ts';
import { reopenRoutes } from './routes/reopen.ts';
import { registerAuth } from './auth/index.ts';
import { clientAddressKey, untrustedProxyCheck } from './auth/client-address.ts';
import { registerDesk } from './desk/index.ts';
import { registerTriage } from './triage/index.ts';
import { registerReports } from './report/index.ts';
import { registerAccounts } from './accounts/index.ts';
import { MonthlyReports } from './report/monthly-reports.ts';
import { registerOpdApi } from './opd/index.ts';
import { OpdComplaints } from './opd/opd-complaints.ts';
import { registerOpdInbox } from './opd-inbox/index.ts';
import { errorPage } from './views/result-pages.ts';
import { PAGE_HEADERS, sendPage } from './views/page-reply.ts';

export const API_VERSION = '1.0.0';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by a handler that accepted a complaint: merged into the request's log line. */
    logFields: Record<string, unknown> | undefined;
  }
}

/** Builds the HTTP app without listening, so tests use app.inject() and main.ts calls listen(). */
export async function buildApp(deps: GatewayDeps, opts: { extraRoutes?: (app: FastifyInstance) => Promise<void> } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger and fastify's base logger type differ only in generics.
    loggerInstance: deps.logger as unknown as FastifyBaseLogger,
    bodyLimit: deps.config.BODY_LIMIT_BYTES,
    // Idle connections are closed (fastify's default is never): see REQUEST_IDLE_TIMEOUT.
    connectionTimeout: deps.config.REQUEST_IDLE_TIMEOUT,
    // The proxies' addresses, never `true` (see trustedProxies in config.ts).
    trustProxy: deps.config.TRUST_PROXY,
    requestIdHeader: false,
    // One access line per request (below) instead of fastify's two: half the logging cost.
    logController: new LogController({ disableRequestLogging: true }),
    // A malformed or overlong URL gets the same error body as everything else.
    frameworkErrors: errorHandler,
  });
  // One line per request. A request that filed a complaint says so on that same line
  // ("complaint accepted", with the complaint's id and outcome) rather than on a second one.
  app.decorateRequest('logFields', undefined);
  // What the API reads out (complaints, OPD inboxes, the desk's board, a status) is never kept by
  // a browser or a proxy: every GET under /api/ says so. Added to each such route as it is
  // registered, so no other route (the complaint intake) runs a hook for it.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (route.url.startsWith('/api/') && methods.includes('GET')) route.onRequest = [...(route.onRequest ? [route.onRequest].flat() : []), noStore];
  });
  const proxyCheck = untrustedProxyCheck(deps.logger, deps.config.TRUST_PROXY);
  // A callback hook, not an async one: no promise per request.
  app.addHook('onResponse', (req, reply, done) => {
    proxyCheck(req);
    if (req.url !== '/healthz' && req.url !== '/readyz' && req.url !== '/metrics') {
      const q = req.url.indexOf('?');
      const line = { method: req.method, url: q === -1 ? req.url : `${req.url.slice(0, q)}?[redacted]`, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 };
      if (req.logFields) req.log.info({ ...req.logFields, ...line }, 'complaint accepted');
      else req.log.info(line, 'request');
    }
    done();
  });
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api/')) return reply.code(404).send({ error: 'not_found', message: 'No such endpoint' });
    return sendPage(reply.code(404), errorPage('Halaman tidak ditemukan', 'Halaman yang Anda cari tidak ada.'));
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Aduan gateway API', version: API_VERSION, description: 'Complaint intake for Kota Blitar. Errors: { error: <stable code>, message, fields? } — see docs/errors.md.' },
      tags: [
        { name: 'complaints', description: 'Filing complaints and reading their status' },
        { name: 'triage', description: 'Admin triage: complaints below the confidence threshold, assignment, corrections export (admin session)' },
        { name: 'desk', description: 'Radio desk: operator login, call-ins, board, duplicate hints (session cookie)' },
        { name: 'opd', description: "An OPD's own system: read the complaints routed to it and report progress (per-OPD API key)" },
      ],
      components: { securitySchemes: { opdKey: { type: 'http', scheme: 'bearer', description: 'An OPD API key (`pnpm --filter @aduan/gateway opd-key:add <opd>`); it acts for that one OPD.' } } },
    },
    transform: jsonSchemaTransform,
    // The schemas registered by id (ComplaintAccepted, Error, RoutedComplaint...) into
    // components.schemas, where the routes' $refs point: without it every $ref dangles.
    transformObject: jsonSchemaTransformObject,
  });
  // Swagger UI's pages get the other pages' CSP, framing and referrer rules (its assets are all
  // served from here; no validator badge from swagger.io).
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { validatorUrl: null },
    uiHooks: {
      onRequest: (_req, reply, done) => {
        reply.headers(DOCS_HEADERS);
        done();
      },
    },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(formbody);
  await app.register(multipart, {
    // readMultipart applies MAX_PHOTOS and the size limit itself, after reading the whole body,
    // so that a refused photo does not lose the fields the citizen typed after it.
    throwFileSizeLimit: false,
    limits: { fileSize: deps.config.MAX_PHOTO_BYTES, files: deps.config.MAX_PHOTOS + FILES_PARSED_PAST_LIMIT, fields: 40, fieldSize: 16 * 1024, parts: 60 + FILES_PARSED_PAST_LIMIT },
  });
  await app.register(rateLimit, {
    global: false,
    // Counted as the login throttle counts (an IPv6 client by its /64). A request whose client is
    // already gone (Node answered a broken Transfer-Encoding with 400 and closed the socket) has
    // no address: the plugin's own key threw on it, an "unhandled error" anyone could log at will.
    keyGenerator: (req) => clientAddressKey(req.ip ?? ''),
    errorResponseBuilder: (_req, ctx) => rateLimitedError(Math.ceil(ctx.ttl / 1000)),
  });

  await health(app, deps);
  await complaintsApi(app, deps);
  await webForm(app, deps);
  await reopenRoutes(app, deps);
  await registerAuth(app, deps.auth);
  await registerDesk(app, deps);
  await registerTriage(app, deps);
  const reports = new MonthlyReports(deps);
  registerReports(app, reports);
  registerAccounts(app, deps);
  const opdComplaints = new OpdComplaints(app, deps);
  await registerOpdApi(app, deps, opdComplaints, reports);
  registerOpdInbox(app, deps, opdComplaints, reports);
  if (opts.extraRoutes) await opts.extraRoutes(app);
  return app;
}

const { 'content-type': _html, 'cache-control': _noStore, ...DOCS_HEADERS } = PAGE_HEADERS;

function noStore(_req: FastifyRequest, reply: FastifyReply, done: () => void): void {
  reply.header('cache-control', 'no-store');
  done();
}
