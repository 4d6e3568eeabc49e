/**
 * Operator, admin and OPD accounts in Redis (REDIS_URL, QUEUE_PREFIX; ROUTING_DIRECTORY for --opd).
 *   user:add <username> --role operator|admin [--station "<station name>"]   (password from stdin)
 *   user:add <username> --role opd --opd <opd-code> [--whatsapp <number>]    (an OPD's staff: its inbox at /opd)
 *   user:whatsapp <username> --number <number> | --none                       (an OPD account's number for the inbox digest)
 *   user:passwd <username>                                                   (password from stdin)
 * A password given by add or passwd is someone else's choice: the account must choose its own at
 * its next login (StoredUser.passwordChangeDue). `--own-password` says the account's holder typed
 * it (the first admin, made by the server's operator for themself): no change asked.
 *   user:station <username> --station "<station name>"                      (an operator's new station)
 *   user:disable <username> | user:enable <username> | user:list
 */
import { parseArgs } from 'node:util';
import { parseEnvOrExit, RedisEnv } from '@aduan/config';
import { loadDirectory } from '@aduan/routing/directory';
import { z } from 'zod';
import type { Redis } from 'ioredis';
// The account modules themselves, not auth/index.ts: a command need not load the login's routes and pages.
import { Role, UserError, UserStore, checkAccount } from '../src/auth/user-store.ts';
import { accountOpdCodes } from '../src/auth/account-opds.ts';
import { CliRedisError, connectCliRedis } from '../src/redis-acl/cli-redis.ts';

async function readPassword(): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }
  // Interactive: read one line without echoing it.
  process.stderr.write('Password: ');
  stdin.setRawMode(true);
  stdin.resume();
  let pw = '';
  return new Promise((resolve, reject) => {
    stdin.on('data', (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          stdin.setRawMode(false);
          stdin.pause();
          process.stderr.write('\n');
          return resolve(pw);
        }
        if (ch === '\u0003') return reject(new Error('cancelled'));
        if (ch === '\u007f') pw = pw.slice(0, -1);
        else pw += ch;
      }
    });
  });
}

function usage(): never {
  process.stderr.write('usage: user.ts add <username> --role operator|admin [--station "<name>"] [--own-password] | add <username> --role opd --opd <opd-code> [--whatsapp <number>] [--own-password] | whatsapp <username> --number <number> | --none | passwd <username> [--own-password] | station <username> --station "<name>" | disable <username> | enable <username> | list\n');
  process.exit(2);
}

async function main() {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { role: { type: 'string' }, station: { type: 'string' }, opd: { type: 'string' }, whatsapp: { type: 'string' }, number: { type: 'string' }, none: { type: 'boolean' }, 'own-password': { type: 'boolean' } } });
  const [command, username] = positionals;
  const own = values['own-password'] === true;
  if (own && command !== 'add' && command !== 'passwd') usage();
  const dueNote = own ? '' : '; it must choose its own password at its next login';
  const env = parseEnvOrExit(RedisEnv.extend({ ROUTING_DIRECTORY: z.string().optional() }));
  let redis: Redis | undefined;
  try {
    redis = await connectCliRedis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', env.QUEUE_PREFIX);
    const users = new UserStore(redis, env.QUEUE_PREFIX);
    if (command === 'list') {
      for (const u of await users.list()) process.stdout.write(`${u.username}\t${u.role}\t${(u.role === 'opd' ? u.opd : u.station) || '-'}\t${u.disabled ? 'disabled' : 'active'}\t${u.createdAt}\t${u.whatsapp ?? '-'}\n`);
    } else if (command === 'add' && username) {
      const role = Role.safeParse(values.role);
      if (!role.success) usage();
      // The directory is read only for an OPD account: its code must be one that has an inbox (accountOpds).
      const opds = role.data === 'opd' && values.opd ? accountOpdCodes(loadDirectory(env.ROUTING_DIRECTORY)) : undefined;
      const account = { username, role: role.data, ...(values.station ? { station: values.station } : {}), ...(values.opd ? { opd: values.opd } : {}), ...(values.whatsapp !== undefined ? { whatsapp: values.whatsapp } : {}) };
      // Refused before the password is asked for, not after it was typed.
      const checked = checkAccount(account, opds);
      if (!checked.ok) throw checked.errors[0]!;
      const u = await users.add({ ...account, password: await readPassword(), passwordChangeDue: !own }, opds ? { opds } : {});
      process.stdout.write(`added ${u.username} (${u.role}${u.station ? `, ${u.station}` : ''}${u.opd ? `, ${u.opd}` : ''})${dueNote}\n`);
    } else if (command === 'passwd' && username) {
      await users.setPassword(username, await readPassword(), { changeDue: !own });
      process.stdout.write(`password of ${username.toLowerCase()} changed${dueNote}\n`);
    } else if (command === 'station' && username && values.station !== undefined) {
      const u = await users.setStation(username, values.station);
      process.stdout.write(`${u.username} now keys calls for ${u.station || 'no station'}\n`);
    } else if (command === 'whatsapp' && username && (values.number !== undefined) !== (values.none === true)) {
      const kept = await users.setWhatsapp(username, values.none ? null : (values.number as string));
      process.stdout.write(kept ? `${username.toLowerCase()} gets the inbox digest on WhatsApp at ${kept}\n` : `${username.toLowerCase()} gets no inbox digest\n`);
    } else if ((command === 'disable' || command === 'enable') && username) {
      await users.setDisabled(username, command === 'disable');
      process.stdout.write(`${username.toLowerCase()} ${command}d\n`);
    } else usage();
  } catch (err) {
    if (!(err instanceof UserError || err instanceof CliRedisError)) throw err;
    process.stderr.write(`error (${err.code}): ${err.message}\n`);
    process.exitCode = 1;
  } finally {
    redis?.disconnect();
  }
}

await main();
