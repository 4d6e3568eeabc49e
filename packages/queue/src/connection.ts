import { Redis, type RedisOptions } from 'ioredis';

export type RedisRole = 'producer' | 'worker' | 'client';

/**
 * Producers inside request handlers fail fast instead of queueing commands in RAM while
 * Redis is down (ioredis' offline queue would hold the complaint for minutes); they then
 * spool. Workers block on Redis and need `maxRetriesPerRequest: null` (BullMQ requires it).
 */
export function createRedis(url: string, role: RedisRole, extra: RedisOptions = {}): Redis {
  const base: RedisOptions = {
    lazyConnect: false,
    connectTimeout: 5_000,
    retryStrategy: (times) => Math.min(200 * 2 ** Math.min(times, 5), 5_000) + Math.floor(Math.random() * 250),
  };
  const byRole: Record<RedisRole, RedisOptions> = {
    producer: { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 3_000 },
    worker: { maxRetriesPerRequest: null, enableReadyCheck: true },
    client: { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 3_000 },
  };
  const redis = new Redis(url, { ...base, ...byRole[role], ...extra });
  // An 'error' listener on every connection: without one, ioredis reports unhandled errors.
  redis.on('error', () => {});
  return redis;
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

/**
 * Corks a ready connection's socket for a batch of more than one command, so they leave in one
 * write; the caller uncorks. Undefined (nothing to uncork) for a single command or while the
 * connection is not ready (ioredis then fails the commands itself).
 */
export function corkForBatch(redis: Redis, size: number): Redis['stream'] | undefined {
  if (size < 2 || redis.status !== 'ready') return undefined;
  redis.stream.cork();
  return redis.stream;
}

