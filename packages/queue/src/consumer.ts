import type { Job } from 'bullmq';
import { UnrecoverableError, Worker } from './bullmq.ts';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { specFor } from './names.ts';

export interface ConsumerOptions<T extends z.ZodType> {
  /** A connection created with role 'worker' (`maxRetriesPerRequest: null`). */
  connection: Redis;
  prefix: string;
  queue: string;
  /** Defaults to the contract's schema for the queue. */
  schema?: T;
  concurrency?: number;
  /** `token` is the job's lock token, for `job.moveToDelayed(at, token)` (then throw DelayedError). */
  handler: (data: z.output<T>, job: Job, token?: string) => Promise<void>;
  onError?: (err: Error) => void;
}

/**
 * Typed consumer for a contract queue. Job data is validated before the handler runs; data
 * that does not match the contract fails at once without retries (UnrecoverableError) and
 * stays in the failed set for inspection.
 */
export function createConsumer<T extends z.ZodType>(opts: ConsumerOptions<T>): Worker {
  const schema = (opts.schema ?? specFor(opts.queue).schema) as T;
  const worker = new Worker(
    opts.queue,
    async (job, token) => {
      const parsed = schema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`job ${job.id} does not match the ${opts.queue} contract: ${parsed.error.issues[0]?.message}`);
      await opts.handler(parsed.data, job, token);
    },
    { connection: opts.connection, prefix: opts.prefix, concurrency: opts.concurrency ?? 8, autorun: true },
  );
  worker.on('error', opts.onError ?? (() => {}));
  return worker;
}
