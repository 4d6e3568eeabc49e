import { hash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { sendWritesNow } from './connection.ts';
import { TickBatcher, settle, type Settled } from './tick-batcher.ts';

interface Call {
  keys: string[];
  args: (string | number | Buffer)[];
}

const isNoScript = (err: unknown) => String((err as Error | null)?.message).startsWith('NOSCRIPT');

/**
 * A Lua script run with EVALSHA (Redis keeps it compiled), falling back to EVAL once when the
 * server does not know it yet (first call, or after a restart).
 */
export class LuaScript {
  readonly sha: string;
  readonly source: string;
  private readonly batchers = new WeakMap<Redis, TickBatcher<Call, unknown>>();

  constructor(source: string) {
    this.source = source;
    this.sha = hash('sha1', source);
  }

  async run(redis: Redis, keys: string[], args: (string | number | Buffer)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!isNoScript(err)) throw err;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }

  /**
   * Like run(), but the calls made in one event-loop turn go to Redis in one write: for a
   * script that runs on every request, this turns N writes into one under load.
   */
  runBatched(redis: Redis, keys: string[], args: (string | number | Buffer)[]): Promise<unknown> {
    let batcher = this.batchers.get(redis);
    if (!batcher) {
      batcher = new TickBatcher((calls) => this.runMany(redis, calls));
      this.batchers.set(redis, batcher);
    }
    return batcher.run({ keys, args });
  }

  /**
   * The calls are sent back to back: a connection from createRedis writes them in one `writev`,
   * sent as soon as the last is issued (run() issues its EVALSHA before its first await).
   */
  private runMany(redis: Redis, calls: Call[]): Promise<Settled<unknown>[]> {
    const replies = calls.map((c) => settle(this.run(redis, c.keys, c.args)));
    sendWritesNow(redis);
    return Promise.all(replies);
  }
}
