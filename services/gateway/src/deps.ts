import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Redis } from 'ioredis';
import { Counter } from 'prom-client';
import { loadDirectory, type Directory } from '@aduan/routing/directory';
import { DurableProducer, Spool, StatusStore, createRedis, untilReady, type ProducerOptions } from '@aduan/queue';
import type { ResponseDeadline } from '@aduan/schema';
import { LocalDiskStorage, type AttachmentStorage } from '@aduan/storage';
import { metricsRegistry, type Logger } from '@aduan/telemetry';
import { uploadWaitMs, type GatewayEnv } from './config.ts';
import { IntakeService } from './intake/intake-service.ts';
import { createAuthDeps, type AuthDeps, type UserStore } from './auth/index.ts';
import { OpdDigest } from './opd-inbox/digest.ts';
import { PublicNumberWatch } from './public-number-watch.ts';
import { createDeskDeps, type DeskDeps } from './desk/desk-deps.ts';
import { OpdKeyStore } from './opd/opd-keys.ts';
import { UploadGate } from './intake/upload-gate.ts';
import { backfillAwaitingIndex, backfillReceivedIndex } from './overdue/backfill.ts';
import { loadResponseDeadline } from './overdue/response-deadline.ts';

export interface GatewayMetrics {
  accepted: Counter<'channel' | 'outcome'>;
  opdRequests: Counter<'opd' | 'action' | 'outcome'>;
}

let metrics: GatewayMetrics | undefined;
function gatewayMetrics(): GatewayMetrics {
  metrics ??= {
    accepted: new Counter({ name: 'aduan_gateway_complaints_total', help: 'Complaints accepted by channel and outcome (queued, spooled, replayed)', labelNames: ['channel', 'outcome'], registers: [metricsRegistry] }),
    opdRequests: new Counter({
      name: 'aduan_gateway_opd_requests_total',
      help: 'OPD API calls by OPD (of the key; "none" without a valid key), action (feed, read, attachment, status, report) and outcome (ok, not_found, unauthenticated)',
      labelNames: ['opd', 'action', 'outcome'],
      registers: [metricsRegistry],
    }),
  };
  return metrics;
}

/** Everything the HTTP app needs, built once in main.ts (or a test) and passed down. */
export interface GatewayDeps {
  config: GatewayEnv;
  logger: Logger;
  /** A 'client' connection: everything but the producer's adds, which have their own. */
  redis: Redis;
  prefix: string;
  producer: DurableProducer;
  spool: Spool;
  status: StatusStore;
  storage: AttachmentStorage;
  directory: Directory;
  intake: IntakeService;
  /** Settles once the Idempotency-Keys of complaints a previous process spooled are read back. */
  spoolRecall: Promise<void>;
  statusSecret: () => string;
  metrics: GatewayMetrics;
  rateLimit: false | { max: number; timeWindow: number };
  /** How many complaints with photos are read at once (MAX_CONCURRENT_UPLOADS), and from one address. */
  uploads: UploadGate;
  /** In the all-in-one process the router reports directly; otherwise /readyz reads its heartbeat. */
  routerAlive?: () => boolean;
  /** Operator/admin accounts and sessions (auth/). */
  auth: AuthDeps;
  /** Radio desk: board and duplicate-hint index, supporter publishing (desk/). */
  desk: DeskDeps;
  /** Per-OPD API keys of the OPD API (opd/). */
  opdKeys: OpdKeyStore;
  /** How long an OPD has to respond (OPD_RESPONSE_DAYS, HOLIDAYS_FILE); undefined: deadlines are off. */
  deadline: ResponseDeadline | undefined;
  /** Settles once the awaiting-response index was filled from the OPD inboxes (or found filled), or the gateway closed. */
  awaitingBackfill: Promise<void>;
  /** Settles once the monthly report's index of complaints by receipt was filled from the status records (or found filled), or the gateway closed. */
  receivedBackfill: Promise<void>;
  close(): Promise<void>;
}

/** Where the gateway keeps its copy of a generated status-token secret: its spool directory. */
export const secretCopyPath = (spoolDir: string) => join(resolve(spoolDir), 'status-token.secret');

/**
 * The status-token secret: STATUS_TOKEN_SECRET when set, else one generated once and kept in
 * Redis so every replica (and every restart) verifies the same tokens. The gateway keeps a copy
 * in its spool directory (mode 600, as private as the spooled complaints beside it):
 * - restarted while Redis is away, it starts with the copy and spools, instead of waiting;
 * - a Redis that lost its data gets the same secret back, so tokens already given out still work.
 * Only a gateway that never reached Redis, and has no secret set, waits for Redis here.
 */
async function loadStatusSecret(config: GatewayEnv, redis: Redis, prefix: string, logger: Logger): Promise<string> {
  if (config.STATUS_TOKEN_SECRET) return config.STATUS_TOKEN_SECRET;
  const key = `${prefix}:secret:status-token`;
  const copyPath = secretCopyPath(config.SPOOL_DIR);
  const copy = (await readFile(copyPath, 'utf8').catch(() => '')).trim() || undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      // Read first: a Redis that is full (or a read-only replica) still has the secret to give,
      // and refuses the write that would only have found it there.
      let secret = await redis.get(key);
      if (!secret) {
        await redis.set(key, copy ?? randomBytes(32).toString('base64url'), 'NX');
        secret = await redis.get(key);
      }
      if (secret) {
        if (secret !== copy) {
          // Only a convenience for later starts: an unwritable directory must not stop this one.
          await keepSecretCopy(copyPath, secret).catch((err: Error) => logger.warn({ err: err.message }, 'could not keep a copy of the status-token secret in SPOOL_DIR'));
        }
        return secret;
      }
    } catch (err) {
      if (copy) {
        logger.warn({ err: (err as Error).message }, 'Redis unreachable: using the status-token secret kept in SPOOL_DIR');
        return copy;
      }
      if (attempt % 10 === 0) logger.warn({ err: (err as Error).message }, 'waiting for Redis to load the status-token secret (or set STATUS_TOKEN_SECRET)');
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function keepSecretCopy(path: string, secret: string): Promise<void> {
  // The spool directory, made here first when a secret is generated: the service's user only.
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${secret}\n`, { mode: 0o600, flush: true });
  await rename(tmp, path);
}

export async function createGatewayDeps(config: GatewayEnv, logger: Logger, opts: { redisUrl: string; routerAlive?: () => boolean; producerOptions?: Partial<ProducerOptions>; directory?: Directory; deadline?: ResponseDeadline | undefined; readyTimeoutMs?: number }): Promise<GatewayDeps> {
  const redis = createRedis(opts.redisUrl, 'client');
  // The adds (every complaint's one script) on a connection of their own (see createRedis).
  const producerConnection = createRedis(opts.redisUrl, 'producer');
  // Both connected before the first request (an add on a connection still connecting would be
  // spooled, a status read refused); bounded, so a gateway started while Redis is away starts
  // anyway and spools.
  const readyMs = opts.readyTimeoutMs ?? 3_000;
  await Promise.all([untilReady(redis, readyMs), untilReady(producerConnection, readyMs)]);
  const prefix = config.QUEUE_PREFIX;
  const spool = new Spool(resolve(config.SPOOL_DIR));
  const producer = new DurableProducer({ connection: producerConnection, prefix, spool, logger, addTimeoutMs: config.QUEUE_ADD_TIMEOUT_MS, ...opts.producerOptions });
  const status = new StatusStore(redis, prefix);
  const secret = await loadStatusSecret(config, redis, prefix, logger);
  const statusSecret = () => secret;
  const desk = createDeskDeps(config, { redis, prefix, producer, status, logger });
  const intake = new IntakeService({ producer, status, prefix, ticketPrefix: config.TICKET_PREFIX, statusSecret, logger });
  // Complaints a previous process spooled keep their Idempotency-Keys' answers (in the
  // background: a long outage's spool is not read before the first request).
  const stopRecall = new AbortController();
  const spoolRecall = intake.recallSpooled(spool.waiting(), stopRecall.signal).then(
    (keys) => {
      if (keys > 0) logger.info({ keys }, 'idempotency keys of spooled complaints recalled');
    },
    (err: Error) => logger.warn({ err: err.message }, 'could not read the spool for its idempotency keys: a retry of a spooled complaint may file it again'),
  );
  const stopBackfill = new AbortController();
  const awaitingBackfill = backfillAwaitingIndex(status, logger, stopBackfill.signal);
  const receivedBackfill = backfillReceivedIndex(status, logger, stopBackfill.signal);
  const directory = opts.directory ?? loadDirectory(config.ROUTING_DIRECTORY);
  // main.ts passes the deadline it loaded (a holidays file that does not read stops the start).
  const deadline = 'deadline' in opts ? opts.deadline : loadResponseDeadline(config);
  const auth = createAuthDeps(config, redis, prefix);
  const digest = startOpdDigest(config, { redis, prefix, status, users: auth.users, producer, logger, directory, deadline });
  // Citizens are told to write to WHATSAPP_PUBLIC_NUMBER: the log says when no WhatsApp service runs it.
  const numberWatch = config.WHATSAPP_PUBLIC_NUMBER ? new PublicNumberWatch({ redis, prefix, account: config.WHATSAPP_PUBLIC_NUMBER, logger }).start() : undefined;
  return {
    config,
    logger,
    redis,
    prefix,
    producer,
    spool,
    status,
    storage: new LocalDiskStorage(resolve(config.ATTACHMENT_DIR)),
    // The all-in-one process passes the directory its router already loaded.
    directory,
    intake,
    spoolRecall,
    statusSecret,
    metrics: gatewayMetrics(),
    rateLimit: config.RATE_LIMIT_PER_MINUTE > 0 ? { max: config.RATE_LIMIT_PER_MINUTE, timeWindow: 60_000 } : false,
    // One client address gets at most half the turns (at least one): it cannot hold them all.
    uploads: new UploadGate(config.MAX_CONCURRENT_UPLOADS, uploadWaitMs(config), Math.max(1, Math.floor(config.MAX_CONCURRENT_UPLOADS / 2))),
    ...(opts.routerAlive ? { routerAlive: opts.routerAlive } : {}),
    auth,
    desk,
    opdKeys: new OpdKeyStore(redis, prefix),
    deadline,
    awaitingBackfill,
    receivedBackfill,
    close: async () => {
      stopRecall.abort();
      stopBackfill.abort();
      await digest?.stop();
      await numberWatch?.stop();
      await Promise.all([spoolRecall, awaitingBackfill, receivedBackfill]);
      await desk.close();
      await producer.close();
      producerConnection.disconnect();
      redis.disconnect();
    },
  };
}

/**
 * The OPD inbox's WhatsApp digest (OpdDigest), when OPD_DIGEST_TIMES names times and the city's
 * number (WHATSAPP_PUBLIC_NUMBER) is known to send it from; said once at start when it cannot run.
 */
function startOpdDigest(config: GatewayEnv, d: { redis: Redis; prefix: string; status: StatusStore; users: UserStore; producer: DurableProducer; logger: Logger; directory: Directory; deadline: ResponseDeadline | undefined }): { stop: () => Promise<void> } | undefined {
  if (config.OPD_DIGEST_TIMES.length === 0) return undefined;
  if (!config.WHATSAPP_PUBLIC_NUMBER) {
    d.logger.info('opd inbox digest off: WHATSAPP_PUBLIC_NUMBER, the number to send it from, is not set');
    return undefined;
  }
  const opdNames = new Map(d.directory.opds.map((o) => [o.code, o.name]));
  return new OpdDigest({ ...d, opdNames, times: config.OPD_DIGEST_TIMES, account: config.WHATSAPP_PUBLIC_NUMBER, publicUrl: config.PUBLIC_URL }).start();
}
