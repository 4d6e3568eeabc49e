import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, multipartBody, PNG_1x1 } from '@aduan/gateway/testing';
import { createRedis } from '@aduan/queue';
import { startRouterService, type RouterService } from '@aduan/router';
import { RoutedComplaint } from '@aduan/schema';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';

/** The spine end to end: web form POST -> intake -> the real router -> opd.<code> and routed. */
const url = testRedisUrl();
const prefix = uniquePrefix('e2e');
const { logger } = memoryLogger('e2e');
let router: RouterService;
let gw: Awaited<ReturnType<typeof createTestGateway>>;
const queues: Queue[] = [];
const queue = (name: string) => {
  const q = new Queue(name, { connection: createRedis(url, 'worker'), prefix });
  queues.push(q);
  return q;
};

beforeAll(async () => {
  router = await startRouterService({ redisUrl: url, prefix, logger });
  gw = await createTestGateway({ redisUrl: url, prefix, logger, routerAlive: router.alive });
});
afterAll(async () => {
  await Promise.all(queues.map((q) => q.close()));
  await gw.close();
  await router.close();
  await deletePrefix(url, prefix);
});

describe('web form to OPD queue', () => {
  it('a jukir complaint from the form reaches opd.dishub and routed, and the status shows the OPD', async () => {
    const form = multipartBody(
      { text: 'Jukir liar di depan Pasar Legi minta parkir 5 ribu, tidak pakai karcis', 'location.kelurahan': 'Kepanjenlor', 'reporter.name': 'Budi', 'reporter.phone': '081234567890', 'reporter.confidential': 'on' },
      [{ name: 'photos', filename: 'jukir.png', type: 'image/png', data: PNG_1x1 }],
    );
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', ...form });
    expect(res.statusCode).toBe(202);
    const { id, ticket, statusToken } = res.json();

    const opdJob = await waitFor(async () => (await queue('opd.dishub').getJob(id)) ?? null, { what: 'opd.dishub job' });
    const routed = RoutedComplaint.parse(opdJob.data);
    expect(routed.routing.opd).toBe('dishub');
    expect(routed.routing.decidedBy).toBe('rules');
    expect(routed.routing.reasons.length).toBeGreaterThan(0);
    expect(routed.attachments).toHaveLength(1);
    // Confidential: the OPD never sees who reported it; the firehose keeps it.
    expect(routed.reporter).toBeUndefined();
    const firehose = await queue('routed').getJob(id);
    expect(firehose?.data.reporter.phone).toBe('+6281234567890');

    const status = await waitFor(async () => {
      const r = await gw.app.inject({ url: `/api/v1/complaints/${ticket}`, headers: { authorization: `Bearer ${statusToken}` } });
      const view = r.json() as { state: string; opd: { code: string }; history: { state: string }[] };
      return view.state === 'routed' ? view : null;
    }, { what: 'status routed' });
    expect(status.opd.code).toBe('dishub');
    expect(status.history.map((h) => h.state)).toEqual(['received', 'routed']);

    const ready = await gw.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
  });

  it('a vague complaint goes to triage, not to an OPD', async () => {
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Tolong diperhatikan ya pak, terima kasih banyak' } });
    const { id } = res.json();
    const job = await waitFor(async () => (await queue('triage').getJob(id)) ?? null, { what: 'triage job' });
    expect(job.data.routing.triage).toBe(true);
    expect(await queue('routed').getJob(id)).toBeDefined();
  });
});
