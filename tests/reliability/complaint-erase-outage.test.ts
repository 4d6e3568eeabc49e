import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, multipartBody } from '@aduan/gateway/testing';
import { createRedis, redisAnswers, startLocalRedis, StatusStore, type LocalRedis } from '@aduan/queue';
import { startRouterService, type RouterService } from '@aduan/router';
import { memoryLogger, timed, uniquePrefix, waitFor } from '@aduan/testkit';
import { CITIZEN, dumpPrefix, found, runErase, spoolText, startEraseHeldAt } from '../support/complaint-erase.ts';

/**
 * complaint:erase's promises for when things go wrong (docs/operations.md, "Personal data
 * requests"): a complaint a running gateway still holds in its spool is left to it (exit 75) and
 * erased by a rerun once the gateway added it to Redis; a run Redis stops under half-way exits 1,
 * and its rerun finishes it. A real gateway and router on a redis-server of the test's own, which
 * it stops and starts; the command runs as a child process.
 */
const prefix = uniquePrefix('erase-outage');
const { logger } = memoryLogger('erase-outage');
let redisDir: string;
let redis: LocalRedis;
let router: RouterService;
let gw: Awaited<ReturnType<typeof createTestGateway>>;
/** The test's own look at Redis (it reconnects when Redis is back). */
let admin: Redis;

const spoolDir = () => gw.deps.spool.dir;
const envFor = (url: string) => ({ REDIS_URL: url, QUEUE_PREFIX: prefix, SPOOL_DIR: spoolDir(), ATTACHMENT_DIR: join(gw.dir, 'attachments') });
const dump = async () => JSON.stringify(await dumpPrefix(admin, prefix));

/** A complaint naming its citizen in its fields and its text, routed to Dishub. */
async function file(idempotencyKey: string): Promise<{ id: string; ticket: string }> {
  const form = multipartBody({ text: `Saya ${CITIZEN.name}, jukir liar di depan Pasar Legi minta parkir 5 ribu tanpa karcis. Hubungi saya 0812-3456-7890`, 'location.kelurahan': 'Kepanjenlor', 'reporter.name': CITIZEN.name, 'reporter.phone': CITIZEN.phone, 'reporter.email': CITIZEN.email }, []);
  const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', headers: { ...form.headers, 'idempotency-key': idempotencyKey }, payload: form.payload });
  expect(res.statusCode).toBe(202);
  return res.json();
}

async function routedToDishub(id: string): Promise<void> {
  const q = new Queue('opd.dishub', { connection: admin, prefix });
  await waitFor(async () => (await q.getJob(id)) ?? null, { timeoutMs: 20_000, what: 'opd.dishub job' }).finally(() => q.close());
}

beforeAll(async () => {
  redisDir = mkdtempSync(join(tmpdir(), 'aduan-erase-redis-'));
  redis = await startLocalRedis({ dir: redisDir });
  admin = createRedis(redis.url, 'worker');
  router = await startRouterService({ redisUrl: redis.url, prefix, logger });
  gw = await createTestGateway({ redisUrl: redis.url, prefix, logger, routerAlive: router.alive });
});
afterAll(async () => {
  if (!(await redisAnswers(redis.url))) redis = await startLocalRedis({ dir: redisDir, port: redis.port });
  await gw.close();
  await router.close();
  admin.disconnect();
  await redis.stop();
});

describe('complaint:erase when Redis goes away', () => {
  it('leaves a complaint a running gateway still holds in its spool (exit 75), and erases it with a rerun once the gateway added it to Redis', async () => {
    await redis.stop();
    const { id, ticket } = await file('erase-spooled-1');
    expect(found(spoolText(spoolDir()))).not.toEqual([]);

    // Redis answers the operator before the gateway is back on it (it reconnects within 5 s, then
    // drains): the same data, reached on another port, which the gateway does not know.
    const early = await startLocalRedis({ dir: redisDir });
    const busy = await runErase(envFor(early.url), [ticket, '--yes']).finally(() => early.stop());
    expect(busy.code).toBe(75);
    expect(busy.out).toContain(`Erased the citizen's personal data of complaint ${ticket} (${id}):`);
    expect(busy.out).toContain('1 record(s) wait in the spool file of a running gateway, which adds them to Redis as soon as it can: run this again in a minute.');
    expect(found(busy.out + busy.err)).toEqual([]);
    // Left as it was: the gateway appends to that file.
    expect(found(spoolText(spoolDir()))).not.toEqual([]);

    redis = await startLocalRedis({ dir: redisDir, port: redis.port });
    await waitFor(async () => (await gw.deps.spool.pendingCount()) === 0, { timeoutMs: 20_000, what: 'spool drained' });
    await routedToDishub(id);
    expect(found(await dump())).not.toEqual([]);

    const again = await runErase(envFor(redis.url), [ticket, '--yes']);
    expect(again.code).toBe(0);
    expect(again.out).not.toContain('wait in the spool file');
    expect(JSON.parse(again.err.trim()).counts).toMatchObject({ jobs_intake: 1, jobs_opd: 1, idempotency_claim: 1, spool_records: 0 });
    expect(found(await dump())).toEqual([]);
    expect(found(spoolText(spoolDir()))).toEqual([]);
  });

  it('a run Redis stops under half-way exits 1 (it does not hang), and its rerun finishes it: nothing of the citizen is left', async () => {
    const { id, ticket } = await file('erase-halfway-1');
    await routedToDishub(id);
    // The citizen follows it on WhatsApp, their OPD names them in a report, and the router tells them.
    expect(await new StatusStore(admin, prefix).follow(id, { channel: 'whatsapp', account: '6281111111111', to: CITIZEN.jid })).toBe('followed');
    const status = new Queue('status', { connection: admin, prefix });
    const notify = new Queue('notify.whatsapp', { connection: admin, prefix });
    try {
      await status.add('status', { schemaVersion: 1, complaintId: id, opd: 'dishub', state: 'in_progress', message: `Pak ${CITIZEN.name}, petugas menuju lokasi`, at: new Date().toISOString(), updateId: 'dishub-halfway-1' }, { jobId: 'dishub-halfway-1' });
      await waitFor(async () => (await notify.getJobs(['waiting', 'prioritized', 'completed', 'failed'])).find((j) => j.data.complaintId === id && j.data.kind === 'status') ?? null, { what: 'status notice' });
    } finally {
      await Promise.all([status.close(), notify.close()]);
    }
    await admin.lpush(`${prefix}:conv:tickets:whatsapp:6281111111111:abc`, ticket);
    const desk = `${prefix}:desk:entry:${id}`;
    expect(found((await admin.get(desk)) ?? '')).not.toEqual([]);

    // The command is held right after its first write to Redis (the desk's snippet, masked; the
    // status history before it), Redis stops, and the command goes on.
    const { child, done } = await startEraseHeldAt(admin, envFor(redis.url), [ticket, '--yes'], (c) => c[0]?.toLowerCase() === 'set' && c[1] === desk);
    await redis.stop();
    child.kill('SIGCONT');
    const waited = await timed(done, 15_000);
    if (waited === 'hung') child.kill('SIGKILL');
    expect(waited).not.toBe('hung');
    const stopped = await done;
    expect(stopped.code).toBe(1);
    expect(stopped.err).toMatch(/^error \(redis\): Redis stopped answering \(.+\)\. Run it again: it finishes what is left and repeats nothing\.\n$/);
    expect(found(stopped.out + stopped.err)).toEqual([]);

    redis = await startLocalRedis({ dir: redisDir, port: redis.port });
    await waitFor(() => admin.status === 'ready', { timeoutMs: 20_000, what: 'test connection back' });
    // Half-way: the desk's snippet was masked; the jobs, the chat memory and the record were not reached.
    expect(found((await admin.get(desk)) ?? '')).toEqual([]);
    expect(found(await dump())).not.toEqual([]);
    expect(await new StatusStore(admin, prefix).erasedAt(id)).toBeNull();

    const rerun = await runErase(envFor(redis.url), [ticket, '--yes']);
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.err.trim()).counts).toMatchObject({ desk_entry: 0, jobs_intake: 1, jobs_opd: 1, jobs_status: 1, chat_memory: 1, status_record: expect.any(Number) });
    expect(found(await dump())).toEqual([]);
    expect(found(spoolText(spoolDir()))).toEqual([]);
    expect(await new StatusStore(admin, prefix).erasedAt(id)).not.toBeNull();

    const again = await runErase(envFor(redis.url), [ticket, '--yes']);
    expect(again.code).toBe(0);
    expect(again.out).toContain('Nothing left to erase: erased before, at');
  });
});
