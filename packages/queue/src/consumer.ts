import type { Job } from 'bullmq';
import { UnrecoverableError, Worker } from './bullmq.ts';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { specFor } from './names.ts';
import { isRedisRefusingWrites } from './connection.ts';

export interface ConsumerOptions<T extends z.ZodType> {
  /** A connection created with role 'worker' (`maxRetriesPerRequest: null`). */
  connection: Redis;
  prefix: string;
  queue: string;
  /** Defaults to the contract's schema for the queue. */
  schema?: T;
  concurrency?: number;
  /** BullMQ's rate limit: at most `max` jobs per `duration` ms, across every worker of the queue. */
  limiter?: { max: number; duration: number };
  /** `token` is the job's lock token, for `job.moveToDelayed(at, token)` (then throw DelayedError). */
  handler: (data: z.output<T>, job: Job, token?: string) => Promise<void>;
  /**
   * Hears the worker's errors, at most once per `ERROR_REPORT_MS` for the same message, with how
   * many were held back (`repeated`). A Redis that refuses writes (full) makes BullMQ's worker
   * fail and try again at once, thousands of times a second: each one logged filled the disk the
   * spool needs.
   */
  onError?: (err: Error, repeated: number) => void;
  /**
   * BullMQ's lock and stalled-check timing, in ms (defaults 30,000 each). Tests shorten them to
   * see a job cut off and taken again within seconds; services keep BullMQ's defaults.
   */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /**
   * Jobs reach the handler in the order the queue hands them out (see CountingWorker), at the
   * cost of one more round trip per job. For a handler that orders work by the order it sees
   * jobs in (the WhatsApp sender: a chat's notices).
   */
  inOrder?: boolean;
}

/**
 * How many times a job may be cut off half-way (its worker killed, or its lock lost while Redis
 * was away) and still be run again; the next time it fails ("job stalled more than allowable
 * limit"). BullMQ's default is 1, so a complaint whose routing was cut off by two Redis outages
 * (a flapping network, a restart during an outage) failed for good, and waited in the failed
 * set for an operator. Every Aduan consumer may run a job again (the router's publishes have
 * fixed jobIds; the senders record what they sent), and each cut-off runs it again once, as
 * BullMQ's default does: the limit is only there to stop a job that kills its process every
 * time (out of memory) from doing so forever.
 */
export const MAX_STALLS = 5;

/** How long a worker rests when Redis refuses writes before it tries again. */
export const WRITES_REFUSED_REST_MS = 2_000;

/** How often the same worker error is reported while it goes on. */
export const ERROR_REPORT_MS = 10_000;

/** Passes an error on the first time, then at most once per `everyMs` for the same message, with the count held back. */
export function throttledErrors(report: (err: Error, repeated: number) => void, everyMs = ERROR_REPORT_MS, now = Date.now): (err: Error) => void {
  const seen = new Map<string, { at: number; held: number }>();
  return (err) => {
    const t = now();
    const last = seen.get(err.message);
    if (last && t - last.at < everyMs) {
      last.held++;
      return;
    }
    if (seen.size > 100) seen.clear();
    seen.set(err.message, { at: t, held: 0 });
    report(err, last?.held ?? 0);
  };
}

/**
 * BullMQ's Worker, counting the jobs it holds: from the moment BullMQ starts on one (processJob,
 * which BullMQ 6.7's main loop calls for every job it runs, fetched alone or handed back by the
 * previous job's moveToFinished) until it has recorded how it ended (moved to completed, failed
 * or delayed). The handler's own end is too early a mark: its job is not done while that last
 * write waits for Redis. A job fetched but not started yet (queued in the main loop while it
 * fetches another) is not counted: none of its work is done, and a close without it leaves it to
 * the stalled-job check.
 */
class CountingWorker extends Worker {
  inFlight = 0;
  /**
   * No job fetches the next one as it finishes. BullMQ's worker takes jobs two ways: its main
   * loop, one fetch after another, and each finishing job, which asks for the next in the same
   * call that records its end (fetchNext). Two such fetches whose replies arrive together reach
   * the handler in the order their promise chains settle, which are of different lengths, not
   * in the order Redis handed the jobs out: of two jobs queued one after the other the later
   * could start first (consumer-order.int.test.ts: 1 to 9 in 1,500 jobs). With only the main
   * loop fetching, one job at a time, handlers start in the order the jobs were taken.
   */
  inOrder = false;

  override async processJob(...args: Parameters<Worker['processJob']>): ReturnType<Worker['processJob']> {
    this.inFlight++;
    try {
      const [job, token, fetchNext] = args;
      return await super.processJob(job, token, this.inOrder ? () => false : fetchNext);
    } finally {
      this.inFlight--;
    }
  }
}

/**
 * How many jobs a worker made by createConsumer holds now (see CountingWorker); undefined for any
 * other Worker. Shutdown reads it (closeWorker): with Redis away, a worker holding no job has
 * nothing to wait for.
 */
export function jobsInFlight(worker: Worker): number | undefined {
  return worker instanceof CountingWorker ? worker.inFlight : undefined;
}

/**
 * Typed consumer for a contract queue. Job data is validated before the handler runs; data
 * that does not match the contract fails at once without retries (UnrecoverableError) and
 * stays in the failed set for inspection.
 */
export function createConsumer<T extends z.ZodType>(opts: ConsumerOptions<T>): Worker {
  const schema = (opts.schema ?? specFor(opts.queue).schema) as T;
  const worker = new CountingWorker(
    opts.queue,
    async (job, token) => {
      const parsed = schema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`job ${job.id} does not match the ${opts.queue} contract: ${parsed.error.issues[0]?.message}`);
      await opts.handler(parsed.data, job, token);
    },
    {
      connection: opts.connection,
      prefix: opts.prefix,
      concurrency: opts.concurrency ?? 8,
      maxStalledCount: MAX_STALLS,
      ...(opts.limiter ? { limiter: opts.limiter } : {}),
      ...(opts.lockDurationMs ? { lockDuration: opts.lockDurationMs } : {}),
      ...(opts.stalledIntervalMs ? { stalledInterval: opts.stalledIntervalMs } : {}),
      autorun: true,
    },
  );
  worker.inOrder = opts.inOrder === true;
  const report: (err: Error) => void = opts.onError ? throttledErrors(opts.onError) : () => {};
  // A Redis that refuses writes (full at maxmemory, a read-only replica) fails every fetch of
  // a job, and BullMQ's worker tries again at once: a core spent, for nothing, until it has
  // room. The worker rests instead, and tries again every WRITES_REFUSED_REST_MS.
  let resting: NodeJS.Timeout | undefined;
  worker.on('error', (err) => {
    report(err);
    if (resting || !isRedisRefusingWrites(err) || worker.closing) return;
    void worker.pause(true).catch(() => {});
    resting = setTimeout(() => {
      resting = undefined;
      if (!worker.closing) worker.resume();
    }, WRITES_REFUSED_REST_MS);
  });
  worker.on('closing', () => clearTimeout(resting));
  return worker;
}
