import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { startCli } from './operator-cli.ts';

/** The operator's command, run as a child process exactly as `pnpm complaint:erase` runs it. */
export const ERASE_SCRIPT = fileURLToPath(new URL('../../services/gateway/scripts/complaint-erase.ts', import.meta.url));

/** The citizen the erasure tests file complaints for. */
export const CITIZEN = { name: 'Budi Santoso', email: 'budi.santoso@example.com', phone: '081234567890', jid: '6281234567890@s.whatsapp.net' };
/** Every way the citizen's data could survive: name, e-mail, the national digits of the phone (in any form, the JID too). */
export const PERSONAL = [CITIZEN.name, 'Budi', CITIZEN.email, '81234567890', '812-3456-7890'];
/** Which of the citizen's data `text` still holds. */
export const found = (text: string) => PERSONAL.filter((p) => text.includes(p));

/**
 * Starts complaint:erase with `env` (REDIS_URL, QUEUE_PREFIX, SPOOL_DIR, ATTACHMENT_DIR) and `args`;
 * `done` settles when it exits. The child is returned so that a test can stop it half-way.
 */
export const startErase = (env: Record<string, string>, args: string[]) => startCli(ERASE_SCRIPT, env, args);

/**
 * Starts complaint:erase and holds it (SIGSTOP) at the first command of it that `at` picks out
 * of `admin`'s Redis MONITOR stream: what a test does to the world while the command is half-way
 * (stop Redis, publish a copy), then `child.kill('SIGCONT')`.
 */
export async function startEraseHeldAt(admin: Redis, env: Record<string, string>, args: string[], at: (command: string[]) => boolean) {
  const monitor = await admin.monitor();
  const run = startErase(env, args);
  await new Promise<void>((resolve) =>
    monitor.on('monitor', (_time: string, command: string[]) => {
      if (!at(command) || run.child.signalCode !== null) return;
      run.child.kill('SIGSTOP');
      resolve();
    }),
  );
  monitor.disconnect();
  return run;
}

/** Runs complaint:erase to its end. */
export const runErase = (env: Record<string, string>, args: string[]) => startErase(env, args).done;

/** Everything under `prefix`, each key with its value: what a scan for personal data reads. */
export async function dumpPrefix(redis: Redis, prefix: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const k of keys) {
      // What the services write on their own meanwhile (heartbeats, BullMQ's housekeeping) is left out.
      if (/heartbeat|stalled-check|:events$|:metrics|:limiter|:marker$/.test(k)) continue;
      const type = await redis.type(k);
      out[k] = type === 'string' ? await redis.get(k) : type === 'hash' ? await redis.hgetall(k) : type === 'list' ? await redis.lrange(k, 0, -1) : type === 'set' ? (await redis.smembers(k)).sort() : type === 'zset' ? await redis.zrange(k, '0', '-1', 'WITHSCORES') : type;
    }
  } while (cursor !== '0');
  return out;
}

/** The gateway's spool files (records, quarantine), as one text. */
export const spoolText = (dir: string) =>
  readdirSync(dir)
    .filter((n) => n !== 'spool.lock')
    .map((n) => readFileSync(join(dir, n), 'utf8'))
    .join('\n');
