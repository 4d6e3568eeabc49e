import { Redis, type RedisOptions } from 'ioredis';

export type RedisRole = 'producer' | 'worker' | 'client';

/**
 * Producers inside request handlers fail fast instead of queueing commands in RAM while
 * Redis is down (ioredis' offline queue would hold the complaint for minutes); they then
 * spool. Workers block on Redis and need `maxRetriesPerRequest: null` (BullMQ requires it).
 * A 'producer' connection carries a DurableProducer's adds and nothing else: each batch of
 * adds has the producer's own deadline (`addTimeoutMs`), so it has no `commandTimeout`, which
 * would arm a second timer per command and, on the reply, delete a property of the command
 * (which moves it out of V8's fast mode; too small to show in `pnpm bench`, docs/performance.md,
 * session 13). Everything else (status reads, sessions, keys) goes on a 'client' connection,
 * which keeps the timeout.
 */
export function createRedis(url: string, role: RedisRole, extra: RedisOptions = {}): Redis {
  const base: RedisOptions = {
    lazyConnect: false,
    connectTimeout: 5_000,
    retryStrategy: (times) => Math.min(200 * 2 ** Math.min(times, 5), 5_000) + Math.floor(Math.random() * 250),
  };
  const byRole: Record<RedisRole, RedisOptions> = {
    producer: { enableOfflineQueue: false, maxRetriesPerRequest: 1 },
    worker: { maxRetriesPerRequest: null, enableReadyCheck: true },
    client: { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 3_000 },
  };
  const redis = new Redis(url, { ...base, ...byRole[role], ...extra });
  // An 'error' listener on every connection: without one, ioredis reports unhandled errors.
  redis.on('error', () => {});
  // Each new socket (first connect and every reconnect) coalesces its writes.
  redis.on('connect', () => coalesceWrites(redis.stream));
  return redis;
}

/**
 * Waits until a connection is ready: true once it is, false after `timeoutMs` (it goes on
 * reconnecting). A fail-fast connection refuses commands while it connects, so a service waits
 * for this once at start rather than spooling or refusing its first requests.
 */
export function untilReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    redis.once('ready', onReady);
  });
}

/** What ioredis rejects a command with when Redis cannot be reached (fail-fast connections). */
const UNREACHABLE = [/^Stream isn't writeable/, /^Connection is closed/, /^Command timed out/, /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND)\b/];

/**
 * Whether a failed Redis command failed because Redis is unreachable (so a request should get
 * 503 and Retry-After), rather than because of a bug or a refused command.
 */
export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  // The command was given up after the connection's retries, not refused by Redis.
  if (err.name === 'MaxRetriesPerRequestError') return true;
  return UNREACHABLE.some((re) => re.test(err.message));
}

/**
 * Redis answering but refusing writes: full (`noeviction` at maxmemory), a read-only replica, a
 * failed snapshot (MISCONF), or a primary with fewer replicas than `min-replicas-to-write` (NOREPLICAS).
 */
export function isRedisRefusingWrites(err: unknown): boolean {
  return err instanceof Error && /^(OOM|READONLY|MISCONF|NOREPLICAS)\b/.test(err.message);
}

export async function pingRedis(redis: Redis, timeoutMs = 1_000): Promise<boolean> {
  try {
    const pong = await Promise.race([
      redis.ping(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref()),
    ]);
    return pong === 'PONG';
  } catch {
    return false;
  }
}

const COALESCING = Symbol('aduan.coalescingWrites');
type CoalescingStream = Redis['stream'] & { [COALESCING]?: () => void };

/**
 * Makes the commands a connection sends during one turn of the event loop leave in one
 * `writev`: the first write of a turn corks the socket, and it is uncorked at setImmediate,
 * once the turn's callbacks and microtasks have run (or earlier, by `sendWritesNow`). ioredis
 * writes every command with its own socket write, and a write is a syscall: in the router
 * (BullMQ's moveToFinished, the status and publish scripts of the jobs in flight) that was 2.6
 * writes per complaint, 0.45 with this. Not ioredis' `enableAutoPipelining`: it builds a
 * Pipeline per batch, which copies every command BullMQ defined on the connection
 * (docs/adr/0005-batched-redis-writes.md). A lone command waits only for the rest of its
 * turn: setImmediate keeps the loop from blocking for I/O in between.
 */
function coalesceWrites(stream: Redis['stream']): void {
  const s = stream as CoalescingStream;
  if (s[COALESCING]) return;
  const write = s.write;
  let corked = false;
  const send = () => {
    if (!corked) return;
    corked = false;
    s.uncork();
  };
  s[COALESCING] = send;
  s.write = function coalescedWrite(this: typeof s, ...args: Parameters<typeof write>) {
    if (!corked) {
      corked = true;
      s.cork();
      setImmediate(send);
    }
    return write.apply(this, args);
  } as typeof write;
}

/**
 * Sends what the connection holds now, for a caller that knows its batch is complete. A
 * batch issued from a setImmediate callback would otherwise wait a whole loop iteration,
 * behind the I/O callbacks of that iteration.
 */
export function sendWritesNow(redis: Redis): void {
  (redis.stream as CoalescingStream | undefined)?.[COALESCING]?.();
}
