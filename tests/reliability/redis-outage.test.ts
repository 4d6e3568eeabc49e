import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway } from '@aduan/gateway/testing';
import { createRedis, redisAnswers, startLocalRedis, StatusStore, type LocalRedis } from '@aduan/queue';
import { memoryLogger, uniquePrefix, waitFor } from '@aduan/testkit';

/**
 * DESIGN: nothing a citizen was told "received" may be lost. With Redis stopped, the gateway
 * writes the complaint to its fsync'd spool and answers 202; when Redis returns, the spool is
 * drained with the same jobIds. Uses its own redis-server so it can stop and start it.
 */
const prefix = uniquePrefix('outage');
const mem = memoryLogger('outage');
const { logger } = mem;
let redis: LocalRedis;
let redisDir: string;
let gw: Awaited<ReturnType<typeof createTestGateway>>;

beforeAll(async () => {
  redisDir = mkdtempSync(join(tmpdir(), 'aduan-outage-redis-'));
  redis = await startLocalRedis({ dir: redisDir });
  gw = await createTestGateway({ redisUrl: redis.url, prefix, logger });
});
afterAll(async () => {
  await gw.close();
  await redis.stop();
});

describe('Redis unreachable', () => {
  it('acknowledges complaints from the spool and delivers each exactly once when Redis returns', async () => {
    const before = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Sampah menumpuk di TPS Jl. Kalimantan, bau sekali' } });
    expect(before.statusCode).toBe(202);

    await redis.stop();
    const accepted: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', headers: { 'idempotency-key': `outage-${i}` }, payload: { text: `Lampu jalan mati nomor ${i} di Jl. Anggrek, mohon segera diperbaiki` } });
      expect(res.statusCode).toBe(202);
      accepted.push(res.json().id);
    }
    // A client retry while Redis is still down gets the same answer, not a second complaint.
    const retry = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', headers: { 'idempotency-key': 'outage-0' }, payload: { text: 'Lampu jalan mati nomor 0 di Jl. Anggrek, mohon segera diperbaiki' } });
    expect(retry.json().id).toBe(accepted[0]);
    expect(await gw.deps.spool.pendingCount()).toBe(5);
    const ready = await gw.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks).toMatchObject({ redis: false, spooled: 5 });
    // /metrics still answers with Redis away: the spool's count, and no stale queue depths.
    const metrics = await gw.app.inject({ url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toMatch(/^aduan_gateway_spooled_complaints 5$/m);
    expect(metrics.body).not.toMatch(/^aduan_queue_jobs\{/m);

    // Redis comes back on the same port with its AOF data.
    redis = await startLocalRedis({ dir: redisDir, port: redis.port });
    const q = new Queue('intake', { connection: createRedis(redis.url, 'worker'), prefix });
    try {
      await waitFor(async () => (await q.count()) === 6, { timeoutMs: 20_000, what: 'spool drained' });
      for (const id of accepted) expect((await q.getJob(id))?.data.text).toMatch(/Lampu jalan mati/);
      expect(await gw.deps.spool.pendingCount()).toBe(0);
      expect(readdirSync(gw.deps.spool.dir).filter((f) => f.includes('.jsonl'))).toEqual([]);
      // The drain wrote each complaint's status record and Idempotency-Key claim too (no router
      // runs here): its ticket is found at once, and a retry on another gateway gets its answer.
      const first = accepted[0] as string;
      // (Read on a connection of its own: the gateway's may still be reconnecting.)
      const own = createRedis(redis.url, 'worker');
      const rec = await new StatusStore(own, prefix).get(first).finally(() => own.disconnect());
      expect(rec).toMatchObject({ id: first, state: 'received', channel: 'webform' });
      const other = await createTestGateway({ redisUrl: redis.url, prefix, logger });
      try {
        const again = await other.app.inject({ method: 'POST', url: '/api/v1/complaints', headers: { 'idempotency-key': 'outage-0' }, payload: { text: 'Lampu jalan mati nomor 0 di Jl. Anggrek, mohon segera diperbaiki' } });
        expect(again.json().id).toBe(first);
      } finally {
        await other.close();
      }
      expect(await q.count()).toBe(6);
    } finally {
      await q.close();
    }
  });

  it('a gateway restarted during the outage answers a retry of a complaint its predecessor spooled with the first ticket', async () => {
    await waitFor(async () => (await gw.app.inject({ url: '/readyz' })).json().checks.redis === true, { timeoutMs: 20_000, what: 'gateway reconnected to Redis' });
    const body = { text: 'Jembatan kecil di Jl. Cemara retak, kendaraan berat masih lewat' };
    const spool = { SPOOL_DIR: join(mkdtempSync(join(tmpdir(), 'aduan-restart-')), 'spool') };
    await redis.stop();
    try {
      const before = await createTestGateway({ redisUrl: redis.url, prefix, logger, env: spool });
      const res = await before.app.inject({ method: 'POST', url: '/api/v1/complaints', headers: { 'idempotency-key': 'spooled-then-restart' }, payload: body }).finally(() => before.close());
      expect(res.statusCode).toBe(202);
      const first = res.json() as { id: string; ticket: string };
      // The answer was lost; the client retries, reaching a gateway restarted on the same spool.
      const after = await createTestGateway({ redisUrl: redis.url, prefix, logger, env: spool });
      try {
        await after.deps.spoolRecall;
        const retry = await after.app.inject({ method: 'POST', url: '/api/v1/complaints', headers: { 'idempotency-key': 'spooled-then-restart' }, payload: body });
        expect(retry.statusCode).toBe(202);
        expect(retry.json()).toMatchObject({ id: first.id, ticket: first.ticket });
        // Other words under that key are still another complaint: refused.
        const other = await after.app.inject({ method: 'POST', url: '/api/v1/complaints', headers: { 'idempotency-key': 'spooled-then-restart' }, payload: { text: 'Pohon tumbang di Jl. Cemara menutup jalan' } });
        expect(other.statusCode).toBe(422);
        expect(mem.text()).toContain('idempotency keys of spooled complaints recalled');
        redis = await startLocalRedis({ dir: redisDir, port: redis.port });
        await waitFor(async () => (await after.deps.spool.pendingCount()) === 0, { timeoutMs: 20_000, what: 'spool drained' });
      } finally {
        await after.close();
      }
      const q = new Queue('intake', { connection: createRedis(redis.url, 'worker'), prefix });
      try {
        const jobs = (await q.getJobs(['waiting'])).filter((j) => j.data.text === body.text);
        expect(jobs.map((j) => j.id)).toEqual([first.id]);
      } finally {
        await q.close();
      }
    } finally {
      if (!(await redisAnswers(redis.url))) redis = await startLocalRedis({ dir: redisDir, port: redis.port });
    }
  });

  it('answers a retry that comes while Redis is away with the ticket its first request got when Redis was up', async () => {
    await waitFor(async () => (await gw.app.inject({ url: '/readyz' })).json().checks.redis === true, { timeoutMs: 20_000, what: 'gateway reconnected to Redis' });
    const body = { text: 'Trotoar ambles di depan SDN Kauman 1, bahaya untuk anak sekolah' };
    const first = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', headers: { 'idempotency-key': 'queued-then-outage' }, payload: body });
    expect(first.statusCode).toBe(202);
    await redis.stop();
    try {
      // The first answer was lost on its way; the client retries into the outage.
      const retry = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', headers: { 'idempotency-key': 'queued-then-outage' }, payload: body });
      expect(retry.statusCode).toBe(202);
      expect(retry.json().ticket).toBe(first.json().ticket);
    } finally {
      redis = await startLocalRedis({ dir: redisDir, port: redis.port });
    }
    const q = new Queue('intake', { connection: createRedis(redis.url, 'worker'), prefix });
    try {
      await waitFor(async () => (await gw.deps.spool.pendingCount()) === 0, { timeoutMs: 20_000, what: 'spool drained' });
      const jobs = (await q.getJobs(['waiting'])).filter((j) => j.data.text === body.text);
      expect(jobs.map((j) => j.id)).toEqual([first.json().id]);
    } finally {
      await q.close();
    }
  });

  it('drains a big spool while Redis is full (OOM) without falling over, once it takes writes again, and sets aside a record it can never add', async () => {
    await waitFor(async () => (await gw.app.inject({ url: '/readyz' })).json().checks.redis === true, { timeoutMs: 20_000, what: 'gateway reconnected to Redis' });
    const admin = createRedis(redis.url, 'worker');
    const q = new Queue('intake', { connection: createRedis(redis.url, 'worker'), prefix });
    try {
      const before = await q.count();
      const known = (await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Lampu taman di Alun-alun mati semua sejak Senin' } })).json() as { ticket: string };
      // In Redis before it fills up: on a busy machine the producer's connection may still be
      // coming back from the last test's outage, and the complaint spooled, then drained.
      await waitFor(async () => (await gw.deps.spool.pendingCount()) === 0, { timeoutMs: 20_000, what: 'the known complaint in Redis' });
      // Redis at its maxmemory: it refuses every write (OOM) while it answers, so the drain runs and fails.
      await admin.config('SET', 'maxmemory', '1');
      const texts = Array.from({ length: 120 }, (_, i) => `Saluran air tersumbat sampah di gang ${i} Jl. Kenari, air meluap ke rumah warga setiap hujan. `.repeat(6));
      const answers = [];
      for (const text of texts) {
        const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text } });
        expect(res.statusCode).toBe(202);
        answers.push(res.json() as { ticket: string; statusToken: string });
      }
      // Redis answers reads meanwhile, and knows none of these tickets: "try again shortly", not
      // "no such ticket" (the citizen was just given it).
      const spooledOne = answers[0]!;
      const api = await gw.app.inject({ url: `/api/v1/complaints/${spooledOne.ticket}?token=${spooledOne.statusToken}` });
      expect(api.statusCode).toBe(503);
      expect(api.headers['retry-after']).toBeDefined();
      // A look-up Redis cannot answer (docs/errors.md), not queue_unavailable ("not stored").
      expect(api.json().error).toBe('service_unavailable');
      const page = await gw.app.inject({ url: `/status?ticket=${spooledOne.ticket}&token=${spooledOne.statusToken}` });
      expect(page.statusCode).toBe(503);
      expect(page.body).toContain('Layanan sedang sibuk');
      // A ticket Redis knows, with a wrong token: the same answer, so it tells nothing of the ticket.
      const wrongToken = await gw.app.inject({ url: `/api/v1/complaints/${known.ticket}?token=AAAA-AAAA-AAAA` });
      expect(wrongToken.statusCode).toBe(503);
      expect(wrongToken.json().error).toBe('service_unavailable');
      // A record no queue contract names (written by hand): it can never be added.
      writeFileSync(join(gw.deps.spool.dir, 'spool-1-1-0.jsonl'), `${JSON.stringify({ queue: 'no-such-queue', jobId: 'J-BAD', data: {}, spooledAt: new Date().toISOString() })}\n`);
      expect(await gw.deps.spool.pendingCount()).toBe(121);
      // Several drains fail on OOM meanwhile (well over 64 KB each: the re-adds fail while the file is still read).
      await new Promise((r) => setTimeout(r, 3_000));
      expect(await gw.deps.spool.pendingCount()).toBeGreaterThan(0);
      await admin.config('SET', 'maxmemory', '0');
      await waitFor(async () => (await gw.deps.spool.pendingCount()) === 0, { timeoutMs: 20_000, what: 'spool drained' });
      expect((await q.count()) - before).toBe(121);
      // Drained: found.
      const found = await gw.app.inject({ url: `/api/v1/complaints/${spooledOne.ticket}?token=${spooledOne.statusToken}` });
      expect(found.statusCode).toBe(200);
      expect(readFileSync(join(gw.deps.spool.dir, 'quarantine.bad'), 'utf8')).toContain('"jobId":"J-BAD"');
      expect(mem.text()).toContain('set aside in the quarantine file');
      // Counted as set aside, not as drained into Redis.
      const drained = mem.lines.filter((l) => l.msg === 'spool drained into redis');
      expect(drained.reduce((sum, l) => sum + Number(l.quarantined ?? 0), 0)).toBe(1);
    } finally {
      await admin.config('SET', 'maxmemory', '0').catch(() => {});
      admin.disconnect();
      await q.close();
    }
  }, 60_000);

  it('keeps the spooled complaints while Redis refuses writes for want of replicas (NOREPLICAS), and drains them once it takes writes', async () => {
    await waitFor(async () => (await gw.app.inject({ url: '/readyz' })).json().checks.redis === true, { timeoutMs: 20_000, what: 'gateway reconnected to Redis' });
    const admin = createRedis(redis.url, 'worker');
    const q = new Queue('intake', { connection: createRedis(redis.url, 'worker'), prefix });
    try {
      // A primary configured to refuse writes while too few replicas follow it (min-replicas-to-write).
      await admin.config('SET', 'min-replicas-to-write', '1');
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: `Got mampet di Jl. Mawar nomor ${i}, air meluap ke jalan` } });
        expect(res.statusCode).toBe(202);
        ids.push(res.json().id);
      }
      // Drains run and fail meanwhile: the records wait in the spool, none is set aside.
      await new Promise((r) => setTimeout(r, 2_500));
      expect(await gw.deps.spool.pendingCount()).toBe(5);
      await admin.config('SET', 'min-replicas-to-write', '0');
      await waitFor(async () => (await gw.deps.spool.pendingCount()) === 0, { timeoutMs: 20_000, what: 'spool drained' });
      for (const id of ids) expect((await q.getJob(id))?.data.text).toMatch(/Got mampet/);
    } finally {
      await admin.config('SET', 'min-replicas-to-write', '0').catch(() => {});
      admin.disconnect();
      await q.close();
    }
  });

  it('answers look-ups with 503 and Retry-After while Redis is away, never a 500', async () => {
    // The gateway's connections (its adds have their own) are back from the first test's outage.
    await waitFor(async () => (await gw.app.inject({ url: '/readyz' })).json().checks.redis === true, { timeoutMs: 20_000, what: 'gateway reconnected to Redis' });
    const filed = (await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Pohon besar condong ke jalan di Jl. Sudanco Supriyadi' } })).json() as { ticket: string; statusToken: string };
    const { secret } = await gw.deps.opdKeys.create('dlh', 'outage test');
    await redis.stop();
    try {
      const api = await gw.app.inject({ url: `/api/v1/complaints/${filed.ticket}`, headers: { authorization: `Bearer ${filed.statusToken}` } });
      expect([api.statusCode, api.json().error, api.headers['retry-after']]).toEqual([503, 'service_unavailable', '10']);
      // The citizen's page says so in Bahasa Indonesia.
      const page = await gw.app.inject({ url: `/status?ticket=${filed.ticket}&token=${filed.statusToken}` });
      expect(page.statusCode).toBe(503);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.body).toContain('Layanan sedang sibuk');
      const opd = await gw.app.inject({ url: '/api/v1/opd/complaints', headers: { authorization: `Bearer ${secret}` } });
      expect([opd.statusCode, opd.json().error]).toEqual([503, 'service_unavailable']);
      expect(mem.lines.filter((l) => l.msg === 'unhandled error')).toEqual([]);
    } finally {
      redis = await startLocalRedis({ dir: redisDir, port: redis.port });
    }
  });

  it('answers 503 with Retry-After when there is no spool to keep the complaint', async () => {
    const { DurableProducer, QueueUnavailableError } = await import('@aduan/queue');
    await redis.stop();
    const conn = createRedis(redis.url, 'producer');
    const p = new DurableProducer({ connection: conn, prefix, logger, addTimeoutMs: 300 });
    const { newComplaintId, ticketFor } = await import('@aduan/schema');
    const id = newComplaintId();
    const now = new Date().toISOString();
    await expect(
      p.add('intake', id, { schemaVersion: 1, id, ticket: ticketFor(id), channel: 'webform', source: { account: 'web' }, receivedAt: now, submittedAt: now, reporter: {}, text: 'Jalan rusak parah', intake: { transport: 'http' } }),
    ).rejects.toBeInstanceOf(QueueUnavailableError);
    await p.close();
    conn.disconnect();
    redis = await startLocalRedis({ dir: redisDir, port: redis.port });
  });

  it('refuses (503) rather than write into a spool directory another process holds, and logs why', async () => {
    const { DurableProducer, QueueUnavailableError, Spool } = await import('@aduan/queue');
    const { newComplaintId, ticketFor } = await import('@aduan/schema');
    const dir = mkdtempSync(join(tmpdir(), 'aduan-spool-taken-'));
    // A replica in another container, alive (its lock is fresh).
    writeFileSync(join(dir, 'spool.lock'), JSON.stringify({ host: 'gateway-replica-2', pid: 1, token: 'theirs' }));
    await redis.stop();
    const conn = createRedis(redis.url, 'producer');
    const p = new DurableProducer({ connection: conn, prefix, logger, addTimeoutMs: 300, spool: new Spool(dir) });
    try {
      const id = newComplaintId();
      const now = new Date().toISOString();
      await expect(
        p.add('intake', id, { schemaVersion: 1, id, ticket: ticketFor(id), channel: 'webform', source: { account: 'web' }, receivedAt: now, submittedAt: now, reporter: {}, text: 'Jalan rusak parah', intake: { transport: 'http' } }),
      ).rejects.toBeInstanceOf(QueueUnavailableError);
      expect(mem.text()).toContain('the spool could not keep it');
      expect(mem.text()).toContain('in use by process 1 on gateway-replica-2');
      expect(readdirSync(dir)).toEqual(['spool.lock']);
    } finally {
      await p.close();
      conn.disconnect();
      redis = await startLocalRedis({ dir: redisDir, port: redis.port });
    }
  });
  it('a login while Redis is full answers 503 with Retry-After (a page in Bahasa Indonesia, or JSON), not a 500', async () => {
    await waitFor(async () => (await gw.app.inject({ url: '/readyz' })).json().checks.redis === true, { timeoutMs: 20_000, what: 'gateway reconnected to Redis' });
    await gw.deps.auth.users.add({ username: 'siti', password: 'kata-sandi-siti-88', role: 'operator', station: 'Radio Patria FM' });
    const admin = createRedis(redis.url, 'worker');
    try {
      await admin.config('SET', 'maxmemory', '1');
      const api = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', payload: { username: 'siti', password: 'kata-sandi-siti-88' } });
      expect(api.statusCode).toBe(503);
      expect(api.json().error).toBe('service_unavailable');
      expect(api.headers['retry-after']).toBe('30');
      const page = await gw.app.inject({ method: 'POST', url: '/login', headers: { origin: 'http://localhost:80', host: 'localhost:80' }, payload: { username: 'siti', password: 'kata-sandi-siti-88' } });
      expect(page.statusCode).toBe(503);
      expect(page.body).toContain('Layanan sedang sibuk');
      expect(mem.text()).toContain('redis refuses writes (full or read-only): request answered 503');
    } finally {
      await admin.config('SET', 'maxmemory', '0');
      admin.disconnect();
    }
  });
});
