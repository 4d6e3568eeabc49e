import type { Redis } from 'ioredis';

/** Redis glob characters in a key prefix, escaped for SCAN's MATCH and ACL key patterns. */
export const globEscape = (s: string) => s.replace(/[\\*?[\]]/g, (c) => `\\${c}`);

/**
 * The keys under `prefix` that match `pattern` (a glob after `<prefix>:`), a SCAN page at a time
 * (never KEYS: SCAN is allowed to a locked Redis's service user, and does not stop Redis).
 */
export async function* keyPages(redis: Redis, prefix: string, pattern: string): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${globEscape(prefix)}:${pattern}`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) yield keys;
  } while (cursor !== '0');
}

/** Every key under `prefix` that matches `pattern` (keyPages, one by one). */
export async function* keysMatching(redis: Redis, prefix: string, pattern: string): AsyncGenerator<string> {
  for await (const page of keyPages(redis, prefix, pattern)) yield* page;
}
