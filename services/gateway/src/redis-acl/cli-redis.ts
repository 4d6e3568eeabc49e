import type { Redis } from 'ioredis';
import { createRedis, isRedisUnavailable, probeRedis, refusedMessage, untilReady } from '@aduan/queue';

/** Why a command-line tool could not use Redis: `code` is what it prints, as `error (<code>): ...`. */
export class CliRedisError extends Error {
  readonly code: 'redis' | 'redis_refused';
  constructor(code: 'redis' | 'redis_refused', message: string) {
    super(message);
    this.name = 'CliRedisError';
    this.code = code;
  }
}

/**
 * How a tool words an error from Redis: `error (<code>): <message>`. A command the user may
 * not run (NOPERM) is a refusal of REDIS_URL's user, not Redis being away.
 */
export function cliRedisError(err: unknown): { code: string; message: string } {
  if (err instanceof CliRedisError) return { code: err.code, message: err.message };
  const message = (err as Error).message;
  if (message.startsWith('NOPERM')) return { code: 'redis_refused', message: `${message}. This needs the admin user: set REDIS_URL to the REDIS_ADMIN_URL that \`pnpm redis:lock\` printed.` };
  if (isRedisUnavailable(err)) return { code: 'redis', message: `Redis stopped answering (${message})` };
  return { code: 'redis', message };
}

/**
 * A Redis connection for an operator's command-line tool. A service's connection waits for
 * Redis forever; a tool says within seconds that Redis is away, or that it refused the
 * credentials of REDIS_URL, and exits. The same once it has started: a connection lost
 * half-way is not made again (a tool waiting on it would hang, silently, until Redis came
 * back, and BullMQ's queues wait for a reconnecting connection without a deadline), and a
 * command Redis does not answer within 3 s fails; each fails the tool with exit 1, and its
 * rerun finishes the work. With `keyPrefix` (QUEUE_PREFIX, for a tool that works on Aduan's keys),
 * a user that may not use the keys under it is refused as such: on a locked Redis that is a
 * QUEUE_PREFIX other than the lock's, which the admin user would only have the tool work on, empty.
 */
export async function connectCliRedis(redisUrl: string, keyPrefix?: string): Promise<Redis> {
  const away = () => new CliRedisError('redis', `Redis at ${new URL(redisUrl).host} did not answer within 5 s (REDIS_URL)`);
  const probe = await probeRedis(redisUrl, 5_000, keyPrefix);
  if (probe.state === 'away') throw away();
  if (probe.state === 'refused') throw new CliRedisError('redis_refused', refusedMessage(redisUrl, probe.reason));
  const redis = createRedis(redisUrl, 'client', { retryStrategy: () => null });
  if (await untilReady(redis, 5_000)) return redis;
  redis.disconnect();
  throw away();
}
