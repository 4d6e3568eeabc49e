import type { Redis } from 'ioredis';
/** Waits for `done` to settle (either way) for at most `ms`: true when it did. */
export async function settlesWithin(done: Promise<unknown>, ms: number): Promise<boolean> {
  return answerWithin(
    done.then(
      () => true,
      () => true,
    ),
    Math.max(0, ms),
  ).catch(() => false);
}

/**
 * `p`'s value, or a rejection once `ms` have passed without it: for a read that a caller must
 * not wait on past a deadline (a metrics scrape on a Redis that stopped answering). `p` itself
 * goes on, and is given up by its own connection's timeout.
 */
export async function answerWithin<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
        timer.unref();
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Closes a BullMQ Queue/Worker/QueueEvents without hanging shutdown: after a Redis restart a
 * blocked connection can keep close() waiting forever. Gives up after `ms`; the caller then
 * disconnects the underlying connection.
 */
export async function closeWithin(closable: { close(): Promise<unknown> }, ms = 3_000): Promise<void> {
  await settlesWithin(closable.close(), ms);
}

// Renews a lock; or takes it back if it expired meanwhile (a Redis outage longer than its TTL,
// a Redis restarted without its data) and nobody else took it.
const RENEW_OR_RETAKE = `
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 2 end
return 0`;

/**
 * Renews a process lock (one process per WhatsApp number, per Instagram account): false only
 * when another process holds it now. One that expired while Redis was away is taken back, so
 * an outage longer than the TTL does not stop the service. Rejects while Redis is unreachable.
 */
export async function renewLock(redis: Redis, key: string, token: string, ttlMs: number): Promise<boolean> {
  return (await redis.eval(RENEW_OR_RETAKE, 1, key, token, String(ttlMs))) !== 0;
}

/** Deletes a lock's key only while it still holds this holder's token. */
const RELEASE_IF_OURS = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/**
 * Gives a lock back on shutdown without waiting on an unreachable Redis: true once Redis deleted
 * it (or it was no longer this holder's). Not sent while the connection is not ready (down, or
 * back from a restart while it still waits out its back-off: it would hold the command until it
 * reconnects), and waited for at most `ms`: false, and the lock expires within its TTL.
 */
export async function releaseLockWithin(redis: Redis, key: string, token: string, ms = 1_000): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  let released = false;
  await settlesWithin(redis.eval(RELEASE_IF_OURS, 1, key, token).then(() => (released = true)), ms);
  return released;
}
