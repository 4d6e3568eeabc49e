/**
 * Locks Redis (REDIS_URL, QUEUE_PREFIX) so that only named users get in:
 *   redis:lock            creates the users aduan-service (every Aduan service) and aduan-admin
 *                         (the operator's tools), turns off the password-less default user, saves
 *   redis:lock --rotate   gives both users new passwords (every service must then restart)
 * Prints REDIS_URL=... (the services') and REDIS_ADMIN_URL=... on stdout, shown only now.
 * Exit codes: 0 locked, 1 refused (no ACL file or one Redis cannot write, already locked, Redis
 * away or refusing), 2 usage.
 * docs/operations.md, "Locking Redis".
 */
import { parseArgs } from 'node:util';
import type { Redis } from 'ioredis';
import { parseEnvOrExit, RedisEnv } from '@aduan/config';
import { cliRedisError, connectCliRedis } from '../src/redis-acl/cli-redis.ts';
import { aclFileOf, ADMIN_USER, adminUserRules, isOpen, newPassword, SERVICE_USER, serviceUserRules, urlFor, userExists } from '../src/redis-acl/redis-users.ts';

/** Why the lock was not made: `code` is what the tool prints, as `error (<code>): ...`. */
class LockRefusedError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'LockRefusedError';
    this.code = code;
  }
}

async function lock(redis: Redis, redisUrl: string, prefix: string, rotate: boolean): Promise<void> {
  const aclfile = await aclFileOf(redis);
  if (!aclfile) {
    throw new LockRefusedError(
      'no_aclfile',
      'this Redis has no ACL file (aclfile), so it would forget the users at its next restart and let anyone in again. Add `aclfile /var/lib/redis/users.acl` to its configuration (Debian; elsewhere a file in a folder Redis may write, such as its data directory), create the file empty, owned by the user Redis runs as, restart Redis and run this again (docs/operations.md, "Locking Redis"). The private redis-server of `pnpm start` has no configuration to add it to: lock a Redis you run yourself.',
    );
  }
  if ((await userExists(redis, SERVICE_USER)) && !rotate) {
    throw new LockRefusedError('already_locked', `Redis is already locked (the user ${SERVICE_USER} exists). To give ${SERVICE_USER} and ${ADMIN_USER} new passwords, run this again with --rotate (with REDIS_URL set to the admin URL); every Aduan service must then restart with the new REDIS_URL.`);
  }
  const service = newPassword();
  const admin = newPassword();
  // How the two users were before (absent on a first lock), to put back if the save fails.
  const before = await userRules(redis, [SERVICE_USER, ADMIN_USER]);
  await redis.call('ACL', 'SETUSER', SERVICE_USER, ...serviceUserRules(prefix, service.sha256));
  await redis.call('ACL', 'SETUSER', ADMIN_USER, ...adminUserRules(admin.sha256));
  // The rest as the new admin: it proves the admin URL works before the default user goes.
  const adminUrl = urlFor(redisUrl, ADMIN_USER, admin.password);
  const asAdmin = await connectCliRedis(adminUrl);
  try {
    // Saved, and the URLs printed, before anything is closed: a Redis that cannot write its ACL
    // file fails here with the default user still open, and the operator never holds a locked
    // Redis without the passwords to it.
    await asAdmin.call('ACL', 'SAVE').catch(async (err: Error) => {
      // Left in memory, the new users would make the next run refuse (already_locked) with
      // passwords nobody was shown: put them back as they were.
      await restoreUsers(redis, before);
      throw new LockRefusedError('acl_save', `Redis could not write its ACL file ${aclfile} (${err.message}); it is left as it was${rotate ? ' (the old passwords still work)' : ', open'}. Make the file and its folder writable by Redis and run this again.`);
    });
    process.stdout.write(`REDIS_URL=${urlFor(redisUrl, SERVICE_USER, service.password)}\nREDIS_ADMIN_URL=${adminUrl}\n`);
    const wasOpen = await isOpen(asAdmin);
    if (wasOpen) {
      await asAdmin.call('ACL', 'SETUSER', 'default', 'off');
      await asAdmin.call('ACL', 'SAVE');
    }
    // A changed password or a user turned off only stops new logins: connections already open
    // (a leaked password's among them) keep their access until closed. This one is spared.
    // The tool's own first connection (default user, or the admin's on a --rotate) goes first, so
    // the count below is only other clients': services still running, leaked passwords.
    await redis.quit();
    let closed = 0;
    for (const user of [SERVICE_USER, ADMIN_USER, ...(wasOpen ? ['default'] : [])]) closed += Number(await asAdmin.call('CLIENT', 'KILL', 'USER', user));
    process.stderr.write(
      [
        `Redis ${rotate ? 'users have new passwords' : 'is locked'}; saved to ${aclfile}.`,
        wasOpen ? 'Clients without a user and password are now refused (the default user is off).' : 'The default user was not open (it has a password or is off); it is left as it was.',
        `${closed} connection(s) made with the old credentials were closed: a service still running takes complaints into its spool until it restarts with the new REDIS_URL.`,
        `REDIS_URL is for every Aduan service (gateway, router, whatsapp, instagram, pnpm start): set it and restart them. It may use the keys under "${prefix}:" and no admin command.`,
        `REDIS_ADMIN_URL is for the operator's tools that manage Redis users (opd-key:redis-user, redis:lock --rotate). Both passwords are shown only now.`,
        '',
      ].join('\n'),
    );
  } finally {
    asAdmin.disconnect();
  }
}

/** Each user's rules as `ACL LIST` gives them (what `ACL SETUSER` takes back), or undefined when the user does not exist. */
async function userRules(redis: Redis, users: string[]): Promise<Map<string, string[] | undefined>> {
  const lines = (await redis.call('ACL', 'LIST')) as string[];
  return new Map(users.map((user) => [user, lines.find((l) => l.startsWith(`user ${user} `))?.split(' ').slice(2)]));
}

/** Puts users back as `userRules` read them: deleted when they did not exist. */
async function restoreUsers(redis: Redis, before: Map<string, string[] | undefined>): Promise<void> {
  for (const [user, rules] of before) {
    if (rules) await redis.call('ACL', 'SETUSER', user, 'reset', ...rules);
    else await redis.call('ACL', 'DELUSER', user);
  }
}

async function main() {
  let rotate: boolean;
  try {
    const { positionals, values } = parseArgs({ allowPositionals: true, options: { rotate: { type: 'boolean', default: false } } });
    if (positionals.length) throw new Error('no arguments');
    rotate = values.rotate;
  } catch {
    process.stderr.write('usage: redis-lock.ts [--rotate]\n');
    process.exit(2);
  }
  const env = parseEnvOrExit(RedisEnv);
  const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  let redis: Redis | undefined;
  try {
    redis = await connectCliRedis(redisUrl);
    await lock(redis, redisUrl, env.QUEUE_PREFIX, rotate);
  } catch (err) {
    const { code, message } = err instanceof LockRefusedError ? err : cliRedisError(err);
    process.stderr.write(`error (${code}): ${message}\n`);
    process.exitCode = 1;
  } finally {
    redis?.disconnect();
  }
}

await main();
