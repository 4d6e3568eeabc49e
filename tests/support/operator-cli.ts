import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { serviceUserRules } from '@aduan/gateway';

export interface CliRun {
  code: number | null;
  out: string;
  err: string;
}

/**
 * Starts an operator's command (a script of services/gateway/scripts) as a child process, as
 * `pnpm --filter @aduan/gateway <command>` runs it, with `env` over this process's environment.
 * `done` settles when it exits; the child is returned so that a test can stop it half-way.
 */
export function startCli(script: string, env: Record<string, string>, args: string[]) {
  const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const done = new Promise<CliRun>((resolve) => child.once('close', (code) => resolve({ code, out, err })));
  return { child, done };
}

/**
 * A service user of a locked Redis (`pnpm redis:lock`'s rules for `prefix`), under a name of its
 * own: what the operator's commands run as in production. `url` is `redisUrl` with its
 * credentials; `create` and `remove` take an admin connection.
 */
export function serviceUserOf(redisUrl: string, prefix: string, tag: string) {
  const name = `${tag}-${randomBytes(4).toString('hex')}`;
  const password = randomBytes(16).toString('hex');
  const u = new URL(redisUrl);
  u.username = name;
  u.password = password;
  return {
    url: u.toString(),
    create: (admin: Redis) => admin.call('ACL', 'SETUSER', name, ...serviceUserRules(prefix, createHash('sha256').update(password).digest('hex'))),
    remove: (admin: Redis) => admin.call('ACL', 'DELUSER', name),
  };
}
