import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway } from '@aduan/gateway/testing';
import { createRedis } from '@aduan/queue';
import { startRouterService, type RouterService } from '@aduan/router';
import { cutOff, deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { serviceUserOf, startCli } from '../support/operator-cli.ts';

/**
 * The operator's answer to AduanIntakeJobsFailed: a web complaint whose routing failed (as
 * BullMQ fails a job cut off by too many outages) is found with `jobs:failed` and run again
 * with `jobs:retry`, through the real router, to its OPD. The commands run as child processes,
 * exactly as `pnpm --filter @aduan/gateway jobs:*` runs them, as the service user of a locked Redis.
 */
const SCRIPT = fileURLToPath(new URL('../../services/gateway/scripts/jobs.ts', import.meta.url));
const url = testRedisUrl();
const prefix = uniquePrefix('jobs');
const { logger } = memoryLogger('e2e');
const serviceUser = serviceUserOf(url, prefix, 'jobs-test');

let redis: Redis;
let gw: Awaited<ReturnType<typeof createTestGateway>>;
let router: RouterService | undefined;
const queues: Queue[] = [];
const queue = (name: string) => {
  const q = new Queue(name, { connection: redis, prefix });
  queues.push(q);
  return q;
};

const jobs = (args: string[]) => startCli(SCRIPT, { REDIS_URL: serviceUser.url, QUEUE_PREFIX: prefix }, args).done;

/** Takes the queue's next job as a worker would, and fails it for good with `reason`. */
async function failNext(name: string, reason: string): Promise<string> {
  const connection = createRedis(url, 'worker');
  const worker = new Worker(name, null, { connection, prefix, autorun: false });
  try {
    const token = randomBytes(8).toString('hex');
    const job = await waitFor(() => worker.getNextJob(token), { what: `a ${name} job` });
    await job.moveToFailed(new UnrecoverableError(reason), token, false);
    return job.id!;
  } finally {
    await worker.close();
    connection.disconnect();
  }
}

beforeAll(async () => {
  redis = createRedis(url, 'worker');
  await serviceUser.create(redis);
  gw = await createTestGateway({ redisUrl: url, prefix, logger });
});
afterAll(async () => {
  await Promise.all(queues.map((q) => q.close()));
  await gw.close();
  await router?.close();
  await serviceUser.remove(redis);
  await deletePrefix(url, prefix);
  redis.disconnect();
});

describe('jobs:failed and jobs:retry', () => {
  it('find a complaint whose routing failed and run it again, dry run first, to its OPD', async () => {
    const first = await jobs(['failed']);
    expect(first.out, first.err).toBe('No failed jobs in any queue.\n');

    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Jukir liar di depan Pasar Legi minta parkir 5 ribu tanpa karcis', location: { kelurahan: 'Kepanjenlor' }, reporter: { name: 'Budi Santoso', phone: '081234567890' } } });
    expect(res.statusCode).toBe(202);
    const { id, ticket } = res.json<{ id: string; ticket: string }>();
    // Its routing cut off by one outage after another, until BullMQ fails it.
    while ((await cutOff({ url, prefix, queue: 'intake', jobId: id })) === 'taken');
    expect((await queue('intake').getJob(id))!.stalledCounter).toBeGreaterThan(1);

    const all = await jobs(['failed']);
    expect(all.code, all.err).toBe(0);
    expect(all.out).toMatch(/^ {2}intake +1 {2}newest \d+ \w+ 20\d\d, \d\d\.\d\d WIB$/m);
    expect(all.out).not.toMatch(/^ {2}(routed|triage|opd\.)/m);

    const one = await jobs(['failed', 'intake']);
    expect(one.code, one.err).toBe(0);
    expect(one.out).toContain('1 failed job(s) in intake, newest first:');
    const row = one.out.split('\n').find((l) => l.includes(id))!;
    expect(row).toContain(ticket);
    expect(row).toMatch(/job stalled more than allowable limit$/);
    // Never the complaint itself.
    expect(one.out).not.toMatch(/Budi|Pasar Legi|81234567890/);

    const dry = await jobs(['retry', 'intake']);
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toContain('Dry run: nothing was changed. With --yes these 1 failed job(s) of intake would be run again:');
    expect(await (await queue('intake').getJob(id))!.isFailed()).toBe(true);

    router = await startRouterService({ redisUrl: url, prefix, logger });
    const run = await jobs(['retry', 'intake', '--yes']);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain('Put 1 failed job(s) of intake back to be run again');
    const routed = await waitFor(async () => (await queue('opd.dishub').getJob(id)) ?? null, { what: 'the complaint in opd.dishub' });
    expect(routed.data.ticket).toBe(ticket);
    const intake = (await queue('intake').getJob(id))!;
    expect(await intake.isCompleted()).toBe(true);
    expect(intake.attemptsMade).toBe(1);
    expect(intake.stalledCounter).toBe(0);

    // Named again: no longer failed, so nothing is run a second time.
    const again = await jobs(['retry', 'intake', id, '--yes']);
    expect(again.code, again.err).toBe(3);
    expect(again.out).toContain(`Not failed in intake (unknown, already run again, or not failed): ${id}`);
    expect((await jobs(['failed'])).out).toBe('No failed jobs in any queue.\n');
  }, 60_000);

  it("shows a failed notice's reason with the citizen's number and e-mail masked", async () => {
    await queue('notify.whatsapp').add('notify', { schemaVersion: 1, channel: 'whatsapp', account: '6281111111111', to: '6281234567890@s.whatsapp.net', ticket: 'ADU-AAAA-BBBB', kind: 'status', text: 'Aduan Anda sedang ditangani', createdAt: new Date().toISOString() }, { jobId: 'status-notice-x1' });
    const jobId = await failNext('notify.whatsapp', 'not on WhatsApp: 6281234567890@s.whatsapp.net (budi.santoso@example.com), +62 812-3456-7890, attempt 8 of 8');
    const listed = await jobs(['failed', 'notify.whatsapp']);
    expect(listed.code, listed.err).toBe(0);
    expect(jobId).toBe('status-notice-x1');
    const row = listed.out.split('\n').find((l) => l.includes(jobId))!;
    expect(row).toContain('ADU-AAAA-BBBB');
    expect(row).toMatch(/not on WhatsApp: \[e-mail\] \(\[e-mail\]\), \[number\], attempt 8 of 8$/);
    expect(listed.out).not.toMatch(/81234567890|812-3456|budi/);
    const dry = await jobs(['retry', 'notify.whatsapp']);
    expect(dry.out).toContain('A notice run again is sent as it was written');
  }, 30_000);

  it('refuses a queue the contract does not have, naming the ones it has, and changes nothing', async () => {
    const r = await jobs(['retry', 'notify.sms', '--yes']);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain('error (usage): "notify.sms" is not a queue of the contract. The queues: intake, routed, triage, status, reopen, notify.whatsapp, notify.instagram, opd.');
    expect((await jobs(['failed', '--limit', '0'])).code).toBe(2);
    expect((await jobs(['resend'])).code).toBe(2);
  }, 30_000);
});
