import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { probeRedis } from './redis-access.ts';

/** No redis-server on PATH: say exactly what to install. */
export class RedisServerMissingError extends Error {
  readonly code = 'ADUAN_ERR_NO_REDIS_SERVER';
  constructor() {
    super(
      'No Redis answered and no redis-server is installed. Install one (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) or set REDIS_URL=redis://host:6379',
    );
    this.name = 'RedisServerMissingError';
  }
}

export interface LocalRedis {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Whether a Redis at `url` takes commands now (see probeRedis for why it does not). */
export async function redisAnswers(url: string, timeoutMs = 800): Promise<boolean> {
  return (await probeRedis(url, timeoutMs)).state === 'ready';
}

/**
 * Starts a private redis-server configured like production (AOF everysec, noeviction) with
 * its data in `dir`, and waits until it answers. Used by `pnpm start` when no Redis is
 * running, and by tests that need to stop and restart a Redis.
 */
export async function startLocalRedis(opts: { dir: string; port?: number; aof?: boolean; aclFile?: string }): Promise<LocalRedis> {
  if (!redisServerAvailable()) throw new RedisServerMissingError();
  // Its AOF and snapshot hold every complaint: readable by this user only (Redis makes its
  // files 0644, so the directory is what keeps other users of the machine out).
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  chmodSync(opts.dir, 0o700);
  const port = opts.port ?? (await freePort());
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', opts.dir, '--save', '',
    '--appendonly', opts.aof === false ? 'no' : 'yes', '--appendfsync', 'everysec',
    '--maxmemory-policy', 'noeviction', '--daemonize', 'no', '--protected-mode', 'yes',
    ...(opts.aclFile ? ['--aclfile', opts.aclFile] : []),
  ];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  // Up is up: a Redis whose ACL file refuses clients without a user still answers.
  while ((await probeRedis(url, 300)).state === 'away') {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode} (port ${port} taken?)`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('redis-server did not answer within 10 s');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    port,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
