import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { createRedis } from '@aduan/queue';
import { createTestGateway } from '@aduan/gateway/testing';
import { startRouterService, type RouterService } from '@aduan/router';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';

/** The README's ten-line consumer, run as its own process: it reads opd.dishub and reports progress. */
const url = testRedisUrl();
const prefix = uniquePrefix('consumer');
const { logger } = memoryLogger('consumer');
let router: RouterService;
let gw: Awaited<ReturnType<typeof createTestGateway>>;
let consumer: ChildProcess;
let out = '';

beforeAll(async () => {
  router = await startRouterService({ redisUrl: url, prefix, logger });
  gw = await createTestGateway({ redisUrl: url, prefix, logger, routerAlive: router.alive });
  consumer = spawn(process.execPath, [join(import.meta.dirname, '../../examples/opd-consumer.ts')], { env: { ...process.env, REDIS_URL: url, QUEUE_PREFIX: prefix }, stdio: ['ignore', 'pipe', 'inherit'] });
  consumer.stdout?.on('data', (d) => (out += String(d)));
});
afterAll(async () => {
  consumer.kill('SIGTERM');
  await gw.close();
  await router.close();
  await deletePrefix(url, prefix);
});

describe('README consumer example', () => {
  it('receives the routed complaint and its progress report reaches the citizen status', async () => {
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Banyak jukir liar di sekitar Alun-alun, parkir seenaknya bikin macet' } });
    const { ticket, statusToken } = res.json();
    await waitFor(() => out.includes(ticket), { timeoutMs: 15_000, what: 'consumer output' });
    const view = await waitFor(async () => {
      const r = await gw.app.inject({ url: `/api/v1/complaints/${ticket}?token=${statusToken}` });
      const v = r.json() as { state: string; history: { state: string; message?: string }[] };
      return v.state === 'in_progress' ? v : null;
    }, { timeoutMs: 15_000, what: 'in_progress status' });
    expect(view.history.at(-1)).toMatchObject({ state: 'in_progress', message: 'Petugas menuju lokasi' });
    // Its report is retried as the contract's own producers' are, not dropped after one failure.
    const { id } = res.json();
    const conn = createRedis(url, 'worker');
    const report = await new Queue('status', { connection: conn, prefix }).getJob(`dishub-${id}-1`);
    conn.disconnect();
    expect(report?.opts).toMatchObject({ attempts: 10, backoff: { type: 'exponential' } });
  });
});
