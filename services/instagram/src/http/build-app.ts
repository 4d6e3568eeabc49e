import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { bearerMatches, metricsAuth, refreshDataDiskGauges, type DataDirs, type Logger } from '@aduan/telemetry';
import { safeErrMessage } from '../client/safe-error.ts';
import { NoPendingChallengeError } from '../errors.ts';

export interface HealthSnapshot {
  account: string;
  state: string;
  lockHeld: boolean;
  redis: boolean;
  awaitingCode?: string;
  lastSuccessAt?: string;
  nextPollAt?: string;
  consecutiveFailures: number;
  lastFailure?: { action: string; reason: string; at: string };
  /** The next poll is long overdue: the poll loop is stuck (PollLoop.pollOverdue). */
  pollOverdue?: boolean;
}

export interface AppOptions {
  logger: Logger;
  registry: Registry;
  /** Reported on /metrics (aduan_data_disk_*_bytes{dir}): where messages wait while Redis is away, and the photos. */
  dataDirs: DataDirs;
  health: () => Promise<HealthSnapshot>;
  /** Without a token the admin endpoint does not exist. */
  adminToken?: string;
  /** METRICS_TOKEN: /metrics answers only a request that carries it. */
  metricsToken?: string | undefined;
  submitCode: (code: string) => Promise<string>;
}

const CodeBody = z.object({ code: z.string().trim().regex(/^[0-9 ]{4,10}$/, 'the code is 4 to 10 digits') });

/**
 * Health, metrics and the operator's challenge endpoint. Built apart from `listen` so tests
 * use `app.inject()`. /healthz answers 503 only when restarting could help (lock lost, Redis
 * unreachable, the poll loop stuck); back-off and an awaiting challenge are reported in the body.
 */
export function buildApp(opts: AppOptions): FastifyInstance {
  const app = Fastify({ loggerInstance: opts.logger as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }), bodyLimit: 4_096 });

  app.get('/healthz', async (_req, reply) => {
    const h = await opts.health();
    const ok = h.lockHeld && h.redis && !h.pollOverdue;
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unhealthy', ...h });
  });

  app.get('/metrics', { onRequest: metricsAuth(opts.metricsToken) }, async (_req, reply) => {
    await refreshDataDiskGauges(opts.registry, opts.dataDirs, opts.logger);
    return reply.type(opts.registry.contentType).send(await opts.registry.metrics());
  });

  if (opts.adminToken) {
    const token = opts.adminToken;
    app.post('/admin/instagram/code', async (req, reply) => {
      if (!bearerMatches(req.headers.authorization, token)) {
        return reply.code(401).send({ error: 'unauthorized', code: 'ADUAN_ERR_UNAUTHORIZED' });
      }
      const body = CodeBody.safeParse(req.body);
      if (!body.success) return reply.code(400).send({ error: z.prettifyError(body.error), code: 'ADUAN_ERR_VALIDATION' });
      try {
        const state = await opts.submitCode(body.data.code);
        return reply.send({ state });
      } catch (err) {
        if (err instanceof NoPendingChallengeError) return reply.code(409).send({ error: err.message, code: err.code });
        opts.logger.warn({ errName: (err as Error).name, err: safeErrMessage(err) }, 'instagram code was not accepted');
        return reply.code(422).send({ error: 'instagram did not accept the code; check it and try again', code: 'ADUAN_ERR_IG_CODE_REJECTED' });
      }
    });
  }
  return app;
}
