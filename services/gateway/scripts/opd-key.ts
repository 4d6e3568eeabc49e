/**
 * OPD API keys in Redis (REDIS_URL, QUEUE_PREFIX, ROUTING_DIRECTORY):
 *   opd-key:add <opd-code> [--label "<who holds it>"]   prints the new key once
 *   opd-key:list                                          id, OPD, label, created, revoked
 *   opd-key:revoke <id>
 * Exit codes: 0 done, 1 refused (unknown OPD code, no such key), 2 usage.
 */
import { parseArgs } from 'node:util';
import { parseEnv } from '@aduan/config';
import { createRedis } from '@aduan/queue';
import { loadDirectory } from '@aduan/routing/directory';
import { GatewayEnv } from '../src/config.ts';
import { OpdKeyStore } from '../src/opd/opd-keys.ts';

function usage(): never {
  process.stderr.write('usage: opd-key.ts add <opd-code> [--label "<who holds it>"] | list | revoke <id>\n');
  process.exit(2);
}

async function main() {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { label: { type: 'string' } } });
  const [command, arg] = positionals;
  if (!command || (command !== 'list' && !arg)) usage();
  const env = parseEnv(GatewayEnv);
  const redis = createRedis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'worker');
  const keys = new OpdKeyStore(redis, env.QUEUE_PREFIX);
  try {
    if (command === 'add' && arg) {
      const opds = loadDirectory(env.ROUTING_DIRECTORY).opds.map((o) => o.code);
      if (!opds.includes(arg)) {
        process.stderr.write(`error (unknown_opd): "${arg}" is not an OPD code of the directory; one of: ${opds.join(', ')}\n`);
        process.exitCode = 1;
        return;
      }
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
  } finally {
    redis.disconnect();
  }
}

await main();
