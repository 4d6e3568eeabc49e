import { Gauge } from 'prom-client';
import { answerWithin, redisMemory } from '@aduan/queue';
import { metricsRegistry } from '@aduan/telemetry';
import type { GatewayDeps } from '../deps.ts';
import { SCRAPE_REDIS_MS } from './queue-metrics.ts';

interface MemoryGauges {
  used: Gauge;
  max: Gauge;
}

let gauges: MemoryGauges | undefined;
function memoryGauges(): MemoryGauges {
  gauges ??= {
    used: new Gauge({ name: 'aduan_redis_memory_used_bytes', help: "Redis's used_memory (INFO memory), read at scrape time; absent while Redis does not answer", registers: [metricsRegistry] }),
    max: new Gauge({ name: 'aduan_redis_maxmemory_bytes', help: "Redis's maxmemory (0: no limit), read at scrape time; absent while Redis does not answer", registers: [metricsRegistry] }),
  };
  return gauges;
}

/**
 * Sets Redis's memory gauges just before /metrics is read. Redis runs with `noeviction`: at
 * `maxmemory` it refuses every write and complaints go to the spools, so its filling up is
 * alerted on before that. A Redis that does not answer within SCRAPE_REDIS_MS leaves them
 * absent (not stale, not 0, which would read as "no limit"); the scrape goes on without them.
 */
export async function refreshRedisMemoryGauges(deps: GatewayDeps): Promise<void> {
  const g = memoryGauges();
  try {
    const memory = await answerWithin(redisMemory(deps.redis), SCRAPE_REDIS_MS);
    g.used.set(memory.usedBytes);
    g.max.set(memory.maxBytes);
  } catch (err) {
    g.used.remove();
    g.max.remove();
    deps.logger.debug({ err: (err as Error).message }, 'redis memory gauges not read');
  }
}
