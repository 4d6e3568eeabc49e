import type { Redis } from 'ioredis';
import { keyPages } from '@aduan/queue';

/** A job BullMQ still keeps on a contract queue (waiting, done or failed), with its data as stored. */
export interface RetainedJob {
  queue: string;
  jobId: string;
  /** The job's data, as JSON text. */
  raw: string;
}

/** The contract queues whose jobs may carry a citizen's data (`status`: an OPD's note may name them). */
const CONTRACT_QUEUE = '(intake|routed|triage|status|notify\\.whatsapp|notify\\.instagram|opd\\.[a-z0-9-]+)';
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Every retained job of the contract queues (only those whose data contains one of `needles`, when given), found by one
 * SCAN of the prefix's keys (never KEYS: it is allowed to the service user of a locked Redis, and
 * does not stop Redis). Jobs are read in pages of the SCAN's; BullMQ's own keys of a queue (meta,
 * events, wait...) are hashes without `data`, lists or sets, and are skipped. A job's id never
 * holds a colon (the queue contract), so `<prefix>:<queue>:<jobId>` is a job's hash.
 */
export async function* retainedJobs(redis: Redis, prefix: string, needles?: string[]): AsyncGenerator<RetainedJob> {
  const jobKey = new RegExp(`^${escapeRegExp(prefix)}:${CONTRACT_QUEUE}:([^:]+)$`);
  for await (const keys of keyPages(redis, prefix, '*')) {
    const jobs = keys.map((k) => jobKey.exec(k)).filter((m): m is RegExpExecArray => m !== null);
    if (jobs.length === 0) continue;
    const read = redis.pipeline();
    for (const m of jobs) read.hget(m[0], 'data');
    const values = (await read.exec()) ?? [];
    for (const [i, m] of jobs.entries()) {
      const [err, raw] = values[i] ?? [];
      if (!err && typeof raw === 'string' && (!needles || needles.some((n) => raw.includes(n)))) yield { queue: m[1]!, jobId: m[2]!, raw };
    }
  }
}
