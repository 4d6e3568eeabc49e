import { join, resolve } from 'node:path';
import { probeRedis, startLocalRedis, type LocalRedis } from '@aduan/queue';
import type { Logger } from '@aduan/telemetry';

/**
 * REDIS_URL when set; else a Redis already answering on 127.0.0.1:6379; else a private
 * redis-server on that port with AOF in DATA_DIR/redis, stopped when the process exits.
 */
export async function resolveRedis(opts: { url?: string; dataDir: string; autostart: boolean; logger: Logger; defaultPort?: number }): Promise<{ url: string; local?: LocalRedis }> {
  if (opts.url) return { url: opts.url };
  const port = opts.defaultPort ?? 6379;
  const defaultUrl = `redis://127.0.0.1:${port}`;
  // A Redis there that refuses a client without a user is still the one to use: the start's
  // credentials check then says to set REDIS_URL, rather than a second Redis failing on its port.
  if ((await probeRedis(defaultUrl)).state !== 'away') {
    opts.logger.info(`using the Redis answering on 127.0.0.1:${port}`);
    return { url: defaultUrl };
  }
  if (!opts.autostart) throw new Error(`No Redis answers on 127.0.0.1:${port} and REDIS_AUTOSTART=false; set REDIS_URL`);
  const dir = resolve(join(opts.dataDir, 'redis'));
  opts.logger.info({ dir }, 'no Redis found: starting a private redis-server (AOF on, noeviction)');
  const local = await startLocalRedis({ dir, port });
  return { url: local.url, local };
}

