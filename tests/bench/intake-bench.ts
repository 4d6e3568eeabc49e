/**
 * `pnpm bench`: drives the real all-in-one gateway (+ router) and a bare fastify + zod +
 * BullMQ server on the same Redis with autocannon, and prints requests/s, p50/p99 and RSS.
 * Both servers run as child processes; the load generator is this process (same machine).
 * REDIS_URL is used when set; otherwise a private redis-server with AOF everysec is spawned.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort, redisAnswers, startLocalRedis } from '@aduan/queue';

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const root = join(import.meta.dirname, '..', '..');

function rssMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
  return { rss: Math.round(kb('VmRSS')), peak: Math.round(kb('VmHWM')) };
}

async function waitHttp(url: string, child: ChildProcess) {
  for (let i = 0; i < 200; i++) {
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

async function load(url: string, opts: { connections: number; overallRate?: number }) {
  const result = await autocannon({
    url: `${url}/api/v1/complaints`,
    method: 'POST',
    connections: opts.connections,
    duration: DURATION,
    ...(opts.overallRate ? { overallRate: opts.overallRate } : {}),
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: body(), headers: { ...req.headers, 'idempotency-key': `bench-${process.pid}-${seq}` } }) }],
  });
  const ok = result['2xx'];
  return { rps: Math.round(ok / DURATION), p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx + result.timeouts };
}

async function main() {
  let redisUrl = process.env.REDIS_URL;
  let stopRedis: (() => Promise<void>) | undefined;
  if (!redisUrl || !(await redisAnswers(redisUrl))) {
    const local = await startLocalRedis({ dir: mkdtempSync(join(tmpdir(), 'aduan-bench-redis-')) });
    redisUrl = local.url;
    stopRedis = local.stop;
  }
  const prefix = `bench-${Date.now()}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'aduan-bench-'));
  const gwPort = await freePort();
  const barePort = await freePort();
  const soloPort = await freePort();

  // Exactly as `pnpm start` runs it (Node's type stripping, the same V8 heap flags).
  const gateway = spawn(process.execPath, ['--max-semi-space-size=2', '--max-old-space-size=192', join(root, 'services/standalone/src/main.ts')], {
    cwd: root,
    env: { ...process.env, SPOOL_DIR: join(dataDir, 'spool'), ATTACHMENT_DIR: join(dataDir, 'attachments'), DATA_DIR: dataDir, PORT: String(gwPort), HOST: '127.0.0.1', REDIS_URL: redisUrl, QUEUE_PREFIX: `${prefix}-gw`, RATE_LIMIT_PER_MINUTE: '0', STATUS_TOKEN_SECRET: 'bench-secret-0123456789', LOG_LEVEL: 'info', NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // The gateway alone (no router in the process): the web intake path the ratio target is about.
  const solo = spawn(process.execPath, ['--max-semi-space-size=2', '--max-old-space-size=192', join(root, 'services/gateway/src/main.ts')], {
    cwd: root,
    env: { ...process.env, SPOOL_DIR: join(dataDir, 'spool-solo'), ATTACHMENT_DIR: join(dataDir, 'attachments'), PORT: String(soloPort), HOST: '127.0.0.1', REDIS_URL: redisUrl, QUEUE_PREFIX: `${prefix}-solo`, RATE_LIMIT_PER_MINUTE: '0', STATUS_TOKEN_SECRET: 'bench-secret-0123456789', LOG_LEVEL: 'info', NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const bare = fork(join(import.meta.dirname, 'bare-server.ts'), [String(barePort), redisUrl, `${prefix}-bare`], { execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  try {
    await waitHttp(`http://127.0.0.1:${gwPort}/healthz`, gateway);
    await waitHttp(`http://127.0.0.1:${soloPort}/healthz`, solo);
    await new Promise<void>((resolve, reject) => {
      bare.once('message', () => resolve());
      bare.once('exit', (code) => reject(new Error(`bare server exited (${code})`)));
    });

    const gwUrl = `http://127.0.0.1:${gwPort}`;
    const soloUrl = `http://127.0.0.1:${soloPort}`;
    const bareUrl = `http://127.0.0.1:${barePort}`;
    // Warm up both (JIT, connections, Lua scripts).
    await autocannon({ url: `${bareUrl}/api/v1/complaints`, method: 'POST', duration: 2, connections: 16, headers: { 'content-type': 'application/json' }, body: body() });
    await autocannon({ url: `${gwUrl}/api/v1/complaints`, method: 'POST', duration: 2, connections: 16, headers: { 'content-type': 'application/json' }, body: body() });
    await autocannon({ url: `${soloUrl}/api/v1/complaints`, method: 'POST', duration: 2, connections: 16, headers: { 'content-type': 'application/json' }, body: body() });

    console.log(`\nAduan intake benchmark: ${DURATION}s per run, node ${process.version}, load generator on the same machine\n`);
    const bareSat = await load(bareUrl, { connections: 64 });
    const soloSat = await load(soloUrl, { connections: 64 });
    const gwSat = await load(gwUrl, { connections: 64 });
    const bareSteady = await load(bareUrl, { connections: 32, overallRate: 1000 });
    const soloSteady = await load(soloUrl, { connections: 32, overallRate: 1000 });
    const gwSteady = await load(gwUrl, { connections: 32, overallRate: 1000 });
    const gwMem = rssMb(gateway.pid as number);
    const soloMem = rssMb(solo.pid as number);
    const bareMem = rssMb(bare.pid as number);

    const row = (name: string, sat: typeof bareSat, steady: typeof bareSteady, mem: { rss: number; peak: number }) =>
      `${name.padEnd(34)} ${String(sat.rps).padStart(7)} ${String(sat.p50).padStart(7)} ${String(sat.p99).padStart(7)}   ${String(steady.rps).padStart(7)} ${String(steady.p50).padStart(7)} ${String(steady.p99).padStart(7)}   ${String(mem.rss).padStart(6)} ${String(mem.peak).padStart(6)}  ${sat.errors + steady.errors}`;
    console.log(`${''.padEnd(34)} ${'saturated (64 conn)'.padEnd(23)}   ${'steady 1,000 req/s'.padEnd(23)}   ${'RSS MB'.padEnd(13)}`);
    console.log(`${'server'.padEnd(34)} ${'req/s'.padStart(7)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)}   ${'req/s'.padStart(7)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)}   ${'now'.padStart(6)} ${'peak'.padStart(6)}  errors`);
    console.log(row('bare fastify+zod+BullMQ add', bareSat, bareSteady, bareMem));
    console.log(row('Aduan gateway alone (web intake)', soloSat, soloSteady, soloMem));
    console.log(row('Aduan gateway + router (all-in-one)', gwSat, gwSteady, gwMem));
    console.log(`\nweb intake / bare, saturated: ${(soloSat.rps / bareSat.rps).toFixed(2)}x (all-in-one, which also routes and publishes every complaint: ${(gwSat.rps / bareSat.rps).toFixed(2)}x)   target >= 0.70x`);
    console.log(`p99 at 1,000/s: gateway alone ${soloSteady.p99} ms, all-in-one ${gwSteady.p99} ms   target <= 25 ms`);
    console.log(`peak RSS: gateway alone ${soloMem.peak} MB, all-in-one ${gwMem.peak} MB   target < 150 MB\n`);
  } finally {
    gateway.kill('SIGTERM');
    solo.kill('SIGTERM');
    bare.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    await stopRedis?.();
  }
}

await main();
