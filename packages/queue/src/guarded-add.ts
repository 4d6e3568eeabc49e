import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { version as bullmqVersion } from 'bullmq/dist/cjs/version.js';
import { LuaScript } from './lua.ts';
import type { JobOrder } from './names.ts';

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
 * The BullMQ versions whose plain add PLAIN_ADD_LUA reproduces: guarded-add.int.test.ts adds
 * the same jobs with it and with `Queue.add` and compares everything BullMQ keeps. With any
 * other version, every add goes through `Queue.add`, after its guard (if any) ran alone.
 */
const VERIFIED_BULLMQ = new Set(['6.7.0']);

export const guardedAddInOneScript = VERIFIED_BULLMQ.has(bullmqVersion);

/**
 * What BullMQ 6.7.0's addStandardJob script writes for a plain job (a given id; no delay,
 * priority, parent, deduplication or LIFO), write for write, in the same order: the counter,
 * the events stream's length (when unset), the job hash, "added", the wait list and its marker
 * (none while the queue is paused or at its global concurrency), "waiting"; or, for an id
 * already queued, a "duplicated" event.
 * BullMQ's own script also carries every other kind of add: it unpacks msgpack, encodes the
 * options with cjson and defines ~25 Lua functions on every call. Redis spent ~12 µs less per
 * add on this one (docs/performance.md, session 11), and Redis is the one process every Aduan
 * service shares. The options arrive as the JSON BullMQ would store (`Job.opts` is parsed back
 * from it, so key order does not matter).
 * KEYS: wait, meta, id, active, events, marker. ARGV: key prefix, job id, name, timestamp,
 * data (JSON), options (JSON). Returns the job id.
 */
const PLAIN_ADD_LUA = `local rcall = redis.call
local jobId = ARGV[2]
local jobKey = ARGV[1] .. jobId
rcall('INCR', KEYS[3])
-- BullMQ reads the events length here and whether the queue is paused or maxed after storing
-- the job; nothing in between writes the meta hash, so one read serves both.
local meta = rcall('HMGET', KEYS[2], 'opts.maxLenEvents', 'paused', 'concurrency')
local maxEvents = meta[1]
if not maxEvents then
  maxEvents = 10000
  rcall('HSET', KEYS[2], 'opts.maxLenEvents', maxEvents)
end
if rcall('EXISTS', jobKey) == 1 then
  rcall('XADD', KEYS[5], 'MAXLEN', '~', maxEvents, '*', 'event', 'duplicated', 'jobId', jobId)
  return jobId
end
rcall('HMSET', jobKey, 'name', ARGV[3], 'data', ARGV[5], 'opts', ARGV[6], 'timestamp', ARGV[4], 'delay', 0, 'priority', 0)
rcall('XADD', KEYS[5], '*', 'event', 'added', 'jobId', jobId, 'name', ARGV[3])
local pausedOrMaxed = meta[2] or (meta[3] and rcall('LLEN', KEYS[4]) >= tonumber(meta[3]))
rcall('LPUSH', KEYS[1], jobId)
if not pausedOrMaxed then rcall('ZADD', KEYS[6], 0, '0') end
rcall('XADD', KEYS[5], 'MAXLEN', '~', maxEvents, '*', 'event', 'waiting', 'jobId', jobId)
return jobId
`;

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
      // The guard, then the add: returns `refused`, or the job id.
      withAdd: new LuaScript(`${withGuard(guard.lua, 6, 6)}if refused then return refused end\n${PLAIN_ADD_LUA}`),
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
  /**
   * The stored options' JSON up to the job id: the queue's default job options, in the key
   * order Job's constructor leaves them (attempts first), then `"jobId":`.
   */
  optsHead: string;
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
    const optsHead = `${JSON.stringify({ attempts: 0, ...defaults, ...backoff }).slice(0, -1)},"jobId":`;
    call = plain ? { keys: [k.wait, k.meta, k.id, k.active, k.events, k.marker] as string[], prefix: k[''] as string, optsHead } : null;
    queueCalls.set(queue, call);
  }
  return call;
}

/** Whether adds to `queue` take PLAIN_ADD_LUA (else: the guard, if any, then `Queue.add`). */
export const addsInOneScript = (queue: Queue): boolean => guardedAddInOneScript && queueCall(queue) !== null;

/** PLAIN_ADD_LUA alone, for an add without a guard. */
const PLAIN_ADD = new LuaScript(PLAIN_ADD_LUA);

/**
 * Adds the job (`queue.add(name, data, { jobId })`) with PLAIN_ADD_LUA and the options
 * `Queue.add` would store, so the stored job is the same; only plain jobs (no delay,
 * priority, parent or deduplication). With a `guard`, the guard runs
 * first in the same script, atomically: either it refused and nothing was written, or both its
 * writes and the job are in Redis. `redis` is the queue's connection. The script is issued
 * before the first await, so the adds of one turn leave in one write. Resolves to the guard's
 * refusal (its Lua table, as an array), or undefined once the job is added. When the one-script
 * path does not apply (see addsInOneScript), or the job has an `order` (a `priority`:
 * notify.whatsapp's notices other than the acknowledgement; `lifo`: an urgent notice; see
 * jobOrder), the guard runs alone, then `Queue.add`.
 */
export async function guardedAdd(redis: Redis, queue: Queue, jobId: string, name: string, data: unknown, guard?: AddGuard, inOneScript = guardedAddInOneScript, order?: JobOrder): Promise<unknown[] | undefined> {
  const call = inOneScript && !order?.priority && !order?.lifo ? queueCall(queue) : null;
  if (!call) {
    const refused = guard ? await scriptsFor(guard).standalone.run(redis, guard.keys, guard.args) : undefined;
    if (Array.isArray(refused)) return refused;
    await queue.add(name, data, { jobId, ...(order?.priority ? { priority: order.priority } : {}), ...(order?.lifo ? { lifo: true } : {}) });
    return undefined;
  }
  const args = [call.prefix, jobId, name, Date.now(), JSON.stringify(data), `${call.optsHead}${JSON.stringify(jobId)}}`];
  const reply = guard ? await scriptsFor(guard).withAdd.run(redis, [...call.keys, ...guard.keys], [...args, ...guard.args]) : await PLAIN_ADD.run(redis, call.keys, args);
  return Array.isArray(reply) ? reply : undefined;
}
