import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Registry } from 'prom-client';
import { createRedis, QueueNames } from '@aduan/queue';
import type { Complaint, Notification } from '@aduan/schema';
import type { Logger } from '@aduan/telemetry';
import { InstagramCommonEnv } from '../env.ts';
import { createIntakePipeline, type IntakePipeline } from '../intake-pipeline.ts';
import { createIgMetrics, type IgMetrics } from '../metrics.ts';
import { CursorStore } from '../polling/cursor-store.ts';
import { Poller } from '../polling/poller.ts';
import type { IgClientLike } from '../client/ig-client-like.ts';

export const PNG_1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
/** An ISO-BMFF header with brand isom: sniffs as video/mp4. */
export const MP4 = Buffer.concat([Buffer.from('000000186674797069736f6d0000020069736f6d69736f32', 'hex'), Buffer.alloc(64, 1)]);
/** Brand "M4A ": a voice note. */
export const M4A = Buffer.concat([Buffer.from('00000018667479704d344120000000004d34412069736f6d', 'hex'), Buffer.alloc(64, 2)]);

/** A loopback HTTP server standing in for Instagram's CDN. */
export async function startMediaServer(files: Record<string, Buffer>): Promise<{ url: (path: string) => string; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const body = files[req.url ?? ''];
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { url: (p) => `http://127.0.0.1:${port}${p}`, hits, close: () => new Promise((r) => server.close(() => r())) };
}

export function testEnv(prefix: string, overrides: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'aduan-ig-'));
  return InstagramCommonEnv.parse({
    QUEUE_PREFIX: prefix,
    INSTAGRAM_ACCOUNT: 'pemkotblitar',
    ATTACHMENT_DIR: join(dir, 'attachments'),
    SPOOL_DIR: join(dir, 'spool'),
    INBOX_SPOOL_DIR: join(dir, 'inbox'),
    MEDIA_TIMEOUT: '3s',
    ...overrides,
  });
}

export interface Rig {
  pipeline: IntakePipeline;
  poller: Poller;
  cursors: CursorStore;
  metrics: IgMetrics;
  registry: Registry;
  complaints: Complaint[];
  notifications: Notification[];
  close(): Promise<void>;
}

/** The real intake pipeline (engine, inbox, producer, storage) and poller around a fake client. */
export async function buildRig(opts: { redisUrl: string; prefix: string; client: IgClientLike; logger: Logger; env?: ReturnType<typeof testEnv>; backfillMs?: number }): Promise<Rig> {
  const env = opts.env ?? testEnv(opts.prefix);
  const registry = new Registry();
  const metrics = createIgMetrics(registry);
  const complaints: Complaint[] = [];
  const notifications: Notification[] = [];
  const pipeline = await createIntakePipeline({
    env,
    redisUrl: opts.redisUrl,
    account: 'pemkotblitar',
    transport: 'instagram-private-api',
    logger: opts.logger,
    metrics,
    sweep: false,
    onComplaint: (c) => complaints.push(c),
    onNotification: (n) => notifications.push(n),
  });
  const cursors = new CursorStore(pipeline.redis, pipeline.keys);
  const poller = new Poller({ client: opts.client, processor: pipeline.processor, cursors, logger: opts.logger, metrics, backfillMs: opts.backfillMs ?? 7 * 86_400_000, approvePending: true, maxPages: 3, onComplete: (ms) => pipeline.markDelivered(ms) });
  return { pipeline, poller, cursors, metrics, registry, complaints, notifications, close: () => pipeline.close() };
}

/** Jobs on a contract queue (what downstream would consume). */
export async function queuedJobs<T>(redisUrl: string, prefix: string, name: string): Promise<{ id: string; data: T }[]> {
  const connection = createRedis(redisUrl, 'worker');
  const q = new Queue(name, { connection, prefix });
  try {
    const jobs = await q.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized']);
    return jobs.map((j) => ({ id: String(j.id), data: j.data as T }));
  } finally {
    await q.close();
    connection.disconnect();
  }
}

export const intakeQueue = QueueNames.intake;
export const notifyQueue = QueueNames.notify('instagram');
