import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { createRedis, freePort, startLocalRedis, type LocalRedis } from '@aduan/queue';
import { waitFor } from '@aduan/testkit';
import { startNodeProcess } from '@aduan/testkit/node-process';
import { startCommand } from '@aduan/testkit/start-command';

/**
 * A host that boots with its Redis late or broken (a power cut, a full disk) must still take
 * complaints: the all-in-one starts, spools what it acknowledges, and routes it once Redis is
 * there. It used to wait for Redis before listening at all: its router's first heartbeat
 * waited on a worker connection, which queues commands until Redis answers.
 */
const root = join(import.meta.dirname, '..', '..');

describe('the all-in-one (pnpm start) started while its Redis is away', () => {
  it('listens, acknowledges a complaint from the spool, and routes it once Redis comes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aduan-start-away-'));
    const port = await freePort();
    const redisPort = await freePort();
    const redisUrl = `redis://127.0.0.1:${redisPort}`;
    const start = startCommand();
    const service = startNodeProcess([...start.nodeFlags, join(root, 'services/standalone/src/main.ts')], {
      cwd: dir,
      env: {
        ...process.env,
        ...start.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        REDIS_URL: redisUrl,
        STATUS_TOKEN_SECRET: 'start-without-redis-0123456789',
        DATA_DIR: join(dir, 'data'),
        SPOOL_DIR: join(dir, 'spool'),
        ATTACHMENT_DIR: join(dir, 'att'),
        LOG_LEVEL: 'warn',
      },
    });
    let redis: LocalRedis | undefined;
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.ok, { timeoutMs: 30_000, what: `the all-in-one listening without Redis (${service.output()})` });
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(503);

      const res = await fetch(`http://127.0.0.1:${port}/api/v1/complaints`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'Lampu PJU di Jl. Merdeka mati sudah seminggu, gelap sekali', category: 'pju' }),
      });
      expect(res.status).toBe(202);
      const { id } = (await res.json()) as { id: string };

      redis = await startLocalRedis({ dir: join(dir, 'redis'), port: redisPort });
      const connection = createRedis(redisUrl, 'worker');
      const routed = new Queue('routed', { connection, prefix: 'aduan' });
      try {
        const job = await waitFor(() => routed.getJob(id), { timeoutMs: 30_000, what: `complaint ${id} on routed once Redis came (${service.output()})` });
        expect(job.data).toMatchObject({ id, routing: { opd: expect.any(String) } });
        await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, { timeoutMs: 15_000, what: '/readyz 200 once Redis came' });
      } finally {
        await routed.close();
        connection.disconnect();
      }
    } finally {
      service.child.kill('SIGKILL');
      await redis?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
