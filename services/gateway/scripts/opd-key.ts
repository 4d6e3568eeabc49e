/**
 * OPD API keys in Redis (REDIS_URL, QUEUE_PREFIX, ROUTING_DIRECTORY):
 *   opd-key:add <opd-code> [--label "<who holds it>"]   prints the new key once
 *   opd-key:list                                          id, OPD, label, created, revoked
 *   opd-key:revoke <id>
 *   opd-key:redis-user <opd-code>                         a Redis user that may only consume opd.<code>
 * Exit codes: 0 done, 1 refused (unknown OPD code, no such key, Redis unreachable or refusing),
 * 2 usage.
 */
import { hash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { parseEnvOrExit } from '@aduan/config';
import { createRedis } from '@aduan/queue';
import { loadDirectory } from '@aduan/routing/directory';
import { GatewayEnv } from '../src/config.ts';
import { OpdKeyStore } from '../src/opd/opd-keys.ts';

/** Redis glob characters in a key prefix, escaped for an ACL key pattern. */
const globEscape = (s: string) => s.replace(/[\\*?[\]]/g, (c) => `\\${c}`);

/**
 * The ACL rules of an OPD's Redis user: every key of its own `opd.<code>` queue and nothing
 * else (BullMQ's worker scripts touch only their queue's keys), no pub/sub channels, no admin
 * or dangerous commands except what a BullMQ worker asks for (INFO, CLIENT SETNAME).
 */
function opdRedisRules(prefix: string, opd: string, passwordSha256: string): string[] {
  return ['reset', 'on', `#${passwordSha256}`, `~${globEscape(prefix)}:opd.${opd}:*`, 'resetchannels', '+@all', '-@admin', '-@dangerous', '+info', '+client|setname', '+client|getname', '+client|id'];
}

function usage(): never {
  process.stderr.write('usage: opd-key.ts add <opd-code> [--label "<who holds it>"] | list | revoke <id> | redis-user <opd-code>\n');
  process.exit(2);
}

async function main() {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { label: { type: 'string' } } });
  const [command, arg] = positionals;
  if (!command || (command !== 'list' && !arg)) usage();
  const env = parseEnvOrExit(GatewayEnv);
  const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = createRedis(redisUrl, 'worker');
  const keys = new OpdKeyStore(redis, env.QUEUE_PREFIX);
  try {
    // A worker connection waits for Redis forever; a command-line tool says so after 5 s.
    const timeout = AbortSignal.timeout(5_000);
    if (redis.status !== 'ready') await once(redis, 'ready', { signal: timeout }).catch(() => Promise.reject(new Error(`Redis at ${new URL(redisUrl).host} did not answer within 5 s (REDIS_URL)`)));
    if ((command === 'add' || command === 'redis-user') && arg) {
      const opds = loadDirectory(env.ROUTING_DIRECTORY).opds.map((o) => o.code);
      if (!opds.includes(arg)) {
        process.stderr.write(`error (unknown_opd): "${arg}" is not an OPD code of the directory; one of: ${opds.join(', ')}\n`);
        process.exitCode = 1;
        return;
      }
      if (command === 'redis-user') return await redisUser(redis, env.REDIS_URL ?? 'redis://127.0.0.1:6379', env.QUEUE_PREFIX, arg);
      const { key, secret } = await keys.create(arg, values.label ?? '');
      process.stderr.write(`added key ${key.id} for ${key.opd}. It is shown only now: give it to the OPD's system and keep it secret.\n`);
      process.stdout.write(`${secret}\n`);
    } else if (command === 'list') {
      for (const k of await keys.list()) process.stdout.write(`${k.id}\t${k.opd}\t${k.label || '-'}\t${k.createdAt}\t${k.revokedAt ? `revoked ${k.revokedAt}` : 'active'}\n`);
    } else if (command === 'revoke' && arg) {
      if (await keys.revoke(arg)) process.stdout.write(`key ${arg} revoked\n`);
      else {
        process.stderr.write(`error (no_such_key): no key with id "${arg}" (see opd-key:list)\n`);
        process.exitCode = 1;
      }
    } else usage();
  } catch (err) {
    process.stderr.write(`error (redis): ${(err as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    redis.disconnect();
  }
}

/**
 * Creates (or replaces, with a new password) the Redis user `aduan-opd-<code>` and prints a
 * REDIS_URL for it. Saved with ACL SAVE when Redis has an ACL file; otherwise it lasts until
 * Redis restarts, and the line to keep is printed.
 */
async function redisUser(redis: ReturnType<typeof createRedis>, redisUrl: string, prefix: string, opd: string) {
  const user = `aduan-opd-${opd}`;
  const password = randomBytes(24).toString('base64url');
  const rules = opdRedisRules(prefix, opd, hash('sha256', password));
  await redis.call('ACL', 'SETUSER', user, ...rules);
  // Managed Redis services often disable CONFIG: then the line to keep is printed too.
  const aclfile = await redis.config('GET', 'aclfile').then((r) => (r as [string, string])[1], () => '');
  if (aclfile) {
    await redis.call('ACL', 'SAVE');
    process.stderr.write(`Redis user ${user} set and saved to ${aclfile}. It may consume ${prefix}:opd.${opd} and nothing else.\n`);
  } else {
    process.stderr.write(`Redis user ${user} set. It may consume ${prefix}:opd.${opd} and nothing else.\nThis Redis has no ACL file, so the user lasts until Redis restarts. To keep it, add this line to the ACL file (aclfile) or redis.conf:\nuser ${user} ${rules.slice(1).join(' ')}\n`);
  }
  const url = new URL(redisUrl);
  url.username = user;
  url.password = password;
  process.stderr.write('The URL below names the Redis as Aduan reaches it; give the OPD the address it reaches it by.\n');
  process.stdout.write(`${url.toString()}\n`);
}

await main();
