/**
 * `pnpm exec tsx tests/bench/report-bench.ts`: how long the monthly report (docs/operations.md,
 * "Monthly report") takes for a month of REPORT_BENCH_COMPLAINTS complaints (default 30,000, a
 * province's month), and what another client of that Redis sees meanwhile. A private
 * redis-server (AOF everysec, as infra/redis) is filled with status records and histories as the
 * router and the OPDs leave them (routed, answered, resolved, in triage; one in ten as written
 * before records kept their assignment's times), pipelined, without the received index; then the gateway's one-time fill builds the index from them, and the report is
 * asked for through the gateway's own route, as an admin's page and its CSV would. Meanwhile
 * another client sends PING every 5 ms: its round trips' p50, p99 and max are printed, idle first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRedis, startLocalRedis } from '@aduan/queue';
import { createTestGateway } from '@aduan/gateway/testing';
import { ticketFor, deterministicComplaintId } from '@aduan/schema';
import { createLogger } from '@aduan/telemetry';

const COMPLAINTS = Number(process.env.REPORT_BENCH_COMPLAINTS ?? 30_000);
const PREFIX = 'bench-report';
const OPDS = ['dishub', 'dlh', 'satpolpp', 'dpupr', 'diskominfotik', 'dinsos', 'dinkes', 'disdik'];
const MONTH = '2026-11';
const DAY = 86_400_000;

/** PING round trips every 5 ms until `stop`: p50, p99, max in ms. */
async function pingWhile(redis: ReturnType<typeof createRedis>, stop: { done: boolean }): Promise<string> {
  const rtts: number[] = [];
  while (!stop.done) {
    const t = performance.now();
    await redis.ping();
    rtts.push(performance.now() - t);
    await sleep(5);
  }
  rtts.sort((a, b) => a - b);
  const at = (q: number) => rtts[Math.min(rtts.length - 1, Math.floor(q * rtts.length))]!.toFixed(2);
  return `PING p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${rtts.at(-1)!.toFixed(2)} ms (${rtts.length} pings)`;
}

async function timed<T>(redis: ReturnType<typeof createRedis>, what: string, run: () => Promise<T>): Promise<T> {
  const stop = { done: false };
  const pings = pingWhile(redis, stop);
  const t = performance.now();
  const out = await run();
  const ms = performance.now() - t;
  stop.done = true;
  console.log(`${what}: ${ms.toFixed(0)} ms; meanwhile ${await pings}`);
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'aduan-report-bench-'));
const local = await startLocalRedis({ dir });
const url = local.url;
const redis = createRedis(url, 'worker');
const pinger = createRedis(url, 'worker');
try {
  const start = Date.parse('2026-10-31T17:00:00Z');
  console.log(`filling ${COMPLAINTS} complaints received in ${MONTH} ...`);
  for (let i = 0; i < COMPLAINTS; i += 1000) {
    const pipe = redis.pipeline();
    for (let j = i; j < Math.min(COMPLAINTS, i + 1000); j++) {
      const received = start + Math.floor((j / COMPLAINTS) * 30 * DAY);
      const id = deterministicComplaintId(new Date(received), 'webform', 'web', `bench-${j}`);
      const opd = OPDS[j % OPDS.length]!;
      const routedAt = new Date(received + 60_000).toISOString();
      const steps = [{ state: 'routed', at: routedAt, opd }];
      const kind = j % 5;
      if (kind === 1 || kind === 2) steps.push({ state: 'in_progress', at: new Date(received + (j % 9) * DAY).toISOString(), opd });
      if (kind === 2) steps.push({ state: 'resolved', at: new Date(received + 10 * DAY).toISOString(), opd });
      const inTriage = kind === 4 && j % 3 === 0;
      const state = inTriage ? 'triage' : steps.at(-1)!.state;
      // As the router and the OPDs' reports leave a record; one in ten as written before records kept routedAt and answeredAt (read from its history).
      const times = inTriage || j % 10 === 0 ? {} : { routedAt: String(received + 60_000), ...(steps[1] ? { answeredAt: String(Date.parse(steps[1].at)) } : {}) };
      pipe.hset(`${PREFIX}:complaint:${id}`, { id, ticket: ticketFor(id), channel: 'webform', state, ...(inTriage ? {} : { opd, opdName: opd }), receivedAt: new Date(received).toISOString(), updatedAt: steps.at(-1)!.at, ...times });
      pipe.rpush(`${PREFIX}:complaint:${id}:history`, ...(inTriage ? [JSON.stringify({ state: 'triage', at: routedAt })] : steps.map((s) => JSON.stringify(s))));
    }
    await pipe.exec();
  }
  console.log(`Redis used_memory: ${(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]! as unknown as number) / 1e6} MB`);
  const gw = await createTestGateway({ redisUrl: url, prefix: PREFIX, logger: createLogger({ level: 'warn', service: 'bench' }) });
  try {
    await timed(pinger, `one-time fill of the received index from ${COMPLAINTS} records (SCAN)`, () => gw.deps.receivedBackfill);
    console.log(`index holds ${await redis.zcard(`${PREFIX}:received`)} ids`);
    await gw.deps.auth.users.add({ username: 'admin', password: 'kata-sandi-bench-1', role: 'admin' });
    const login = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', payload: { username: 'admin', password: 'kata-sandi-bench-1' } });
    const cookie = `aduan_session=${login.cookies.find((c) => c.name === 'aduan_session')?.value}`;
    for (const path of [`/api/v1/reports/monthly?month=${MONTH}`, `/admin/rekap?bulan=${MONTH}`, `/api/v1/reports/monthly.csv?month=${MONTH}`]) {
      for (let round = 1; round <= 3; round++) {
        const res = await timed(pinger, `GET ${path} (round ${round})`, () => gw.app.inject({ url: path, headers: { cookie } }));
        if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode}`);
        if (round === 3 && path.includes('monthly?')) console.log(`  total ${res.json().total}, ${res.json().opds.length} OPDs, ${res.body.length} bytes`);
      }
    }
    console.log(`gateway RSS after: ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
  } finally {
    await gw.close();
  }
} finally {
  redis.disconnect();
  pinger.disconnect();
  await local.stop();
  rmSync(dir, { recursive: true, force: true });
}
