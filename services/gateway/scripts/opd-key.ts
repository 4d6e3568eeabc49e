/**
 * OPD API keys in Redis (REDIS_URL, QUEUE_PREFIX, ROUTING_DIRECTORY):
 *   opd-key:add <opd-code> [--label "<who holds it>"]   prints the new key once
 *   opd-key:list                                          id, OPD, label, created, revoked
 *   opd-key:revoke <id>
 *   opd-key:redis-user <opd-code>                         a Redis user that may only consume opd.<code>
 *                                                         (on a locked Redis, with REDIS_URL the admin URL)
 * Exit codes: 0 done, 1 refused (unknown OPD code, no such key, Redis open to anyone, unreachable
 * or refusing), 2 usage.
 */
import { parseArgs } from 'node:util';
import type { Redis } from 'ioredis';
import { parseEnvOrExit } from '@aduan/config';
import { loadDirectory } from '@aduan/routing/directory';
import { GatewayEnv } from '../src/config.ts';
import { OpdKeyStore } from '../src/opd/opd-keys.ts';
import { cliRedisError, connectCliRedis } from '../src/redis-acl/cli-redis.ts';
import { aclFileOf, isOpen, newPassword, opdUser, opdUserRules, urlFor } from '../src/redis-acl/redis-users.ts';

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
  let redis: Redis | undefined;
  try {
    redis = await connectCliRedis(redisUrl, env.QUEUE_PREFIX);
    const keys = new OpdKeyStore(redis, env.QUEUE_PREFIX);
    if ((command === 'add' || command === 'redis-user') && arg) {
      const opds = loadDirectory(env.ROUTING_DIRECTORY).opds.map((o) => o.code);
      if (!opds.includes(arg)) {
        process.stderr.write(`error (unknown_opd): "${arg}" is not an OPD code of the directory; one of: ${opds.join(', ')}\n`);
        process.exitCode = 1;
        return;
      }
      if (command === 'redis-user') return await redisUser(redis, redisUrl, env.QUEUE_PREFIX, arg);
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
    const { code, message } = cliRedisError(err);
    process.stderr.write(`error (${code}): ${message}\n`);
    process.exitCode = 1;
  } finally {
    redis?.disconnect();
  }
}

/**
 * Creates (or replaces, with a new password) the Redis user `aduan-opd-<code>` and prints a
 * REDIS_URL for it. Saved with ACL SAVE when Redis has an ACL file; otherwise it lasts until
 * Redis restarts, and the line to keep is printed. Refused while anyone may use Redis without a
 * password: the OPD could then drop the user from its URL and read everything.
 */
async function redisUser(redis: Redis, redisUrl: string, prefix: string, opd: string) {
  if (await isOpen(redis)) {
    process.stderr.write(
      'error (redis_open): this Redis lets any client in without a password (its default user), so an OPD given a restricted user could simply leave the user out and read every complaint. Lock Redis first: `pnpm redis:lock` (docs/operations.md, "Locking Redis"), then run this with REDIS_URL set to the admin URL it prints.\n',
    );
    process.exitCode = 1;
    return;
  }
  const user = opdUser(opd);
  const { password, sha256 } = newPassword();
  const rules = opdUserRules(prefix, opd, sha256);
  await redis.call('ACL', 'SETUSER', user, ...rules);
  // Managed Redis services often disable CONFIG: then the line to keep is printed too.
  const aclfile = await aclFileOf(redis);
  if (aclfile) {
    await redis.call('ACL', 'SAVE');
    process.stderr.write(`Redis user ${user} set and saved to ${aclfile}. It may consume ${prefix}:opd.${opd} and nothing else.\n`);
  } else {
    process.stderr.write(`Redis user ${user} set. It may consume ${prefix}:opd.${opd} and nothing else.\nThis Redis has no ACL file, so the user lasts until Redis restarts. To keep it, add this line to the ACL file (aclfile) or redis.conf:\nuser ${user} ${rules.slice(1).join(' ')}\n`);
  }
  process.stderr.write('The URL below names the Redis as Aduan reaches it; give the OPD the address it reaches it by.\n');
  process.stdout.write(`${urlFor(redisUrl, user, password)}\n`);
}

await main();
