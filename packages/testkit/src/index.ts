import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { inject } from 'vitest';
import { createLogger, type Logger } from '@aduan/telemetry';

/** The Redis found by the global setup (REDIS_URL, testcontainers or a spawned redis-server). */
export function testRedisUrl(): string {
  return inject('redisUrl');
}

/** A queue/key prefix of its own for each test, so tests never see each other's jobs. */
export function uniquePrefix(name = 't'): string {
  return `test-${name}-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under a prefix (cleanup after a test). */
export { deletePrefix } from '@aduan/queue';

/** A logger writing JSON lines into memory, for asserting on what was (not) logged. */
export function memoryLogger(service = 'test'): { logger: Logger; lines: Record<string, unknown>[]; text: () => string } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: createLogger({ service, level: 'debug', destination: stream }), lines, text: () => JSON.stringify(lines) };
}

export async function waitFor<T>(fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? 'condition'}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
}

/** How long `p` took to settle, in ms, or 'hung' when it has not within `ms`. */
export async function timed(p: Promise<unknown>, ms: number): Promise<number | 'hung'> {
  const t0 = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([p.then(() => Date.now() - t0), new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), ms)))]);
  clearTimeout(timer);
  return result;
}

export { expectDiskOf, reportedDataDisks, type ReportedDisk } from './data-disks.ts';
export { cutOff } from './cut-off.ts';
