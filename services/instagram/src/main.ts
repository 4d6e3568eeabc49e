import { IgApiClient } from 'instagram-private-api';
import { QueueNames, checkRedisDurability, createRedis, exitIfRedisRefuses, isRedisUnavailable, logWorkerClosed, pingRedis } from '@aduan/queue';
import { exitConfig, listenOrExit, parseEnvOrExit } from '@aduan/config';
import { createLogger, metricsRegistry, onShutdown } from '@aduan/telemetry';
import { configureClient } from './client/configure-client.ts';
import { safeErrMessage } from './client/safe-error.ts';
import { accountOf, InstagramEnv, renamedVariables } from './env.ts';
import { NoCredentialsError } from './errors.ts';
import { buildApp } from './http/build-app.ts';
import { createIntakePipeline } from './intake-pipeline.ts';
import { createIgMetrics } from './metrics.ts';
import { NotifySender } from './notify/notify-sender.ts';
import { CursorStore } from './polling/cursor-store.ts';
import { PollLoop } from './polling/poll-loop.ts';
import { Poller } from './polling/poller.ts';
import { ACCOUNT_LOCK_TTL_MS, AccountLock } from './session/account-lock.ts';
import { InstagramAuth } from './session/auth.ts';
import { SessionStore } from './session/session-store.ts';

const renamed = renamedVariables(process.env);
if (renamed) exitConfig(renamed);
const env = parseEnvOrExit(InstagramEnv);
// Optional in the schema (the replay command does without it), required to serve the account:
// said as parseEnvOrExit says a bad variable, on stderr with exit code 78.
const username = env.INSTAGRAM_USERNAME ?? exitConfig("invalid configuration:\n✖ INSTAGRAM_USERNAME is required: the login name of the city's Instagram account\n  → at INSTAGRAM_USERNAME");
const account = accountOf(env) ?? username;
const logger = createLogger({ service: 'instagram', level: env.LOG_LEVEL });

async function main(): Promise<void> {
  const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  await exitIfRedisRefuses(redisUrl, env.QUEUE_PREFIX);
  const metrics = createIgMetrics(metricsRegistry);
  metrics.setState('starting');

  const pipeline = await createIntakePipeline({ env, redisUrl, account, transport: 'instagram-private-api', logger, metrics, sweep: true });
  const durability = await checkRedisDurability(pipeline.redis);
  for (const problem of durability.problems) logger.error({ problem }, 'REDIS IS NOT DURABLE: complaints can be lost');

  const lock = new AccountLock(pipeline.redis, pipeline.keys.lock, account);
  // What is running so far; the lock can be lost (and a signal come) before all of it is.
  const running: { loop?: PollLoop; sender?: NotifySender; app?: ReturnType<typeof buildApp>; auth?: InstagramAuth; workerRedis?: ReturnType<typeof createRedis> } = {};
  // The send in flight gets half of SHUTDOWN_TIMEOUT; the rest is the other steps' (and a margin).
  const sendGraceMs = Math.max(1_000, Math.floor(env.SHUTDOWN_TIMEOUT / 2));
  // Stop intake first, finish in-flight work, save the session, free the account, close Redis.
  // With Redis away (down, or back from a restart while the connections still wait out their
  // back-off) nothing waits for it: a send in flight waits in Redis, the session saved last and
  // the lock's expiry do for the next start.
  const stop = onShutdown({
    logger,
    timeoutMs: env.SHUTDOWN_TIMEOUT,
    steps: [
      { name: 'poll loop', run: () => running.loop?.stop() },
      {
        name: 'notify sender',
        run: async () => {
          if (running.sender) logWorkerClosed(logger, QueueNames.notify('instagram'), await running.sender.close(sendGraceMs), sendGraceMs);
        },
      },
      { name: 'http', run: () => running.app?.close() },
      {
        name: 'instagram session',
        run: async () => {
          if (running.auth?.state !== 'ready') return;
          const notSaved = () => logger.warn('redis unreachable at shutdown: instagram session not saved; the next start restores the one saved before');
          // The connection refuses commands until it is back: nothing to wait for. One that has
          // not noticed yet (Redis gone a moment ago) fails the write at once (fail-fast).
          if (pipeline.redis.status !== 'ready') return notSaved();
          await running.auth.persist(true).catch((err: Error) => (isRedisUnavailable(err) ? notSaved() : logger.warn({ err: err.message }, 'instagram session not saved at shutdown; the next start restores the one saved before')));
        },
      },
      {
        name: 'account lock',
        run: async () => {
          if (!(await lock.release())) logger.warn({ ttlMs: ACCOUNT_LOCK_TTL_MS }, 'redis unreachable at shutdown: account lock left to expire');
        },
      },
      { name: 'redis', run: async () => { await pipeline.close(); running.workerRedis?.disconnect(); } },
    ],
  });
  await lock.acquire((err) => {
    metrics.setState('lock_lost');
    logger.fatal({ err: err.message }, 'lost the instagram account lock; stopping so two processes never serve one account');
    void stop(1, 'account lock lost');
  });

  const client = new IgApiClient();
  configureClient(client, { proxyUrl: env.INSTAGRAM_PROXY_URL, proxyTunnel: env.INSTAGRAM_PROXY_TUNNEL, requestTimeoutMs: env.INSTAGRAM_REQUEST_TIMEOUT });
  const codeHint = env.ADMIN_TOKEN
    ? `POST http://${env.HOST}:${env.PORT}/admin/instagram/code with {"code":"123456"} and "Authorization: Bearer $ADMIN_TOKEN"`
    : 'set ADMIN_TOKEN and restart, or stop the service and run `pnpm --filter @aduan/instagram login`';
  const auth = (running.auth = new InstagramAuth({ client, store: new SessionStore(pipeline.redis, pipeline.keys.session), username, password: env.INSTAGRAM_PASSWORD, logger, codeHint }));
  let startFailure: unknown;
  try {
    await auth.start();
  } catch (err) {
    if (err instanceof NoCredentialsError) throw err;
    startFailure = err;
    // Instagram unreachable or refusing now: the poll loop retries the login with back-off.
    logger.error({ errName: (err as Error).name, err: safeErrMessage(err) }, 'instagram login failed at start; retrying with back-off');
  }

  const poller = new Poller({
    client,
    processor: pipeline.processor,
    cursors: new CursorStore(pipeline.redis, pipeline.keys),
    logger,
    metrics,
    backfillMs: env.INSTAGRAM_BACKFILL,
    approvePending: env.INSTAGRAM_APPROVE_PENDING,
    maxPages: env.INSTAGRAM_MAX_PAGES,
    // A burst closes by its messages' own times once a poll has read past them, not by when they came.
    onComplete: (startedAtMs) => pipeline.markDelivered(startedAtMs),
  });
  const loop = (running.loop = new PollLoop({ poller, auth, logger, metrics, intervalMs: env.INSTAGRAM_POLL_INTERVAL, jitter: env.INSTAGRAM_POLL_JITTER, pollTimeoutMs: env.INSTAGRAM_POLL_TIMEOUT }));
  // A failed login at start is retried after the back-off its failure calls for, not at once.
  if (auth.state === 'logged_out') loop.startAfterFailure(startFailure);
  else loop.start(0, auth.state === 'awaiting_code' ? 'awaiting_code' : 'starting');

  const workerRedis = (running.workerRedis = createRedis(redisUrl, 'worker'));
  running.sender = new NotifySender({
    connection: workerRedis,
    redis: pipeline.redis,
    prefix: env.QUEUE_PREFIX,
    client,
    account,
    keys: pipeline.keys,
    logger,
    metrics,
    maxPerMinute: env.INSTAGRAM_SEND_PER_MINUTE,
    sendTimeoutMs: 2 * env.INSTAGRAM_REQUEST_TIMEOUT,
    // Not while the session waits for a code, nor while a poll was told to wait (rate limit, spam, block).
    canSend: () => loop.canSend(),
    // The router's notices too: "Aamiin" or "🙏" in reply to a "selesai" gets no guide.
    onSent: (n) => pipeline.engine.rememberNotice(n),
  });

  const app = (running.app = buildApp({
    logger,
    registry: metricsRegistry,
    dataDirs: { spool: env.SPOOL_DIR, inbox: env.INBOX_SPOOL_DIR, attachments: env.ATTACHMENT_DIR },
    adminToken: env.ADMIN_TOKEN,
    metricsToken: env.METRICS_TOKEN,
    submitCode: async (code) => {
      const state = await auth.submitCode(code);
      if (state === 'ready') loop.pollSoon();
      return state;
    },
    health: async () => ({
      account,
      state: loop.status.state,
      lockHeld: lock.isHeld,
      redis: await pingRedis(pipeline.redis),
      ...(auth.pendingKind ? { awaitingCode: auth.pendingKind } : {}),
      ...(loop.status.lastSuccessAt ? { lastSuccessAt: loop.status.lastSuccessAt } : {}),
      ...(loop.status.nextPollAt ? { nextPollAt: loop.status.nextPollAt } : {}),
      consecutiveFailures: loop.status.consecutiveFailures,
      ...(loop.status.lastFailure ? { lastFailure: loop.status.lastFailure } : {}),
      ...(loop.pollOverdue() ? { pollOverdue: true } : {}),
    }),
  }));
  await listenOrExit(app, env.PORT, env.HOST);
  logger.info({ port: env.PORT, state: auth.state }, 'instagram adapter started');
}

main().catch((err: Error & { code?: string }) => {
  logger.fatal({ err: err.message, code: err.code }, 'instagram adapter failed to start');
  process.exit(1);
});
