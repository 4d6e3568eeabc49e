/**
 * `pnpm bench`: drives the real all-in-one gateway (+ router), the gateway alone and a bare
 * fastify + zod + BullMQ server on the same Redis, and prints requests/s, p50/p99, CPU per
 * request and RSS for each.
 * - Saturated: autocannon, 64 connections, BENCH_ROUNDS rounds (default 3). In each round the
 *   bare server and the gateway alone run back to back, taking turns to go first, then the
 *   all-in-one (see alternatingRounds); the median round is printed, and each round's own
 *   ratio with their median. The machine is shared with the load generator and Redis, so
 *   single runs vary by +-15% or more.
 * - Steady: an open-loop generator (steady-load.ts) sending 1,000 requests/s evenly spaced,
 *   latency measured from when each request was due; also BENCH_ROUNDS alternating rounds,
 *   the round with the median p99 printed.
 * The machine's CPU steal during each phase is printed too. Before each round the bench waits
 * until every server is idle, deletes what the earlier rounds filed, and waits until Redis runs
 * no AOF rewrite or save (see benchRedis).
 * Servers run as child processes, started exactly as `pnpm start` starts Node (flags and
 * compile cache from the root package.json). REDIS_URL is used when set; otherwise a private
 * redis-server with AOF everysec is spawned.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { QueueNames, deletePrefix, freePort, redisAnswers, startLocalRedis } from '@aduan/queue';
import { startCommand } from '@aduan/testkit/start-command';
import { steadyLoad } from './steady-load.ts';

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** `writes`: the floor also writes what the gateway writes to Redis per complaint (bare-server.ts); not the issue's floor. */
const FLOOR = process.env.BENCH_FLOOR === 'writes' ? 'writes' : 'bare';
const STEADY_RATE = 1000;
const root = join(import.meta.dirname, '..', '..');

function rssMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
  return { rss: Math.round(kb('VmRSS')), peak: Math.round(kb('VmHWM')) };
}

/** CPU seconds (user + system, all threads) a process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The machine's CPU time counters (/proc/stat, in ticks): [steal, total]. */
function machineTicks(): [number, number] {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return [f[7] ?? 0, f.slice(0, 8).reduce((a, b) => a + b, 0)];
}

/** Share of CPU time the hypervisor gave to other guests since `since` (a noisy neighbour). */
function stealSince(since: [number, number]): number {
  const [steal, total] = machineTicks();
  return Math.round((1000 * (steal - since[0])) / Math.max(1, total - since[1])) / 10;
}

/**
 * Describes the kernel's memory-access sampling when a DAMON monitor runs on this machine (some
 * VM hosts run one to page out cold memory): every pass stalls the processes whose pages it
 * samples, so Redis pauses and every server's latency tail grows with Redis's size.
 */
function hostMemorySampler(): string | undefined {
  const dir = '/sys/kernel/mm/damon/admin/kdamonds';
  try {
    const n = Number(readFileSync(`${dir}/nr_kdamonds`, 'utf8'));
    for (let i = 0; i < n; i++) {
      if (readFileSync(`${dir}/${i}/state`, 'utf8').trim() !== 'on') continue;
      const sampleUs = Number(readFileSync(`${dir}/${i}/contexts/0/monitoring_attrs/intervals/sample_us`, 'utf8'));
      return `DAMON (kdamond) on, a pass every ${Math.round(sampleUs / 1000)} ms`;
    }
  } catch {
    /* no DAMON on this kernel */
  }
  return undefined;
}

/** Fills a server's compile cache as `pnpm warm` does: it loads its modules and exits 0. */
async function warmCache(entry: string, start: { nodeFlags: string[]; env: Record<string, string> }, env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [...start.nodeFlags, join(root, entry)], { cwd: root, env: { ...env, ...start.env, ADUAN_WARM_COMPILE_CACHE: '1' }, stdio: ['ignore', 'ignore', 'inherit'] });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`warming the compile cache for ${entry} failed (exit ${code})`);
}

async function waitHttp(url: string, child: ChildProcess) {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode})`);
    try {
      const r = await fetch(url);
      if (r.ok || r.status === 503) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

let seq = 0;
const body = () => JSON.stringify({ text: `Lampu PJU di Jl. Merdeka nomor ${seq++} mati sudah seminggu, mohon diperbaiki`, category: 'pju' });

async function saturate(url: string, opts: { connections: number }) {
  const result = await autocannon({
    url: `${url}/api/v1/complaints`,
    method: 'POST',
    connections: opts.connections,
    duration: DURATION,
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: body(), headers: { ...req.headers, 'idempotency-key': `bench-${process.pid}-${seq}` } }) }],
  });
  const ok = result['2xx'];
  return { rps: Math.round(ok / DURATION), p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx + result.timeouts, requests: ok };
}

interface Server {
  name: string;
  url: string;
  child: ChildProcess;
}

/**
 * The main thread's time on a CPU and waiting in the run queue for one, in ns (Linux schedstat;
 * [NaN, NaN] on a kernel without it). Together they show whether the event loop itself is the
 * bottleneck.
 */
function mainThreadSched(pid: number): [number, number] {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ').map(Number);
    return [run ?? NaN, wait ?? NaN];
  } catch {
    return [NaN, NaN];
  }
}

const AOF_REWRITE_MIN_BYTES = 64 * 1024 * 1024;

/**
 * The bench's view of its Redis: its own CPU, its size, and its background work. An AOF rewrite
 * runs in a forked child that `INFO cpu` does not count; on 2 cores it takes most of one. The
 * bench files far more complaints, far faster, than a city ever would, so its AOF grows by
 * gigabytes in a run (deleting keys only adds to it) and needs rewrites far more often than a
 * city's; one landing inside a 10-second round takes a random share of that round's CPU away.
 */
function benchRedis(url: string, ownsRedis: boolean, prefixes: string[]) {
  const client = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 });
  const info = async (section: string) => {
    const text = await client.info(section);
    return (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(text)?.[1] ?? NaN);
  };
  return {
    /** Redis's own CPU seconds so far (INFO cpu: user + system, all its threads). */
    cpuSeconds: async () => {
      const field = await info('cpu');
      return field('used_cpu_sys') + field('used_cpu_user');
    },
    /** AOF rewrites started so far. */
    rewrites: async () => (await info('persistence'))('aof_rewrites'),
    /**
     * Brings Redis to rest between rounds: waits for any rewrite or save to finish. On the bench's
     * own Redis, automatic rewrites are off during the run and each is started here instead, by
     * the rule Redis itself applies (the AOF reached twice its size after the last rewrite, and
     * at least 64 MB): the same rewrites, run between rounds rather than inside one.
     */
    settle: async () => {
      // Bounded: a rewrite that keeps failing must not hang the bench (the next round then
      // reports it as overlapping, if Redis retries it there).
      for (let started = 0, deadline = Date.now() + 300_000; Date.now() < deadline; ) {
        const field = await info('persistence');
        if (field('aof_rewrite_in_progress') || field('rdb_bgsave_in_progress') || field('aof_rewrite_scheduled')) {
          await new Promise((r) => setTimeout(r, 200));
          continue;
        }
        const size = field('aof_current_size');
        if (!ownsRedis || started === 3 || !(size >= Math.max(AOF_REWRITE_MIN_BYTES, 2 * field('aof_base_size')))) return;
        await client.bgrewriteaof();
        started++;
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    /**
     * Deletes every key the servers wrote (complaints, jobs, status records, claims), as a
     * consumer and the records' expiry would. Nothing consumes what the bench files, so without
     * this its Redis would hold every complaint of the run (~600,000, gigabytes) by the steady
     * rounds, while a city's Redis holds its open backlog. Size matters beyond memory: a host
     * that samples memory access (DAMON, see docs/performance.md) stalls a process for longer
     * the more memory it has, and Redis's stalls are every server's latency.
     */
    forgetFiled: async () => {
      for (const p of prefixes) await deletePrefix(url, p);
      // Hands the freed memory back to the system now rather than over the next seconds
      // (jemalloc keeps freed pages for a while): the next round starts with a small Redis.
      if (ownsRedis) await client.call('MEMORY', 'PURGE');
    },
    /** How many jobs wait in a queue (nothing consumes the bench's output queues). */
    waiting: (queueKey: string) => client.llen(`${queueKey}:wait`),
    /** Redis's resident memory, MB. */
    rssMb: async () => Math.round((await info('memory'))('used_memory_rss') / 1e6),
    init: async () => {
      if (ownsRedis) await client.config('SET', 'auto-aof-rewrite-percentage', '0');
    },
    close: () => client.disconnect(),
  };
}
type BenchRedis = ReturnType<typeof benchRedis>;

type Saturated = Awaited<ReturnType<typeof saturate>> & { cpuUsPerReq: number; redisUsPerReq: number; mainRunPct: number; mainWaitPct: number };

async function measureSaturated(s: Server, redisCpuSeconds: () => Promise<number>): Promise<Saturated> {
  const pid = s.child.pid as number;
  const before = cpuSeconds(pid);
  const redisBefore = await redisCpuSeconds();
  const [run0, wait0] = mainThreadSched(pid);
  const r = await saturate(s.url, { connections: 64 });
  const [run1, wait1] = mainThreadSched(pid);
  const redisUs = (await redisCpuSeconds()) - redisBefore;
  const pct = (ns: number) => Math.round(ns / (DURATION * 1e7));
  const perReq = (seconds: number) => Math.round((seconds * 1e6) / Math.max(1, r.requests));
  return { ...r, cpuUsPerReq: perReq(cpuSeconds(pid) - before), redisUsPerReq: perReq(redisUs), mainRunPct: pct(run1 - run0), mainWaitPct: pct(wait1 - wait0) };
}

async function measureSteady(s: Server) {
  const before = cpuSeconds(s.child.pid as number);
  const r = await steadyLoad({
    url: `${s.url}/api/v1/complaints`,
    rate: STEADY_RATE,
    seconds: DURATION,
    body,
    headers: () => ({ 'content-type': 'application/json', 'idempotency-key': `bench-${process.pid}-steady-${seq}` }),
  });
  return { ...r, cpuUsPerReq: Math.round(((cpuSeconds(s.child.pid as number) - before) * 1e6) / Math.max(1, STEADY_RATE * DURATION)) };
}

/**
 * Waits until no server is still busy (the all-in-one routes its backlog after a saturated run),
 * removes what earlier rounds filed, and waits until Redis has no rewrite or save running, so one
 * server's leftover work never runs during another's measurement and every round starts from the
 * same small Redis.
 */
async function quiesce(servers: Server[], redis: BenchRedis): Promise<void> {
  await redis.settle();
  await untilIdle(servers);
  await redis.forgetFiled();
  await redis.settle();
}

/** Waits (at most 3 minutes) until the servers together use under 6% of a core. */
async function untilIdle(servers: Server[]): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    const before = servers.map((s) => cpuSeconds(s.child.pid as number));
    await new Promise((r) => setTimeout(r, 500));
    const busy = servers.reduce((sum, s, i) => sum + cpuSeconds(s.child.pid as number) - before[i]!, 0);
    if (busy < 0.03) break;
  }
}

const short = (name: string) => (name.startsWith('bare') ? 'bare' : name.includes('alone') ? 'alone' : 'all-in-one');

/**
 * ROUNDS rounds of `measure` over every server in turn (so drift hits them all alike), idle
 * before each. The ratio compares the bare server (servers[0]) with the gateway alone
 * (servers[1]), so in every round those two run back to back, each first in every other round,
 * and the all-in-one runs last: after its run it routes its backlog, and that wait never falls
 * between the two runs a round's ratio divides (rotating all three put it there in a third of
 * the rounds, session 16). The last round runs bare, alone, all-in-one; the all-in-one going
 * last also leaves its complaints in Redis for the check that it routed all of them (every
 * round deletes what the earlier ones filed). Returns, per round, how many seconds apart the
 * pair's runs started.
 */
async function alternatingRounds<T>(servers: Server[], redis: BenchRedis, measure: (s: Server) => Promise<T>): Promise<{ rounds: T[][]; rewritesDuring: number; redisRssMb: number[]; pairGapSeconds: number[] }> {
  const rounds: T[][] = servers.map(() => []);
  const redisRssMb: number[] = [];
  const pairGapSeconds: number[] = [];
  let rewritesDuring = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const pair = (ROUNDS - 1 - r) % 2 === 0 ? [0, 1] : [1, 0];
    const started: number[] = [];
    for (const i of [...pair, ...servers.map((_, k) => k).slice(2)]) {
      await quiesce(servers, redis);
      redisRssMb.push(await redis.rssMb());
      const rewrites = await redis.rewrites();
      started[i] = Date.now();
      rounds[i]!.push(await measure(servers[i]!));
      rewritesDuring += (await redis.rewrites()) - rewrites;
    }
    pairGapSeconds.push(Math.abs(started[1]! - started[0]!) / 1000);
  }
  return { rounds, rewritesDuring, redisRssMb, pairGapSeconds };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    console.error(`server ${child.pid} did not exit within 15 s of SIGTERM; killing it`);
    child.kill('SIGKILL');
  }, 15_000);
  await exited;
  clearTimeout(timer);
}

const median = <T>(xs: T[], key: (x: T) => number): T => [...xs].sort((a, b) => key(a) - key(b))[Math.floor(xs.length / 2)]!;

async function main() {
  let redisUrl = process.env.REDIS_URL;
  let stopRedis: (() => Promise<void>) | undefined;
  if (!redisUrl || !(await redisAnswers(redisUrl))) {
    // Its AOF grows by gigabytes in one run (nothing consumes what the bench files): removed
    // once Redis has stopped.
    const redisDir = mkdtempSync(join(tmpdir(), 'aduan-bench-redis-'));
    const local = await startLocalRedis({ dir: redisDir });
    redisUrl = local.url;
    stopRedis = async () => {
      await local.stop();
      rmSync(redisDir, { recursive: true, force: true });
    };
  }
  const prefix = `bench-${Date.now()}`;
  // Each server's own key prefix: the bench deletes exactly these between rounds.
  const [barePrefix, soloPrefix, allInOnePrefix] = [`${prefix}-bare`, `${prefix}-solo`, `${prefix}-gw`];
  // Redis shares the machine's cores with the servers and the load generator: its CPU per
  // request is part of each server's cost.
  const redis = benchRedis(redisUrl, stopRedis !== undefined, [barePrefix, soloPrefix, allInOnePrefix]);
  await redis.init();
  const dataDir = mkdtempSync(join(tmpdir(), 'aduan-bench-'));
  // Each Aduan server runs as its own `start` script does (V8 flags, compile cache): the
  // all-in-one as `pnpm start`, the gateway alone as `pnpm --filter @aduan/gateway start`.
  const allInOne = startCommand();
  const gatewayAlone = startCommand('services/gateway');
  const common = { ...process.env, ATTACHMENT_DIR: join(dataDir, 'attachments'), HOST: '127.0.0.1', REDIS_URL: redisUrl, RATE_LIMIT_PER_MINUTE: '0', STATUS_TOKEN_SECRET: 'bench-secret-0123456789', LOG_LEVEL: 'info', NODE_ENV: 'production' };
  const launch = async (name: string, entry: string, start: ReturnType<typeof startCommand>, env: Record<string, string>): Promise<Server> => {
    const port = await freePort();
    const child = spawn(process.execPath, [...start.nodeFlags, join(root, entry)], { cwd: root, env: { ...common, ...start.env, ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] });
    const url = `http://127.0.0.1:${port}`;
    await waitHttp(`${url}/healthz`, child);
    return { name, url, child };
  };
  const servers: Server[] = [];
  try {
    // The first start of a checkout fills the compile cache (and loads the type stripper for
    // life); warming each server's cache first, as `pnpm warm` does, makes every measured start
    // a normal one.
    const entries = { allInOne: 'services/standalone/src/main.ts', gatewayAlone: 'services/gateway/src/main.ts' };
    await warmCache(entries.allInOne, allInOne, common);
    await warmCache(entries.gatewayAlone, gatewayAlone, common);

    const barePort = await freePort();
    const bareChild = spawn(process.execPath, [join(import.meta.dirname, 'bare-server.ts'), String(barePort), redisUrl, barePrefix, FLOOR], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      bareChild.once('message', () => resolve());
      bareChild.once('exit', (code) => reject(new Error(`bare server exited (${code})`)));
    });
    servers.push({ name: FLOOR === 'writes' ? 'bare + the gateway\'s Redis writes' : 'bare fastify+zod+BullMQ add', url: `http://127.0.0.1:${barePort}`, child: bareChild });
    // The gateway alone (no router in the process): the web intake path the ratio target is about.
    servers.push(await launch('Aduan gateway alone (web intake)', entries.gatewayAlone, gatewayAlone, { SPOOL_DIR: join(dataDir, 'spool-solo'), QUEUE_PREFIX: soloPrefix }));
    servers.push(await launch('Aduan gateway + router (all-in-one)', entries.allInOne, allInOne, { SPOOL_DIR: join(dataDir, 'spool'), DATA_DIR: dataDir, QUEUE_PREFIX: allInOnePrefix }));

    // Warm up every server (JIT, connections, Lua scripts).
    for (const s of servers) await autocannon({ url: `${s.url}/api/v1/complaints`, method: 'POST', duration: 3, connections: 16, headers: { 'content-type': 'application/json' }, body: body() });
    await quiesce(servers, redis);

    console.log(`\nAduan intake benchmark: node ${process.version}, ${DURATION} s per run, median of ${ROUNDS} alternating rounds (saturated: by req/s; steady: by p99); load generator on the same machine`);
    console.log(`Aduan servers run with the flags of their start scripts: all-in-one ${allInOne.nodeFlags.join(' ')}; gateway alone ${gatewayAlone.nodeFlags.join(' ')}\n`);
    const satTicks = machineTicks();
    const { rounds, rewritesDuring: satRewrites, redisRssMb: satRedisMb, pairGapSeconds } = await alternatingRounds(servers, redis, (s) => measureSaturated(s, redis.cpuSeconds));
    const sat = rounds.map((rs) => median(rs, (x) => x.rps));
    const satSteal = stealSince(satTicks);
    const steadyTicks = machineTicks();
    const { rounds: steadyRounds, rewritesDuring: steadyRewrites, redisRssMb: steadyRedisMb } = await alternatingRounds(servers, redis, measureSteady);
    const steady = steadyRounds.map((rs) => median(rs, (x) => x.p99));
    const steadySteal = stealSince(steadyTicks);
    const mem = servers.map((s) => rssMb(s.child.pid as number));
    // Each round starts from an empty Redis, the router's keys included: the all-in-one's last
    // round shows that its router still routed every complaint after those deletions.
    await untilIdle(servers);
    const routed = await redis.waiting(`${allInOnePrefix}:${QueueNames.routed}`);

    const pad = (v: string | number, n: number) => String(v).padStart(n);
    console.log(`${''.padEnd(36)} ${'saturated (64 connections)'.padEnd(32)}  ${`steady ${STEADY_RATE.toLocaleString('en')} req/s, open loop`.padEnd(32)}  RSS MB`);
    console.log(`${'server'.padEnd(36)} ${pad('req/s', 7)} ${pad('p50 ms', 7)} ${pad('p99 ms', 7)} ${pad('CPU µs', 8)}  ${pad('p50 ms', 7)} ${pad('p99 ms', 7)} ${pad('max ms', 7)} ${pad('CPU µs', 8)}  ${pad('now', 5)} ${pad('peak', 5)}  errors`);
    servers.forEach((s, i) => {
      const a = sat[i]!;
      const b = steady[i]!;
      const m = mem[i]!;
      console.log(`${s.name.padEnd(36)} ${pad(a.rps, 7)} ${pad(a.p50, 7)} ${pad(a.p99, 7)} ${pad(a.cpuUsPerReq, 8)}  ${pad(b.p50, 7)} ${pad(b.p99, 7)} ${pad(b.max, 7)} ${pad(b.cpuUsPerReq, 8)}  ${pad(m.rss, 5)} ${pad(m.peak, 5)}  ${[...rounds[i]!, ...steadyRounds[i]!].reduce((n, x) => n + x.errors, 0)}`);
    });
    console.log(`(saturated rounds, req/s: ${servers.map((s, i) => `${short(s.name)} ${rounds[i]!.map((x) => x.rps).join('/')}`).join(', ')}; CPU µs = process CPU time per request, all threads)`);
    console.log(`(saturated, Redis's own CPU per request, µs: ${servers.map((s, i) => `${short(s.name)} ${sat[i]!.redisUsPerReq}`).join(', ')}; the all-in-one routes part of its backlog after the run)`);
    console.log(`(saturated, main thread on a CPU / waiting for one, % of the run: ${servers.map((s, i) => `${short(s.name)} ${Number.isNaN(sat[i]!.mainRunPct) ? 'n/a' : `${sat[i]!.mainRunPct}/${sat[i]!.mainWaitPct}`}`).join(', ')})`);
    console.log(`(steady rounds, p99 ms: ${servers.map((s, i) => `${short(s.name)} ${steadyRounds[i]!.map((x) => x.p99).join('/')}`).join(', ')})`);
    console.log(`(CPU steal on this machine: ${satSteal}% during the saturated runs, ${steadySteal}% during the steady runs)`);
    const span = (xs: number[]) => (Math.min(...xs) === Math.max(...xs) ? `${xs[0]}` : `${Math.min(...xs)}–${Math.max(...xs)}`);
    console.log(`(Redis's RSS at the start of each round, after the earlier rounds' complaints were deleted: ${span(satRedisMb)} MB saturated, ${span(steadyRedisMb)} MB steady)`);
    const sampler = hostMemorySampler();
    if (sampler) console.log(`(this machine's kernel samples memory access: ${sampler}; each pass stalls processes for longer the more memory they map, see docs/performance.md)`);
    console.log(`(all-in-one: ${routed.toLocaleString('en')} of the ${(STEADY_RATE * DURATION).toLocaleString('en')} complaints of its last round on \`${QueueNames.routed}\`)`);
    console.log(`(Redis AOF rewrites: ${await redis.rewrites()} in all, ${satRewrites + steadyRewrites} of them during a measured run${stopRedis ? '; the bench runs them between rounds' : ''})`);
    const [bare, solo, all] = [sat[0]!, sat[1]!, sat[2]!];
    // Within a round the servers run one after another, so a round's ratio compares runs made
    // seconds apart: drift on this shared machine hits both alike.
    // The median of those round ratios reads the ratio without pairing one round's bare server
    // with another round's gateway, as the ratio of medians above does.
    const paired = (i: number) => {
      const ratios = rounds[i]!.map((x, r) => x.rps / rounds[0]![r]!.rps);
      return `${ratios.map((x) => x.toFixed(2)).join('/')} (median ${median(ratios, (x) => x).toFixed(2)})`;
    };
    const floor = FLOOR === 'writes' ? "(bare + the gateway's Redis writes; BENCH_FLOOR=writes, not the issue's floor)" : 'bare';
    console.log(`\nweb intake / ${floor}, saturated: ${(solo.rps / bare.rps).toFixed(2)}x (all-in-one, which also routes and publishes every complaint: ${(all.rps / bare.rps).toFixed(2)}x)   target >= 0.70x`);
    console.log(`  round by round: gateway alone ${paired(1)}, all-in-one ${paired(2)}`);
    console.log(`  (in each round the bare server and the gateway alone started ${span(pairGapSeconds.map(Math.round))} s apart, back to back; the all-in-one ran after them)`);
    // The same bare server, round after round: how much the machine itself changed speed.
    const bareRps = rounds[0]!.map((x) => x.rps);
    const swing = Math.round((100 * (Math.max(...bareRps) - Math.min(...bareRps))) / Math.min(...bareRps));
    if (swing >= 10) console.log(`  (the bare server's own rounds differ by ${swing}%: this machine changed speed during the run, and a ratio read from it can be off by as much; more rounds (BENCH_ROUNDS, now ${ROUNDS}) narrow it)`);
    console.log(`p99 at a steady ${STEADY_RATE.toLocaleString('en')}/s: gateway alone ${steady[1]!.p99} ms, all-in-one ${steady[2]!.p99} ms (bare ${steady[0]!.p99} ms)   target <= 25 ms`);
    console.log(`peak RSS: gateway alone ${mem[1]!.peak} MB, all-in-one ${mem[2]!.peak} MB   target < 150 MB\n`);
  } finally {
    // Every server exits before its Redis is stopped; one that has not after 15 s is killed,
    // so a hung server can never keep the bench running.
    await Promise.all(servers.map((s) => stopServer(s.child)));
    // A shared Redis (REDIS_URL) keeps nothing of the run.
    if (!stopRedis) await redis.forgetFiled().catch(() => {});
    redis.close();
    await stopRedis?.();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
