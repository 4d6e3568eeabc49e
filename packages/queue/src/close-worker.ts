import type { Worker } from 'bullmq';
import type { Logger } from '@aduan/telemetry';
import { settlesWithin } from './close-within.ts';
import { jobsInFlight } from './consumer.ts';

/** How often closeWorker looks again whether Redis is back for the jobs in flight. */
const RECHECK_MS = 50;

export interface WorkerClosed {
  /** Every job in flight finished, and BullMQ closed the worker as usual. */
  graceful: boolean;
  /**
   * Jobs still running when the worker stopped without them (`graceful: false`); undefined when
   * unknown (a Worker not made by createConsumer). Each stays active in Redis, under its lock,
   * and BullMQ's stalled-job check gives it to a worker again once the lock expires.
   */
  left?: number;
}

/**
 * Closes a BullMQ Worker on shutdown without hanging on an unreachable Redis.
 *
 * BullMQ's graceful `close()` first disconnects the worker's blocking connection and waits for
 * it to end. ioredis never ends a connection that is waiting to reconnect (status
 * `reconnecting`): `disconnect()` then only cancels the reconnect, and the connection stays
 * `reconnecting` for good (BullMQ issue #4656, still open; 6.7.0 has it). Both of a worker's
 * connections are in that state while Redis is down and, for up to 5 s (createRedis's back-off),
 * after it is back from a restart: `close()` then never resolves, not even once Redis answers.
 *
 * So the graceful close starts only while both connections are ready, in the same turn of the
 * event loop as that check (neither can drop in between). Until they are, it waits for Redis to
 * come back, for at most `graceMs`, and only while the worker holds jobs (they cannot finish
 * without Redis); holding none, or once the time is up, it closes with BullMQ's `close(true)`,
 * which waits neither for jobs nor for the connection to end. A graceful close that has not
 * ended by then either (Redis gone midway, or not answering) is given up. A job left so is not
 * lost: it stays active in Redis under its lock, and BullMQ's stalled-job check hands it out
 * again once the lock has expired (so a handler must be idempotent, as Aduan's are).
 */
export async function closeWorker(worker: Worker, opts: { graceMs: number }): Promise<WorkerClosed> {
  const deadline = Date.now() + opts.graceMs;
  const running = () => jobsInFlight(worker);
  for (;;) {
    if (await connectionsReady(worker)) {
      if (await settlesWithin(worker.close(), deadline - Date.now())) return { graceful: true };
      return { graceful: false, ...leftCount(running()) };
    }
    const jobs = running();
    if (jobs === 0 || Date.now() >= deadline) {
      await worker.close(true);
      return { graceful: false, ...leftCount(jobs) };
    }
    await new Promise((resolve) => setTimeout(resolve, RECHECK_MS));
  }
}

const leftCount = (jobs: number | undefined) => (jobs === undefined ? {} : { left: jobs });

/**
 * Whether the worker's command connection and its blocking one are both ready now. A connection
 * BullMQ has not finished setting up (Redis away since the start) is not: its promise is still
 * pending, and is not waited for.
 */
async function connectionsReady(worker: Worker): Promise<boolean> {
  const backend = worker.getBackend();
  const clients = Promise.all([backend.client, backend.blockingClient]);
  const now = await Promise.race([clients, new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined)))]).catch(() => undefined);
  return now !== undefined && now.every((client) => client === undefined || client.status === 'ready');
}

/**
 * Says, on shutdown, how a worker closed that could not close as usual (Redis unreachable): a
 * warning when it left jobs in flight behind (they run again once Redis is back), else a line
 * that it did not wait. Nothing when it closed gracefully. The services' READMEs quote both lines.
 */
export function logWorkerClosed(logger: Logger, queue: string, closed: WorkerClosed, graceMs: number): void {
  if (closed.graceful) return;
  if (closed.left) logger.warn({ queue, jobs: closed.left, graceMs }, 'redis unreachable at shutdown: jobs in flight left to be run again once Redis is back');
  else logger.info({ queue }, 'redis unreachable at shutdown: worker closed without waiting for it (no job in flight)');
}
