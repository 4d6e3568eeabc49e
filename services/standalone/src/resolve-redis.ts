import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { probeRedis, processAlive, startLocalRedis, type LocalRedis } from '@aduan/queue';
import type { Logger } from '@aduan/telemetry';

/** A redis-server this process answers for: `pnpm start`'s private one. */
export interface OwnedRedis {
  /** Stops it gracefully (Redis writes its AOF and exits); resolves once it is gone. */
  stop(): Promise<void>;
  /** Tells it to stop, synchronously: for a process 'exit' handler. */
  stopNow(): void;
}

/**
 * REDIS_URL when set; else a Redis already answering on 127.0.0.1:6379; else a private
 * redis-server on that port with AOF in DATA_DIR/redis, stopped when the process exits (with
 * REDIS_AUTOSTART=false: that port's Redis all the same, used once it answers). A
 * private one an earlier run left running (that process was killed outright: `kill -9`, the
 * kernel's OOM killer) is recognised by its data directory and its owner file (the pid of the
 * run that started it, which must be gone), and stopped by this one in turn. One another live
 * run still uses is used and left alone.
 */
export async function resolveRedis(opts: { url?: string; dataDir: string; autostart: boolean; logger: Logger; defaultPort?: number }): Promise<{ url: string; local?: LocalRedis; owned?: OwnedRedis }> {
  if (opts.url) return { url: opts.url };
  const port = opts.defaultPort ?? 6379;
  const defaultUrl = `redis://127.0.0.1:${port}`;
  const dir = resolve(join(opts.dataDir, 'redis'));
  // A Redis there that refuses a client without a user is still the one to use: the start's
  // credentials check then says to set REDIS_URL, rather than a second Redis failing on its port.
  const found = await probeRedis(defaultUrl);
  if (found.state !== 'away') {
    const left = found.state === 'ready' ? await privateRedisLeftBehind(defaultUrl, dir) : undefined;
    if (left) {
      opts.logger.warn({ dir, pid: left.pid }, 'the private redis-server an earlier run started is still running (that run was killed): using it, and stopping it on exit');
      writeOwner(dir);
      return { url: defaultUrl, owned: ownedByPid(defaultUrl, left.pid) };
    }
    opts.logger.info(`using the Redis answering on 127.0.0.1:${port}`);
    return { url: defaultUrl };
  }
  if (!opts.autostart) {
    // Said not to start one: the Redis meant is that port's, not up yet (a machine booting) or
    // away. As with any Redis away: start, spool what comes, and queue it once Redis answers.
    opts.logger.warn(`no Redis answers on 127.0.0.1:${port} yet and REDIS_AUTOSTART=false: starting anyway; complaints are kept in the spool until it answers`);
    return { url: defaultUrl };
  }
  opts.logger.info({ dir }, 'no Redis found: starting a private redis-server (AOF on, noeviction)');
  const local = await startLocalRedis({ dir, port });
  writeOwner(dir);
  return { url: local.url, local, owned: supervised(local, dir, opts.logger) };
}

/** How long a private redis-server that died waits before its restart: doubling from the first, to the last. */
const REDIS_RESTART_DELAYS_MS = [1_000, 60_000] as const;

/**
 * The private redis-server, started again whenever it dies without being told to stop (the
 * kernel's OOM killer, a crash): on the same port and data directory, so it comes back with its
 * AOF, and the connections and the spool's drain find it again by themselves. Until then
 * complaints are spooled, as with any Redis away. A restart that fails is tried again later.
 */
function supervised(first: LocalRedis, dir: string, logger: Logger): OwnedRedis {
  let current = first;
  let stopping = false;
  let delay: number = REDIS_RESTART_DELAYS_MS[0];
  let timer: NodeJS.Timeout | undefined;
  let restarting: Promise<unknown> | undefined;
  const restart = async () => {
    timer = undefined;
    if (stopping) return;
    try {
      const start = startLocalRedis({ dir, port: first.port });
      restarting = start.catch(() => undefined);
      current = await start;
      // Being stopped meanwhile: stop() waited for this start, and stops it.
      if (stopping) return;
      logger.warn({ dir }, 'the private redis-server is running again');
      delay = REDIS_RESTART_DELAYS_MS[0];
      watch();
    } catch (err) {
      if (stopping) return;
      logger.error({ dir, err: (err as Error).message, retryInMs: delay }, 'the private redis-server could not be started again; complaints stay in the spool meanwhile');
      timer = setTimeout(() => void restart(), delay);
      delay = Math.min(delay * 2, REDIS_RESTART_DELAYS_MS[1]);
    }
  };
  const watch = () =>
    current.process.once('exit', (code, signal) => {
      if (stopping) return;
      logger.error({ dir, code, signal, restartInMs: delay }, 'the private redis-server died: starting it again; complaints are spooled meanwhile');
      timer = setTimeout(() => void restart(), delay);
    });
  watch();
  const halt = () => {
    stopping = true;
    clearTimeout(timer);
  };
  return {
    stop: async () => {
      halt();
      await restarting;
      await current.stop();
    },
    stopNow: () => {
      halt();
      const child = current.process;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}

/** Who answers for the private redis-server in `dir`: this process, from the start on. */
const ownerFile = (dir: string) => join(dir, 'aduan-owner.pid');
function writeOwner(dir: string): void {
  writeFileSync(ownerFile(dir), `${process.pid}\n`, { mode: 0o600 });
}

/** Whether the run that started (or took over) the private redis-server in `dir` is gone. */
function ownerGone(dir: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(ownerFile(dir), 'utf8').trim());
  } catch {
    return false; // no owner file: not known to be ours to stop
  }
  // A live owner is another `pnpm start` still using it.
  return Number.isInteger(pid) && pid > 0 && !processAlive(pid);
}

/** The pid of the Redis at `url` when its data directory is `dir` (ours) and the run that owned it is gone, else undefined. */
async function privateRedisLeftBehind(url: string, dir: string): Promise<{ pid: number } | undefined> {
  if (!ownerGone(dir)) return undefined;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 1_000 });
  try {
    await client.connect();
    const [, redisDir] = (await client.config('GET', 'dir')) as [string, string];
    if (resolve(redisDir) !== dir) return undefined;
    const pid = Number(/^process_id:(\d+)/m.exec(await client.info('server'))?.[1]);
    return pid > 0 ? { pid } : undefined;
  } catch {
    return undefined; // CONFIG refused (a locked Redis): not one we started
  } finally {
    client.disconnect();
  }
}

function ownedByPid(url: string, pid: number): OwnedRedis {
  const signal = () => {
    try {
      process.kill(pid, 'SIGTERM');
      return true;
    } catch {
      return false; // gone already
    }
  };
  return {
    stop: async () => {
      if (!signal()) return;
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
        if ((await probeRedis(url, 300)).state === 'away') return;
      }
    },
    stopNow: () => void signal(),
  };
}
