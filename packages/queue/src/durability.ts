import type { Redis } from 'ioredis';

export interface DurabilityReport {
  ok: boolean;
  problems: string[];
}

/**
 * DESIGN: Redis must persist (AOF) and never evict (noeviction), or acknowledged complaints
 * can vanish. Services call this at start and log loudly when it is not so.
 */
export async function checkRedisDurability(redis: Redis): Promise<DurabilityReport> {
  const problems: string[] = [];
  try {
    if (redis.status !== 'ready') {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('Redis did not become ready within 5 s')), 5_000);
        redis.once('ready', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const [, appendonly] = (await redis.config('GET', 'appendonly')) as string[];
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as string[];
    if (appendonly !== 'yes') problems.push('appendonly is not "yes": a Redis restart loses every queued complaint (see infra/redis/redis.conf)');
    if (policy !== 'noeviction') problems.push(`maxmemory-policy is "${policy}", not "noeviction": Redis may evict queued complaints`);
  } catch (err) {
    problems.push(`could not read Redis configuration (${(err as Error).message}); make sure AOF and noeviction are set`);
  }
  return { ok: problems.length === 0, problems };
}
