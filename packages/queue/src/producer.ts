import { Queue } from './bullmq.ts';
import type { Redis } from 'ioredis';
import type { Logger } from '@aduan/telemetry';
import { defaultJobOptions, jobOrder, specFor } from './names.ts';
import { closeWithin } from './close-within.ts';
import { isRedisRefusingWrites, isRedisUnavailable, sendWritesNow } from './connection.ts';
import { guardedAdd, type AddGuard } from './guarded-add.ts';
import { Spool, SpoolWriteError, type SpoolRecord } from './spool.ts';
import { TickBatcher, settle, type Settled } from './tick-batcher.ts';

/** Spooled jobs re-added at once while draining. */
const DRAIN_BATCH = 200;

/** Other Redis refusals that pass: loading, busy, failing over, or refusing this user. */
const PASSING_REFUSAL = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|NOPERM|NOAUTH|WRONGPASS)\b/;

function isRetryable(err: unknown): boolean {
  return isRedisUnavailable(err) || isRedisRefusingWrites(err) || (err instanceof Error && (PASSING_REFUSAL.test(err.message) || /did not answer within/.test(err.message)));
}

/** Redis is unreachable and there is no spool to fall back on: answer 503 with Retry-After. */
export class QueueUnavailableError extends Error {
  readonly code = 'ADUAN_ERR_QUEUE_UNAVAILABLE';
  readonly retryAfterSeconds = 10;
  constructor(cause?: unknown) {
    super('the queue is unavailable; try again shortly', { cause });
    this.name = 'QueueUnavailableError';
  }
}

/** Job data did not match the queue contract: a programming error, never retried. */
export class ContractViolationError extends Error {
  readonly code = 'ADUAN_ERR_CONTRACT';
  constructor(queue: string, detail: string) {
    super(`job data for "${queue}" does not match the queue contract: ${detail}`);
    this.name = 'ContractViolationError';
  }
}

export interface ProducerOptions {
  /** A connection created with role 'producer' (no offline queue). */
  connection: Redis;
  prefix: string;
  /** Without a spool, an unreachable Redis is an error (503); with one, the job is kept on disk. */
  spool?: Spool;
  /** How long to wait for Redis before spooling. */
  addTimeoutMs?: number;
  logger: Logger;
  /** Drain the spool this often while it holds records. */
  drainIntervalMs?: number;
}

interface PendingJob {
  name: string;
  data: unknown;
  jobId: string;
  guard?: AddGuard;
}

/** What a guarded add's Redis call came to: added (undefined), or the guard's refusal. */
type GuardReply = unknown[] | undefined;

export interface AddResult {
  /** 'queued': in Redis. 'spooled': on local disk, fsync'd, to be re-added when Redis returns. */
  outcome: 'queued' | 'spooled';
}

/**
 * Adds jobs with deterministic ids. Validates against the contract, tries Redis with a
 * timeout, and falls back to the durable spool, which a background loop drains with the
 * SAME jobIds once Redis answers again (so a job that did reach Redis is not duplicated).
 */
export class DurableProducer {
  private readonly queues = new Map<string, Queue>();
  private readonly batchers = new Map<string, TickBatcher<PendingJob, GuardReply>>();
  private drainTimer: NodeJS.Timeout | undefined;
  private draining: Promise<number> | undefined;
  /** Bumped on every spooled job; a drain that started at this count has drained them all. */
  private spooled = 1;
  private drainedUpTo = 0;
  private closed = false;
  /** The payload this turn last checked, and what the check gave (see validate). */
  private lastChecked: { data: unknown; schema: unknown; valid: unknown } | undefined;

  private readonly opts: ProducerOptions;

  constructor(opts: ProducerOptions) {
    this.opts = opts;
    if (opts.spool) {
      this.drainTimer = setInterval(() => void this.drain().catch(() => {}), opts.drainIntervalMs ?? 1_000);
      this.drainTimer.unref();
    }
  }

  /**
   * Whether jobs this process spooled (or found spooled at start) may still wait on disk: true
   * until a drain has taken every one. A complaint missing from Redis meanwhile may be one of
   * them, so "not found" would be premature (status look-ups answer 503 instead).
   */
  get mayHoldSpooled(): boolean {
    return this.opts.spool !== undefined && this.drainedUpTo !== this.spooled;
  }

  queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.opts.connection, prefix: this.opts.prefix, defaultJobOptions: defaultJobOptions(name) });
      q.on('error', (err) => this.opts.logger.warn({ queue: name, err: err.message }, 'queue error'));
      this.queues.set(name, q);
    }
    return q;
  }

  /**
   * Checks job data against its queue's contract. The same object added to a second queue of
   * the same contract in the same synchronous stretch (the router's `routed` feed and
   * `opd.<code>` job) is checked once: a check costs ~27 µs in place. The memory ends at the
   * next microtask, so an object changed across an await is checked again.
   */
  validate(queueName: string, data: unknown): unknown {
    const { schema } = specFor(queueName);
    const last = this.lastChecked;
    if (last && last.data === data && last.schema === schema) return last.valid;
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw new ContractViolationError(queueName, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    if (!last) queueMicrotask(() => (this.lastChecked = undefined));
    this.lastChecked = { data, schema, valid: parsed.data };
    return parsed.data;
  }

  /** `opts.name` is the BullMQ job name (default: the queue name); intake jobs carry their channel. */
  async add(queueName: string, jobId: string, data: unknown, opts: { name?: string } = {}): Promise<AddResult> {
    const result = await this.addChecked(queueName, jobId, data, opts.name);
    if (result.outcome === 'refused') throw new Error('unreachable: refused without a guard');
    return result;
  }

  /**
   * Like add(), with a guard run first in the same Redis script (see guarded-add.ts): when the
   * guard refuses, nothing is written and its refusal is returned. When Redis is unreachable
   * the job is spooled as add() would, and the guard has not run (the caller decides what that
   * means; for a complaint, the router records its status when it routes it).
   */
  async addGuarded(queueName: string, jobId: string, data: unknown, opts: { name?: string; guard: AddGuard }): Promise<AddResult | { outcome: 'refused'; refusal: unknown[] }> {
    return this.addChecked(queueName, jobId, data, opts.name, opts.guard);
  }

  private async addChecked(queueName: string, jobId: string, data: unknown, name: string | undefined, guard?: AddGuard): Promise<AddResult | { outcome: 'refused'; refusal: unknown[] }> {
    // BullMQ refuses most custom ids containing ':' (its key separator); say so before spooling one.
    if (jobId.includes(':')) throw new ContractViolationError(queueName, `jobId "${jobId}" must not contain ':'`);
    // Nor an id that reads as an integer (BullMQ's own numbering).
    if (`${Number.parseInt(jobId, 10)}` === jobId) throw new ContractViolationError(queueName, `jobId "${jobId}" must not be an integer`);
    const valid = this.validate(queueName, data);
    try {
      const refusal = await this.addToRedis(queueName, jobId, valid, name, guard);
      return refusal ? { outcome: 'refused', refusal } : { outcome: 'queued' };
    } catch (err) {
      if (!this.opts.spool) throw new QueueUnavailableError(err);
      try {
        await this.opts.spool.append({ queue: queueName, jobId, ...(name ? { name } : {}), data: valid, spooledAt: new Date().toISOString(), ...(guard ? { guard } : {}) });
      } catch (spoolErr) {
        // The operator must hear of this one: a full disk, or a spool directory in use by another process.
        this.opts.logger.error({ queue: queueName, jobId, err: (err as Error).message, spool: (spoolErr as Error).message }, 'redis did not take the job and the spool could not keep it: refused (503)');
        throw new QueueUnavailableError(spoolErr instanceof SpoolWriteError ? spoolErr : err);
      }
      this.spooled++;
      // Unreachable, or refusing writes (OOM at maxmemory, a read-only replica): `err` says which.
      this.opts.logger.warn({ queue: queueName, jobId, err: (err as Error).message }, 'redis did not take the job: spooled to disk');
      return { outcome: 'spooled' };
    }
  }

  /**
   * The jobs added to one queue in the same event-loop turn are issued together, so they go to
   * Redis in one socket write (a createRedis connection coalesces a turn's writes). (BullMQ's
   * addBulk builds an ioredis pipeline, which copies every script command onto it: dearer than
   * the writes it saves.) Each job keeps its own outcome and the batch one deadline.
   */
  private addToRedis(queueName: string, jobId: string, data: unknown, name = queueName, guard?: AddGuard): Promise<GuardReply> {
    let batcher = this.batchers.get(queueName);
    if (!batcher) {
      batcher = new TickBatcher((jobs) => this.addBatch(queueName, jobs));
      this.batchers.set(queueName, batcher);
    }
    return batcher.run(guard ? { name, data, jobId, guard } : { name, data, jobId });
  }

  private async addBatch(queueName: string, jobs: PendingJob[]): Promise<Settled<GuardReply>[]> {
    const queue = this.queue(queueName);
    // One deadline for the batch: its jobs were written together.
    const timeoutMs = this.opts.addTimeoutMs ?? 2_000;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`redis did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      // The place (priority, or the head of the line) follows from the job's data, so a spooled job drains with it too.
      const replies = jobs.map((j) => settle(Promise.race([guardedAdd(this.opts.connection, queue, j.jobId, j.name, j.data, j.guard, undefined, jobOrder(queueName, j.data)), deadline])));
      // Each add issues its script synchronously, so the batch is complete here: send it now
      // rather than a loop iteration later (this flush runs in a setImmediate). (Where adds
      // fall back to Queue.add, they go through BullMQ's own awaits first and leave with the
      // connection's next turn.)
      sendWritesNow(this.opts.connection);
      return await Promise.all(replies);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Re-adds every spooled job; returns how many were re-added. Safe to call at any time. Files
   * are read a line at a time and added DRAIN_BATCH jobs at once, so a long outage's spool
   * drains in bounded memory. A job spooled with a guard is added with it (a complaint's status
   * record and Idempotency-Key claim are written then); a guard that refuses (the key was
   * claimed meanwhile by another replica's copy, the ticket taken) does not lose the complaint:
   * it is added without the guard, as it was acknowledged, and the router records its status.
   */
  async drain(): Promise<number> {
    const spool = this.opts.spool;
    // Nothing to gain from rotating files while Redis is still away.
    if (!spool || this.closed || this.drainedUpTo === this.spooled || this.opts.connection.status !== 'ready') return 0;
    this.draining ??= (async () => {
      let n = 0;
      let setAside = 0;
      try {
        const upTo = this.spooled;
        const files = await spool.rotate();
        for (const file of files) {
          // Every re-add's failure is caught where it is made (one left waiting while the file is
          // read would be an unhandled rejection, and end the process); the first stops the drain.
          let failed: { err: unknown } | undefined;
          let batch: Promise<void>[] = [];
          for await (const rec of Spool.records(file, (line) => this.opts.logger.error({ file, bytes: line.length }, 'spool line is no job record: skipped (kept in the log only by size)'))) {
            batch.push(
              this.readd(spool, rec).then(
                (added) => void (added ? n++ : setAside++),
                (err: unknown) => void (failed ??= { err }),
              ),
            );
            if (batch.length >= DRAIN_BATCH) {
              await Promise.all(batch);
              batch = [];
              if (failed) break;
            }
          }
          await Promise.all(batch);
          if (failed) throw failed.err;
          await Spool.remove(file);
        }
        // A job spooled while this drain ran (after its rotation) waits for the next one.
        this.drainedUpTo = upTo;
        return n;
      } finally {
        // Said for a pass that stopped part-way too: what it added and set aside is done.
        if (n > 0 || setAside > 0) this.opts.logger.info({ drained: n, ...(setAside ? { quarantined: setAside } : {}) }, 'spool drained into redis');
        this.draining = undefined;
      }
    })();
    return this.draining;
  }

  /**
   * Re-adds one spooled job (true), or sets it aside (false). Redis away, full or read-only (or refusing this user) fails the
   * drain, to be tried again. Any other error is this record's own (a queue no contract names,
   * a script error): it would fail every drain and hold back every file after it, so the record
   * is set aside in the spool directory's quarantine file, logged, and the drain goes on.
   */
  private async readd(spool: Spool, rec: SpoolRecord): Promise<boolean> {
    try {
      if (!rec.guard) {
        await this.addToRedis(rec.queue, rec.jobId, rec.data, rec.name);
        return true;
      }
      const refusal = await this.addToRedis(rec.queue, rec.jobId, rec.data, rec.name, rec.guard);
      if (!refusal) return true;
      this.opts.logger.warn({ queue: rec.queue, jobId: rec.jobId, refusal: String(refusal[0]) }, 'spooled job refused by its guard on drain: added without it');
      await this.addToRedis(rec.queue, rec.jobId, rec.data, rec.name);
      return true;
    } catch (err) {
      if (isRetryable(err) || this.opts.connection.status !== 'ready') throw err;
      const file = await spool.quarantine(rec);
      this.opts.logger.error({ queue: rec.queue, jobId: rec.jobId, err: (err as Error).message, file }, 'spooled job cannot be added: set aside in the quarantine file (see docs/operations.md)');
      return false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.drainTimer);
    await this.draining?.catch(() => 0);
    await this.opts.spool?.close();
    await Promise.all([...this.queues.values()].map((q) => closeWithin(q)));
  }
}
