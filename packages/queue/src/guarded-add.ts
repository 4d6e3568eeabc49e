import type { Queue } from 'bullmq';
import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import type * as Msgpackr from 'msgpackr';
import { addStandardJob } from 'bullmq/dist/cjs/scripts/addStandardJob-9.js';
import { version as bullmqVersion } from 'bullmq/dist/cjs/version.js';
import { LuaScript } from './lua.ts';

/**
 * A guard: Lua run in the same script as a BullMQ add, before it. It reads its keys and
 * arguments as KEYS[GK + i] and ARGV[GA + i] (GK and GA are set by the script around it). To
 * refuse, it sets the variable `refused` to a table: the script returns it, and the job is not
 * added. It must write nothing when it refuses.
 */
export interface AddGuard {
  lua: string;
  keys: string[];
  args: (string | number)[];
}

/**
 * The BullMQ versions whose addStandardJob script and argument layout were checked against
 * `Queue.add` (guarded-add.int.test.ts compares the Redis state both leave). With any other
 * version, guarded adds run as two calls: the guard alone, then `Queue.add`.
 */
const VERIFIED_BULLMQ = new Set(['6.7.0']);

export const guardedAddInOneScript = VERIFIED_BULLMQ.has(bullmqVersion) && addStandardJob.keys === 9 && !addStandardJob.content.startsWith('#!');

// msgpackr's CommonJS build, the one BullMQ loads: an ESM import would load its ESM build, a
// second copy of the library in memory.
const { Packr } = createRequire(import.meta.url)('msgpackr') as typeof Msgpackr;
// BullMQ's own packer settings (redis-queue-backend.js): the script unpacks what this packs.
const packer = new Packr({ useRecords: false, encodeUndefinedAsNil: true });

/**
 * A guard's Lua with what it expects around it: GK and GA (its first key's and argument's
 * index, minus one) and `refused`. The caller appends what runs after it.
 */
export const withGuard = (lua: string, keyBase: number, argBase: number) => `local GK, GA = ${keyBase}, ${argBase}\nlocal refused\n${lua}\n`;

/** The scripts made for each guard's Lua, keyed by that (short, constant) text: built once, not per call. */
const scripts = new Map<string, { standalone: LuaScript; withAdd: LuaScript }>();
function scriptsFor(guard: AddGuard): { standalone: LuaScript; withAdd: LuaScript } {
  let s = scripts.get(guard.lua);
  if (!s) {
    s = {
      // The guard on its own (the two-call fallback): returns `refused`, or 0.
      standalone: new LuaScript(`${withGuard(guard.lua, 0, 0)}if refused then return refused end\nreturn 0\n`),
      // The guard, then BullMQ's addStandardJob: returns `refused`, or the job id.
      withAdd: new LuaScript(`${withGuard(guard.lua, 9, 3)}if refused then return refused end\n${addStandardJob.content}`),
    };
    scripts.set(guard.lua, s);
  }
  return s;
}

/** The job options guardedAdd reproduces; a queue with any other default option adds in two calls. */
const PLAIN_OPTIONS = new Set(['attempts', 'backoff', 'removeOnComplete', 'removeOnFail']);

interface QueueCall {
  keys: string[];
  prefix: string;
  /** The queue's default job options, in the key order Job's constructor leaves them (attempts first). */
  opts: Record<string, unknown>;
}

const queueCalls = new WeakMap<Queue, QueueCall | null>();
function queueCall(queue: Queue): QueueCall | null {
  let call = queueCalls.get(queue);
  if (call === undefined) {
    const k = queue.keys;
    const defaults = queue.defaultJobOptions as Record<string, unknown>;
    const plain = Object.keys(defaults).every((o) => PLAIN_OPTIONS.has(o) && defaults[o] !== undefined);
    // Job's constructor turns a numeric backoff into a fixed one.
    const backoff = typeof defaults.backoff === 'number' ? { backoff: { type: 'fixed', delay: defaults.backoff } } : {};
    call = plain ? { keys: [k.wait, k.paused, k.meta, k.id, k.completed, k.delayed, k.active, k.events, k.marker] as string[], prefix: k[''] as string, opts: { attempts: 0, ...defaults, ...backoff } } : null;
    queueCalls.set(queue, call);
  }
  return call;
}

/** Whether guarded adds to `queue` take the one-script path (else: the guard, then `Queue.add`). */
export const addsInOneScript = (queue: Queue): boolean => guardedAddInOneScript && queueCall(queue) !== null;

/**
 * Runs `guard` and adds the job (`queue.add(name, data, { jobId })`) in one Redis script,
 * atomically: either the guard refused and nothing was written, or both its writes and the job
 * are in Redis. The add is BullMQ's own addStandardJob script, called with the keys, packed
 * arguments and options `Queue.add` would send, so the stored job is the same; only plain jobs
 * (no delay, priority, parent or deduplication; the Aduan queues use none). `redis` is the
 * queue's connection. Resolves to the guard's refusal (its Lua table, as an array), or
 * undefined once the job is added.
 */
export async function guardedAdd(redis: Redis, queue: Queue, jobId: string, name: string, data: unknown, guard: AddGuard, inOneScript = guardedAddInOneScript): Promise<unknown[] | undefined> {
  const call = inOneScript ? queueCall(queue) : null;
  if (!call) {
    const refused = await scriptsFor(guard).standalone.run(redis, guard.keys, guard.args);
    if (Array.isArray(refused)) return refused;
    await queue.add(name, data, { jobId });
    return undefined;
  }
  const args = [call.prefix, jobId, name, Date.now(), null, null, undefined, undefined, null, null];
  const opts = { ...call.opts, jobId };
  const reply = await scriptsFor(guard).withAdd.run(redis, [...call.keys, ...guard.keys], [packer.pack(args), JSON.stringify(data), packer.pack(opts), ...guard.args]);
  if (Array.isArray(reply)) return reply;
  if (typeof reply === 'number' && reply < 0) throw new Error(`BullMQ addStandardJob failed with code ${reply}`);
  return undefined;
}
