import type { Redis } from 'ioredis';
import { createRedis, probeRedis, refusedMessage } from '@aduan/queue';

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
 * A Redis connection for an operator's command-line tool. A service's connection waits for
 * Redis forever; a tool says within seconds that Redis is away, or that it refused the
 * credentials of REDIS_URL, and exits.
 */
export async function connectCliRedis(redisUrl: string): Promise<Redis> {
  const probe = await probeRedis(redisUrl, 5_000);
  if (probe.state === 'away') throw new CliRedisError('redis', `Redis at ${new URL(redisUrl).host} did not answer within 5 s (REDIS_URL)`);
  if (probe.state === 'refused') throw new CliRedisError('redis_refused', refusedMessage(redisUrl, probe.reason));
  return createRedis(redisUrl, 'worker');
}
