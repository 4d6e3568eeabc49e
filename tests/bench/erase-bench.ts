/**
 * `pnpm exec tsx tests/bench/erase-bench.ts`: how long complaint:erase (docs/operations.md,
 * "Personal data requests") takes on a Redis holding many complaints, and what other clients of
 * that Redis see meanwhile. A private redis-server (AOF everysec, as infra/redis) is filled with
 * ERASE_BENCH_COMPLAINTS (default 50,000) routed complaints: one is filed on `intake` and routed
 * by the real router (its status record, history, desk entry and intake, routed and opd.dishub
 * jobs), then its keys are copied under other ids and tickets, pipelined. The citizen's own
 * complaint is filed and routed the same way. The command runs as a child process, as an
 * operator runs it: a dry run, then --yes. Meanwhile another client sends PING every 5 ms
 * (its round trips' p50, p99 and max are printed, and the same idle first), and Redis's slow log
 * keeps every command that took 1 ms or more inside Redis.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { createRedis, startLocalRedis } from '@aduan/queue';
import { startRouterService } from '@aduan/router';
import { type Complaint, deterministicComplaintId, ticketFor } from '@aduan/schema';
import { createLogger } from '@aduan/telemetry';
import { ERASE_SCRIPT } from '../support/complaint-erase.ts';

const COMPLAINTS = Number(process.env.ERASE_BENCH_COMPLAINTS ?? 50_000);
const PREFIX = 'bench-erase';
/** Copies written per pipeline. */
const BATCH = 500;

/** A complaint naming its citizen in its fields and its text; `phone` as +62... */
function complaint(n: number, name: string, phone: string): Complaint {
  const at = new Date();
  const id = deterministicComplaintId(at, 'webform', 'web', `bench-${n}-${Date.now()}`);
  return {
    schemaVersion: 1, id, ticket: ticketFor(id), channel: 'webform',
    source: { account: 'web', messageIds: [] },
    receivedAt: at.toISOString(), submittedAt: at.toISOString(),
    reporter: { name, phone, anonymous: false, confidential: false },
    text: `Saya ${name}, jukir liar di depan Pasar Legi minta parkir 5 ribu tanpa karcis, tiap hari begitu sejak bulan lalu. Mohon ditertibkan. Hubungi saya 0${phone.slice(3)}`,
    location: { kelurahan: 'Kepanjenlor', description: 'depan Pasar Legi, sebelah timur' },
    attachments: [], language: 'id', intake: { transport: 'http' },
  };
}

/** Files complaints on `intake` and lets the real router route them. */
async function fileAndRoute(redis: Redis, url: string, complaints: Complaint[]): Promise<void> {
  const router = await startRouterService({ redisUrl: url, prefix: PREFIX, logger: createLogger({ service: 'bench', level: 'warn' }) });
  const intake = new Queue('intake', { connection: redis, prefix: PREFIX });
  const opd = new Queue('opd.dishub', { connection: redis, prefix: PREFIX });
  try {
    for (const c of complaints) await intake.add('webform', c, { jobId: c.id });
    const deadline = Date.now() + 30_000;
    for (const c of complaints) {
      while (!(await opd.getJob(c.id)) || !(await redis.exists(`${PREFIX}:desk:entry:${c.id}`))) {
        if (Date.now() > deadline) throw new Error(`complaint ${c.id} was not routed to Dishub within 30 s: ${(await intake.getJob(c.id))?.failedReason ?? 'no failure'}`);
        await sleep(50);
      }
    }
  } finally {
    await Promise.all([intake.close(), opd.close()]);
    await router.close();
  }
}

/** Every key of the prefix naming the complaint, with its type. */
async function keysOf(redis: Redis, c: Complaint): Promise<{ key: string; type: string }[]> {
  const out: { key: string; type: string }[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) if (key.includes(c.id) || key.includes(c.ticket)) out.push({ key, type: await redis.type(key) });
  } while (cursor !== '0');
  return out;
}

/** Copies the seed complaint's keys `count` times under new ids and tickets; returns how many keys were written. */
async function copySeed(redis: Redis, seed: Complaint, count: number): Promise<number> {
  const keys = await keysOf(redis, seed);
  const values = await Promise.all(keys.map(async ({ key, type }) => ({ key, type, value: type === 'hash' ? await redis.hgetall(key) : type === 'list' ? await redis.lrange(key, 0, -1) : type === 'set' ? await redis.smembers(key) : type === 'string' ? await redis.get(key) : null })));
  const copyable = values.filter((v) => v.value !== null);
  const queues = copyable.map((v) => new RegExp(`^${PREFIX}:(intake|routed|opd\\.dishub):`).exec(v.key)?.[1]).filter((q): q is string => !!q);
  for (let start = 0; start < count; start += BATCH) {
    const p = redis.pipeline();
    for (let i = start; i < Math.min(count, start + BATCH); i++) {
      const id = deterministicComplaintId(new Date(), 'webform', 'web', `copy-${i}`);
      const ticket = ticketFor(id);
      const swap = (s: string) => s.replaceAll(seed.id, id).replaceAll(seed.ticket, ticket);
      for (const { key, type, value } of copyable) {
        const k = swap(key);
        if (type === 'hash') p.hset(k, Object.fromEntries(Object.entries(value as Record<string, string>).map(([f, v]) => [f, swap(v)])));
        else if (type === 'list') p.rpush(k, ...(value as string[]).map(swap));
        else if (type === 'set') p.sadd(k, ...(value as string[]).map(swap));
        else p.set(k, swap(value as string));
      }
      for (const q of queues) p.zadd(`${PREFIX}:${q}:completed`, Date.now(), id);
    }
    await p.exec();
  }
  return copyable.length * count;
}

/** PING round trips every 5 ms until `stop` settles. */
async function probe(redis: Redis, stop: Promise<unknown>): Promise<number[]> {
  let done = false;
  void stop.finally(() => (done = true));
  const ms: number[] = [];
  while (!done) {
    const t0 = performance.now();
    await redis.ping();
    ms.push(performance.now() - t0);
    await sleep(5);
  }
  return ms;
}

function percentiles(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => (s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0).toFixed(1);
  return `p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${(s.at(-1) ?? 0).toFixed(1)} ms (${s.length} pings)`;
}

function runErase(url: string, args: string[]): Promise<{ code: number | null; ms: number; out: string }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [ERASE_SCRIPT, ...args], { env: { ...process.env, REDIS_URL: url, QUEUE_PREFIX: PREFIX, SPOOL_DIR: spoolDir, ATTACHMENT_DIR: join(tmpdir(), 'aduan-erase-bench-no-attachments') }, stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, ms: performance.now() - t0, out })));
}

/** The slow log's entries since it was reset: how many commands took 1 ms or more inside Redis, and the longest. */
async function slowCommands(redis: Redis): Promise<string> {
  const entries = (await redis.call('SLOWLOG', 'GET', '1000')) as [number, number, number, string[]][];
  await redis.call('SLOWLOG', 'RESET');
  if (entries.length === 0) return 'none took 1 ms or more inside Redis';
  const longest = entries.reduce((a, b) => (b[2] > a[2] ? b : a));
  return `${entries.length} took 1 ms or more inside Redis, the longest ${(longest[2] / 1000).toFixed(1)} ms (${longest[3][0]})`;
}

async function measure(name: string, url: string, redis: Redis, args: string[]): Promise<void> {
  const run = runErase(url, args);
  const pings = await probe(redis, run);
  const r = await run;
  if (r.code !== 0) throw new Error(`${name}: complaint:erase exited with ${r.code}:\n${r.out}`);
  console.log(`${name}: ${(r.ms / 1000).toFixed(1)} s (the command, Node's start included); other clients' PING ${percentiles(pings)}; commands: ${await slowCommands(redis)}`);
}

const dir = mkdtempSync(join(tmpdir(), 'aduan-erase-bench-'));
// An empty spool: complaint:erase refuses a SPOOL_DIR that does not exist (not the gateway's).
const spoolDir = join(dir, 'spool');
mkdirSync(spoolDir);
const local = await startLocalRedis({ dir });
const redis = createRedis(local.url, 'worker');
try {
  const seed = complaint(0, 'Siti Aminah', '+6281311112222');
  const citizen = complaint(1, 'Budi Santoso', '+6281234567890');
  await fileAndRoute(redis, local.url, [seed, citizen]);
  const t0 = performance.now();
  const written = await copySeed(redis, seed, COMPLAINTS - 2);
  const keys = await redis.dbsize();
  const memory = /used_memory_human:(\S+)/.exec(await redis.info('memory'))?.[1];
  console.log(`Filled: ${COMPLAINTS} routed complaints, ${written} keys copied in ${((performance.now() - t0) / 1000).toFixed(1)} s; Redis holds ${keys} keys, ${memory}.`);
  await redis.call('CONFIG', 'SET', 'slowlog-log-slower-than', '1000');
  await redis.call('SLOWLOG', 'RESET');
  const idle = await probe(redis, sleep(2_000));
  console.log(`idle: other clients' PING ${percentiles(idle)}`);
  await slowCommands(redis);
  await measure('dry run', local.url, redis, [citizen.ticket]);
  await measure('--yes', local.url, redis, [citizen.ticket, '--yes']);
} finally {
  redis.disconnect();
  await local.stop();
  rmSync(dir, { recursive: true, force: true });
}
