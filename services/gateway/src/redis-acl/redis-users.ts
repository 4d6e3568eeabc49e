import { hash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { globEscape } from '@aduan/queue';

/**
 * The Redis users of a locked Redis (docs/operations.md, "Locking Redis"): the one every Aduan
 * service logs in as, the operator's, and one per OPD that consumes its queue from Redis.
 */
export const SERVICE_USER = 'aduan-service';
export const ADMIN_USER = 'aduan-admin';
export const opdUser = (opd: string) => `aduan-opd-${opd}`;

/** What a BullMQ worker asks of Redis beyond data commands (server version, connection names). */
const WORKER_EXTRAS = ['+info', '+client|setname', '+client|getname', '+client|id'];

/**
 * Aduan's services: every key under the queue prefix (queues, status records, sessions, keys)
 * and nothing else; no pub/sub (Aduan uses none); no admin or dangerous commands (FLUSHALL,
 * KEYS, CONFIG SET, ACL...) except reading the configuration, for the start's durability check.
 */
export const serviceUserRules = (prefix: string, passwordSha256: string): string[] => ['reset', 'on', `#${passwordSha256}`, `~${globEscape(prefix)}:*`, 'resetchannels', '+@all', '-@admin', '-@dangerous', ...WORKER_EXTRAS, '+config|get'];

/** The operator's tools that manage users (redis:lock, opd-key:redis-user): everything. */
export const adminUserRules = (passwordSha256: string): string[] => ['reset', 'on', `#${passwordSha256}`, '~*', '&*', '+@all'];

/**
 * An OPD's own consumer: every key of its `opd.<code>` queue and nothing else (BullMQ's worker
 * scripts touch only their queue's keys), no pub/sub, no admin or dangerous commands. Nor SCAN
 * or RANDOMKEY: key patterns do not filter the names those return, and the names alone tell
 * every ticket, every other OPD's complaint ids and the operators' usernames.
 */
export const opdUserRules = (prefix: string, opd: string, passwordSha256: string): string[] => ['reset', 'on', `#${passwordSha256}`, `~${globEscape(prefix)}:opd.${opd}:*`, 'resetchannels', '+@all', '-@admin', '-@dangerous', '-scan', '-randomkey', ...WORKER_EXTRAS];

/** A new password (32 URL-safe characters, so it needs no escaping in a URL) and the SHA-256 Redis keeps. */
export function newPassword(): { password: string; sha256: string } {
  const password = randomBytes(24).toString('base64url');
  return { password, sha256: hash('sha256', password) };
}

/** `redisUrl` with this user and password in place of its own. */
export function urlFor(redisUrl: string, user: string, password: string): string {
  const url = new URL(redisUrl);
  url.username = user;
  url.password = password;
  return url.toString();
}

/** The ACL file Redis saves its users to, or '' when it has none (or hides its configuration). */
export async function aclFileOf(redis: Redis): Promise<string> {
  return redis.config('GET', 'aclfile').then((r) => (r as [string, string] | [])[1] ?? '', () => '');
}

/** Whether `user` exists. */
export async function userExists(redis: Redis, user: string): Promise<boolean> {
  return (await redis.call('ACL', 'GETUSER', user)) !== null;
}

/**
 * Whether any client may use this Redis without a password: its `default` user is on and has
 * `nopass`, as Redis is out of the box. Then a restricted user protects nothing.
 */
export async function isOpen(redis: Redis): Promise<boolean> {
  const reply = (await redis.call('ACL', 'GETUSER', 'default')) as unknown[] | null;
  if (!reply) return false;
  const flags = reply[reply.indexOf('flags') + 1] as string[];
  return flags.includes('on') && flags.includes('nopass');
}
