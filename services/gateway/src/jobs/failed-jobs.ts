import type { Redis } from 'ioredis';
import type { Job } from 'bullmq';
import { Queue } from '@aduan/queue';

export interface FailedJob {
  id: string;
  /** The complaint's ticket, when the job names one. */
  ticket?: string | undefined;
  attemptsMade: number;
  /** When it failed (ms since the epoch). */
  failedAt?: number | undefined;
  /** Why, on one line, with numbers and e-mail addresses masked. */
  reason: string;
}

/**
 * A failure reason as an operator's terminal may show it. Reasons are error messages, most of
 * them Aduan's or BullMQ's own, but a channel's library may name the citizen's address in its
 * error (a WhatsApp JID, an e-mail): any run of 7 digits or more, and any e-mail address, is
 * masked. Cut to one line of at most 200 characters.
 */
export function maskedReason(reason: string | undefined): string {
  const line = (reason ?? '').replace(/\s+/g, ' ').trim();
  const masked = line.replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '[e-mail]').replace(/\+?\d(?:[\d -]{5,}\d)/g, (m) => (m.replace(/\D/g, '').length >= 7 ? '[number]' : m));
  return masked.length > 200 ? `${masked.slice(0, 199)}…` : masked || '(no reason recorded)';
}

const ticketOf = (data: unknown): string | undefined => {
  const t = (data as { ticket?: unknown } | null)?.ticket;
  return typeof t === 'string' ? t : undefined;
};

/** What an operator may see of a failed job: never its data beyond the ticket. */
const described = (job: Job): FailedJob => ({ id: job.id ?? '', ticket: ticketOf(job.data), attemptsMade: job.attemptsMade, failedAt: job.finishedOn, reason: maskedReason(job.failedReason) });

/** BullMQ's queue object for one contract queue, on the caller's connection. */
const bullQueue = (redis: Redis, prefix: string, name: string) => new Queue(name, { connection: redis, prefix });

export interface FailedCount {
  queue: string;
  failed: number;
  /** When the newest failed job failed (ms since the epoch). */
  newestAt?: number | undefined;
}

/** How many failed jobs each queue holds, and when its newest one failed: one pipelined round trip. */
export async function failedCounts(redis: Redis, prefix: string, queues: readonly string[]): Promise<FailedCount[]> {
  const p = redis.pipeline();
  // BullMQ's failed set is scored by the time each job failed.
  for (const q of queues) p.zcard(`${prefix}:${q}:failed`).zrange(`${prefix}:${q}:failed`, '-1', '-1', 'WITHSCORES');
  const replies = (await p.exec()) ?? [];
  const value = (i: number) => {
    const [err, v] = replies[i] ?? [new Error('no reply'), null];
    if (err) throw err;
    return v;
  };
  return queues.map((queue, i) => {
    const score = (value(2 * i + 1) as string[])[1];
    return { queue, failed: Number(value(2 * i)), newestAt: score === undefined ? undefined : Number(score) };
  });
}

/** The newest `limit` failed jobs of a queue, newest first, and how many there are in all. */
export async function listFailed(redis: Redis, prefix: string, queue: string, limit: number): Promise<{ total: number; jobs: FailedJob[] }> {
  const q = bullQueue(redis, prefix, queue);
  try {
    const [total, jobs] = await Promise.all([q.getFailedCount(), q.getFailed(0, limit - 1)]);
    return { total, jobs: jobs.filter((j): j is Job => Boolean(j)).map(described) };
  } finally {
    await q.close();
  }
}

export interface RetryResult {
  /** The failed jobs that were (or, in a dry run, would be) run again. */
  jobs: FailedJob[];
  /** Ids asked for that are not in the queue's failed set (unknown, or not failed). */
  notFailed: string[];
}

/**
 * Puts failed jobs back to be run again with their full attempts: the ones named by `ids`, or
 * every failed job of the queue. With `apply` false, only says which. A job's stall count is
 * reset with its attempts: a complaint that failed because outages cut it off too often
 * (consumer.ts, MAX_STALLS) must not fail at its next cut-off.
 */
export async function retryFailed(redis: Redis, prefix: string, queue: string, opts: { ids?: string[]; apply: boolean }): Promise<RetryResult> {
  const q = bullQueue(redis, prefix, queue);
  try {
    const jobs: Job[] = [];
    const notFailed: string[] = [];
    if (opts.ids) {
      for (const id of opts.ids) {
        const job = await q.getJob(id);
        if (job && (await job.isFailed())) jobs.push(job);
        else notFailed.push(id);
      }
    } else {
      // Every failed job, read in one batch.
      jobs.push(...(await q.getFailed(0, -1)).filter((j): j is Job => Boolean(j)));
    }
    const result = { jobs: jobs.map(described), notFailed };
    if (opts.apply) {
      for (const job of jobs) {
        // `stc` is BullMQ's stalled counter (moveStalledJobsToWait); its retry keeps it.
        await redis.hdel(`${prefix}:${queue}:${job.id}`, 'stc');
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      }
    }
    return result;
  } finally {
    await q.close();
  }
}
