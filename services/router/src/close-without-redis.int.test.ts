import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedis, QueueNames, startLocalRedis, type LocalRedis } from '@aduan/queue';
import { createRouter, DEFAULT_TRIAGE_THRESHOLD, loadDirectory, type Router } from '@aduan/routing';
import { deterministicComplaintId, ticketFor, type Complaint } from '@aduan/schema';
import { memoryLogger, timed, uniquePrefix } from '@aduan/testkit';
import { startRouterService, type RouterService } from './router-service.ts';

/**
 * The router's close() (SIGTERM) while a complaint is being routed and Redis goes away: BullMQ's
 * graceful Worker.close() waited for a connection that never ends while it waits to reconnect,
 * so close() hung for good, even once Redis was back, until SHUTDOWN_TIMEOUT killed the process
 * with exit code 1. Each test runs its own redis-server (AOF on, as in production) to freeze,
 * kill and restart. Its decision step freezes Redis (SIGSTOP): the job is then certainly in
 * flight, its next commands sent and unanswered.
 */
const directory = loadDirectory();
const started: { redis?: LocalRedis; service?: RouterService }[] = [];

afterEach(async () => {
  for (const s of started.splice(0)) {
    s.redis?.process.kill('SIGCONT');
    await s.redis?.stop();
  }
});

/** A Redis, a router on it whose first decision freezes that Redis, and a complaint for it to route. */
async function routerRoutingWhenRedisFreezes(graceMs: number) {
  const dir = mkdtempSync(join(tmpdir(), 'aduan-router-close-'));
  const state: { redis: LocalRedis } = { redis: await startLocalRedis({ dir }) };
  const prefix = uniquePrefix('close');
  const mem = memoryLogger('router-close');
  let decided!: () => void;
  const deciding = new Promise<void>((resolve) => (decided = resolve));
  const real = createRouter(directory, { triageThreshold: DEFAULT_TRIAGE_THRESHOLD });
  const router: Router = {
    version: real.version,
    decide: (input) => {
      state.redis.process.kill('SIGSTOP');
      decided();
      return real.decide(input);
    },
  };
  const service = await startRouterService({ redisUrl: state.redis.url, prefix, logger: mem.logger, router, hintDays: 0, closeGraceMs: graceMs });
  started.push(state);
  const at = new Date();
  const id = deterministicComplaintId(at, 'webform', 'web', `close-${prefix}`);
  const complaint: Complaint = {
    schemaVersion: 1, id, ticket: ticketFor(id), channel: 'webform', source: { account: 'web', messageIds: [] },
    receivedAt: at.toISOString(), submittedAt: at.toISOString(), reporter: { anonymous: false, confidential: false },
    text: 'Lampu PJU di Jl. Merdeka mati sudah seminggu, jalan gelap sekali', attachments: [], language: 'id', intake: { transport: 'http' },
  };
  const conn = createRedis(state.redis.url, 'worker');
  const intake = new Queue(QueueNames.intake, { connection: conn, prefix });
  await intake.add('intake', complaint, { jobId: id });
  await deciding;
  await intake.close();
  conn.disconnect();
  return {
    service, mem, id, prefix,
    /** Redis dies (as in a crash: SIGKILL) with the job in flight. */
    kill: async () => {
      const exited = new Promise((resolve) => state.redis.process.once('exit', resolve));
      state.redis.process.kill('SIGKILL');
      await exited;
    },
    restart: async () => {
      state.redis = await startLocalRedis({ dir, port: state.redis.port });
    },
    resume: () => state.redis.process.kill('SIGCONT'),
    /** Looks at the queues, once Redis is back, on a connection of the test's own. */
    inspect: async (look: (queue: (name: string) => Queue, redis: ReturnType<typeof createRedis>) => Promise<void>) => {
      const redis = createRedis(state.redis.url, 'worker');
      const queues: Queue[] = [];
      try {
        await look((name) => {
          const q = new Queue(name, { connection: redis, prefix });
          queues.push(q);
          return q;
        }, redis);
      } finally {
        await Promise.all(queues.map((q) => q.close()));
        redis.disconnect();
      }
    },
  };
}

describe('router close() with a job in flight', () => {
  it('Redis answers again after a pause: waits for the job, which is routed (graceful, as before)', async () => {
    const r = await routerRoutingWhenRedisFreezes(8_000);
    const closing = r.service.close();
    setTimeout(r.resume, 500);
    expect(await timed(closing, 10_000)).toBeGreaterThanOrEqual(400);
    await r.inspect(async (queue) => {
      expect(await queue(QueueNames.intake).getJobState(r.id)).toBe('completed');
      expect(await queue(QueueNames.routed).getJob(r.id)).toBeDefined();
    });
    expect(r.mem.text()).not.toContain('redis unreachable at shutdown');
  });

  it('Redis dies and is back from a restart within the grace: waits for it, and the job is routed', async () => {
    const r = await routerRoutingWhenRedisFreezes(8_000);
    await r.kill();
    const closing = r.service.close();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await r.restart();
    // Before: never, although Redis was back (the worker's connection waiting to reconnect was
    // told to disconnect, which ioredis does not end).
    expect(await timed(closing, 10_000)).not.toBe('hung');
    await r.inspect(async (queue) => {
      expect(await queue(QueueNames.intake).getJobState(r.id)).toBe('completed');
      expect(await queue(QueueNames.routed).getJob(r.id)).toBeDefined();
    });
  });

  it('Redis dies and stays away: stops after the grace, and the job waits in Redis to be routed again', async () => {
    const graceMs = 1_500;
    const r = await routerRoutingWhenRedisFreezes(graceMs);
    await r.kill();
    const took = await timed(r.service.close(), 10_000);
    expect(took).not.toBe('hung');
    expect(took).toBeGreaterThanOrEqual(graceMs - 100);
    expect(took).toBeLessThan(graceMs + 1_500);
    const warned = r.mem.lines.find((l) => l.msg === 'redis unreachable at shutdown: jobs in flight left to be run again once Redis is back');
    expect(warned).toMatchObject({ level: 40, queue: QueueNames.intake, jobs: 1 });
    // Not lost: still active under the router's lock, none of its attempts spent. BullMQ's stalled
    // check gives it to a router again once that lock expires (30 s).
    await r.restart();
    await r.inspect(async (queue, redis) => {
      const intake = queue(QueueNames.intake);
      expect(await intake.getJobState(r.id)).toBe('active');
      expect((await intake.getJob(r.id))?.attemptsMade).toBe(0);
      expect(await redis.pttl(`${r.prefix}:${QueueNames.intake}:${r.id}:lock`)).toBeGreaterThan(0);
    });
  });
});
