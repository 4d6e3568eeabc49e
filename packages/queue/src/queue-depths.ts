import type { Redis } from 'ioredis';

export interface QueueDepth {
  queue: string;
  /** Waiting to be taken: BullMQ's `wait` and `paused` lists and `prioritized` set. */
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  /**
   * How long the oldest waiting job has waited, in seconds; 0 when none waits. Of a queue with
   * prioritized jobs (notify.whatsapp), the older of the `wait` list's oldest and the next
   * prioritized job (the best rank's oldest): a prioritized notice stuck behind nothing shows.
   */
  oldestWaitingSeconds: number;
}

/**
 * How many jobs each queue holds, by state, and how long its oldest waiting job has waited,
 * read from BullMQ's own keys in two pipelined round trips whatever the number of queues: for
 * a metrics scrape, not for a hot path. New jobs are pushed at the head of `wait` and workers
 * take from its tail, so the tail is the oldest; but an urgent notice (`lifo`, see jobOrder) is
 * pushed onto the tail, in front of it. So the oldest of the tail's WAIT_TAIL jobs is read: the
 * oldest waiting job still shows while up to WAIT_TAIL - 1 urgent ones wait (no worker running).
 */
const WAIT_TAIL = 4;

export async function queueDepths(redis: Redis, prefix: string, queues: readonly string[], now = Date.now()): Promise<QueueDepth[]> {
  const counts = redis.pipeline();
  for (const q of queues) {
    const key = `${prefix}:${q}`;
    counts.llen(`${key}:wait`).llen(`${key}:paused`).zcard(`${key}:prioritized`).llen(`${key}:active`).zcard(`${key}:delayed`).zcard(`${key}:failed`).lrange(`${key}:wait`, -WAIT_TAIL, -1).zrange(`${key}:prioritized`, '0', '0');
  }
  const replies = (await counts.exec()) ?? [];
  const value = (i: number) => {
    const [err, v] = replies[i] ?? [new Error('no reply'), null];
    if (err) throw err;
    return v;
  };
  const depths = queues.map((queue, n) => {
    const at = n * 8;
    const oldestIds = [...((value(at + 6) as string[] | null) ?? []), ((value(at + 7) as string[] | null) ?? [])[0] ?? null].filter((id): id is string => id !== null);
    return {
      depth: { queue, waiting: Number(value(at)) + Number(value(at + 1)) + Number(value(at + 2)), active: Number(value(at + 3)), delayed: Number(value(at + 4)), failed: Number(value(at + 5)), oldestWaitingSeconds: 0 },
      oldestIds,
    };
  });
  const withOldest = depths.flatMap((d) => d.oldestIds.map((id) => ({ depth: d.depth, id })));
  if (withOldest.length > 0) {
    const stamps = redis.pipeline();
    for (const d of withOldest) stamps.hget(`${prefix}:${d.depth.queue}:${d.id}`, 'timestamp');
    const times = (await stamps.exec()) ?? [];
    withOldest.forEach((d, i) => {
      const ts = Number(times[i]?.[1]);
      if (Number.isFinite(ts) && ts > 0) d.depth.oldestWaitingSeconds = Math.max(d.depth.oldestWaitingSeconds, (now - ts) / 1000);
    });
  }
  return depths.map((d) => d.depth);
}

/**
 * The ids of the jobs of each queue that failed for good at `sinceMs` or later, by queue: BullMQ
 * scores its failed set by the time a job failed, so this reads only the last ones (a range of
 * the set, in one pipelined round trip), however many the set keeps (30 days of them for notify.*).
 */
export async function failedSince(redis: Redis, prefix: string, queues: readonly string[], sinceMs: number): Promise<Map<string, string[]>> {
  const ranges = redis.pipeline();
  for (const q of queues) ranges.zrangebyscore(`${prefix}:${q}:failed`, sinceMs, '+inf');
  const replies = (await ranges.exec()) ?? [];
  return new Map(
    queues.map((q, i) => {
      const [err, ids] = replies[i] ?? [new Error('no reply'), null];
      if (err) throw err;
      return [q, ids as string[]];
    }),
  );
}
