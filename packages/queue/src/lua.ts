import { hash } from 'node:crypto';
import { Command, type Redis } from 'ioredis';
import { sendWritesNow } from './connection.ts';
import { TickBatcher, settle, type Settled } from './tick-batcher.ts';

interface Call {
  keys: string[];
  args: (string | number | Buffer)[];
}

const isNoScript = (err: unknown) => String((err as Error | null)?.message).startsWith('NOSCRIPT');

/**
 * An EVALSHA sent as wire text built in one pass. ioredis builds a command's text one `+=` at
 * a time, four pieces per argument, and a complaint's intake script has ~30 arguments: that
 * was the gateway's largest single allocation, ~3.6 KB per complaint (docs/performance.md,
 * session 13). The bytes are the same. (ioredis's own Script command overrides toWritable in
 * the same way.)
 */
class EvalshaCommand extends Command {
  private readonly wire: string;

  constructor(wire: string) {
    super('evalsha', [], { replyEncoding: 'utf8' });
    this.wire = wire;
  }

  override toWritable(): string {
    return this.wire;
  }
}

/** The RESP text of `EVALSHA sha numkeys ...keys ...args`, or undefined when an argument is a Buffer. */
export function evalshaWire(sha: string, keys: string[], args: (string | number | Buffer)[]): string | undefined {
  const n = String(keys.length);
  // Sized once: an array grown by push copies itself as it grows.
  const parts = new Array<string>(1 + 5 * (keys.length + args.length));
  parts[0] = `*${3 + keys.length + args.length}\r\n$7\r\nevalsha\r\n$${sha.length}\r\n${sha}\r\n$${n.length}\r\n${n}\r\n`;
  let i = 1;
  const bulk = (v: string) => {
    parts[i++] = '$';
    parts[i++] = String(Buffer.byteLength(v));
    parts[i++] = '\r\n';
    parts[i++] = v;
    parts[i++] = '\r\n';
  };
  for (const k of keys) bulk(k);
  for (const a of args) {
    if (typeof a === 'object') return undefined;
    bulk(typeof a === 'string' ? a : String(a));
  }
  return parts.join('');
}

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
      // A connection with a keyPrefix gets ioredis's own command, which applies it.
      const wire = redis.options.keyPrefix ? undefined : evalshaWire(this.sha, keys, args);
      return await (wire === undefined ? redis.evalsha(this.sha, keys.length, ...keys, ...args) : redis.sendCommand(new EvalshaCommand(wire)));
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
