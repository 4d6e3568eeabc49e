import { Queue, Worker, type Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { createRedis } from './connection.ts';
import { addsInOneScript, guardedAdd, guardedAddInOneScript, type AddGuard } from './guarded-add.ts';
import { QueueNames, defaultJobOptions } from './names.ts';

const url = testRedisUrl();
const prefix = uniquePrefix('guarded-add');
const redis = createRedis(url, 'producer');
const queues: Queue[] = [];

/** An intake queue of its own (as the gateway makes it) under `prefix:<name>`. */
function intakeQueue(name: string, eventsMaxLen?: number): Queue {
  const q = new Queue('intake', { connection: redis, prefix: `${prefix}:${name}`, defaultJobOptions: defaultJobOptions('intake'), ...(eventsMaxLen ? { streams: { events: { maxLen: eventsMaxLen } } } : {}) });
  queues.push(q);
  return q;
}

/**
 * Everything BullMQ keeps for a queue, with the parts that differ between two adds (times,
 * stream ids) blanked. A job's options are compared parsed: BullMQ's script writes them with
 * cjson, in Lua's table order, and reads them back with JSON.parse.
 */
async function queueState(q: Queue) {
  const k = q.keys;
  const jobIds = await redis.lrange(k.wait!, 0, -1);
  const jobs = await Promise.all(
    jobIds.map(async (id) => {
      const h = await redis.hgetall(`${k['']}${id}`);
      return { ...h, opts: JSON.parse(h.opts ?? 'null') as unknown, timestamp: /^\d{13}$/.test(h.timestamp ?? '') ? '<t>' : h.timestamp };
    }),
  );
  const events = (await redis.xrange(k.events!, '-', '+')).map(([, fields]) => fields);
  return { jobIds, jobs, events, marker: await redis.zrange(k.marker!, '0', '-1', 'WITHSCORES'), meta: await redis.hgetall(k.meta!), id: await redis.get(k.id!), paused: await redis.lrange(k.paused!, 0, -1), active: await redis.lrange(k.active!, 0, -1) };
}

const passes: AddGuard = { lua: `redis.call('INCR', KEYS[GK + 1])`, keys: [`${prefix}:guard-runs`], args: [] };
const refuses: AddGuard = { lua: `refused = {7, ARGV[GA + 1]}`, keys: [], args: ['no'] };

const complaintLike = (id: string) => ({ schemaVersion: 1, id, text: 'Lampu PJU mati', reporter: { anonymous: false, confidential: false }, attachments: [], nested: { a: [1, 'b', null] } });

beforeAll(async () => {
  if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
});

afterAll(async () => {
  await Promise.all(queues.map((q) => q.close()));
  redis.disconnect();
  await deletePrefix(url, prefix);
});

describe('guardedAdd', () => {
  it('runs in one script with the BullMQ version installed (an upgrade must be checked by this file, then listed in VERIFIED_BULLMQ)', () => {
    expect(guardedAddInOneScript).toBe(true);
    // Every contract queue's job options are ones the one-script path reproduces; an option it
    // does not know would quietly send every job through Queue.add.
    for (const name of [QueueNames.intake, QueueNames.routed, QueueNames.triage, QueueNames.status, QueueNames.opd('dishub'), QueueNames.notify('whatsapp'), QueueNames.notify('instagram')]) {
      const q = new Queue(name, { connection: redis, prefix: `${prefix}:options`, defaultJobOptions: defaultJobOptions(name) });
      queues.push(q);
      expect(addsInOneScript(q), name).toBe(true);
    }
    const other = new Queue('intake', { connection: redis, prefix: `${prefix}:keep-logs`, defaultJobOptions: { ...defaultJobOptions('intake'), keepLogs: 10 } });
    queues.push(other);
    expect(addsInOneScript(other)).toBe(false);
  });

  it.each([
    ['in one script', true, passes],
    ['as two calls (the fallback for an unverified BullMQ)', false, passes],
    ['without a guard', true, undefined],
    ['without a guard, through Queue.add (the fallback)', false, undefined],
  ])('leaves in Redis exactly what Queue.add leaves, %s', async (name, oneScript, guard) => {
    const [viaBull, viaGuard] = [intakeQueue(`bull-${name}`), intakeQueue(`guard-${name}`)];
    for (const id of ['01J00000000000000000000001', '01J00000000000000000000002']) {
      await viaBull.add('webform', complaintLike(id), { jobId: id });
      expect(await guardedAdd(redis, viaGuard, id, 'webform', complaintLike(id), guard, oneScript)).toBeUndefined();
    }
    // A repeated jobId is deduplicated the same way (one job; a "duplicated" event).
    await viaBull.add('webform', complaintLike('01J00000000000000000000001'), { jobId: '01J00000000000000000000001' });
    await guardedAdd(redis, viaGuard, '01J00000000000000000000001', 'webform', complaintLike('01J00000000000000000000001'), guard, oneScript);

    const [a, b] = [await queueState(viaBull), await queueState(viaGuard)];
    expect(b).toEqual(a);
    expect(b.jobIds).toHaveLength(2);
    // BullMQ reads it back with the queue's options.
    const job = await viaGuard.getJob('01J00000000000000000000002');
    expect(job?.opts).toMatchObject({ attempts: 10, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: 7 * 86_400 }, jobId: '01J00000000000000000000002' });
    expect(job?.data).toEqual(complaintLike('01J00000000000000000000002'));
  });

  // The branches of BullMQ's add that a plain job can still take: no wake-up marker while the
  // queue is paused or already runs its global concurrency's worth of jobs, and the events
  // stream trimmed to the queue's own length.
  it.each([
    ['paused', async (q: Queue) => q.pause()],
    ['at its global concurrency', async (q: Queue) => {
      await q.setGlobalConcurrency(1);
      await redis.lpush(q.keys.active!, 'running-elsewhere');
    }],
    ['not at its global concurrency', async (q: Queue) => q.setGlobalConcurrency(2)],
    // 60 adds write 120 events: past one stream node (100 entries), so the trim shows.
    ['with its own events length', async () => {}, 3],
  ] as const)('leaves what Queue.add leaves in a queue %s', async (name, setUp, eventsMaxLen?: number) => {
    const adds = eventsMaxLen ? 60 : 5;
    const [viaBull, viaGuard] = [intakeQueue(`bull-${name}`, eventsMaxLen), intakeQueue(`guard-${name}`, eventsMaxLen)];
    await Promise.all([viaBull.waitUntilReady(), viaGuard.waitUntilReady()]);
    await setUp(viaBull);
    await setUp(viaGuard);
    for (let i = 1; i <= adds; i++) {
      const id = `01J00000000000000000000${String(100 + i)}`;
      await viaBull.add('webform', complaintLike(id), { jobId: id });
      await guardedAdd(redis, viaGuard, id, 'webform', complaintLike(id), passes);
    }
    const [a, b] = [await queueState(viaBull), await queueState(viaGuard)];
    expect(b).toEqual(a);
    expect(b.jobIds.length + b.paused.length).toBe(adds);
    if (eventsMaxLen) expect(b.events.length).toBeLessThan(2 * adds);
  });

  it.each([
    ['in one script', true],
    ['as two calls', false],
  ])('returns the refusal of a guard that refuses, and adds nothing, %s', async (_name, oneScript) => {
    const q = intakeQueue(`refused-${oneScript}`);
    await q.waitUntilReady();
    const before = await queueState(q);
    expect(await guardedAdd(redis, q, '01J00000000000000000000003', 'webform', complaintLike('01J00000000000000000000003'), refuses, oneScript)).toEqual([7, 'no']);
    expect(await queueState(q)).toEqual(before);
    expect(await redis.exists(`${q.keys['']}01J00000000000000000000003`)).toBe(0);
  });

  it('adds a job a BullMQ worker processes like any other', async () => {
    const q = intakeQueue('worked');
    await guardedAdd(redis, q, '01J00000000000000000000004', 'radio', complaintLike('01J00000000000000000000004'), passes);
    const seen: Job[] = [];
    const worker = new Worker('intake', async (job) => void seen.push(job), { connection: createRedis(url, 'worker'), prefix: `${prefix}:worked` });
    try {
      await waitFor(() => seen.length === 1, { what: 'the worker to take the job' });
      expect(seen[0]).toMatchObject({ id: '01J00000000000000000000004', name: 'radio', data: complaintLike('01J00000000000000000000004') });
      await waitFor(async () => (await q.getJobState('01J00000000000000000000004')) === 'completed', { what: 'the job to complete' });
    } finally {
      await worker.close();
    }
  });
});
