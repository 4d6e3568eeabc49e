import type { Redis } from 'ioredis';

export interface RedisMemory {
  /** INFO's `used_memory`: what Redis holds, the figure it weighs against `maxmemory` before each write. */
  usedBytes: number;
  /** `maxmemory`; 0 means no limit (Redis grows until the machine runs out). */
  maxBytes: number;
}

/** One numeric `name:value` line of an INFO reply. */
function infoNumber(info: string, name: string): number {
  const line = new RegExp(`^${name}:(\\d+)\\r?$`, 'm').exec(info);
  if (!line) throw new Error(`INFO memory has no ${name}`);
  return Number(line[1]);
}

/**
 * How much memory Redis uses and may use, from INFO memory: one command, answered from Redis's
 * own counters, so cheap enough for every metrics scrape. With `noeviction` a Redis at its
 * `maxmemory` refuses every write, so this is what tells an operator it is filling up before
 * complaints go to the spools.
 */
export async function redisMemory(redis: Redis): Promise<RedisMemory> {
  const info = await redis.info('memory');
  return { usedBytes: infoNumber(info, 'used_memory'), maxBytes: infoNumber(info, 'maxmemory') };
}
