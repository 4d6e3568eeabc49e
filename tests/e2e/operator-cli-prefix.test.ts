import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '@aduan/queue';
import { testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { serviceUserOf, startCli } from '../support/operator-cli.ts';

/**
 * An operator's command run with a QUEUE_PREFIX other than the one Redis was locked for (the
 * services' `{aduan}` left out of the shell, say) is refused by the service user. It must say
 * that QUEUE_PREFIX is wrong: told instead to use the admin URL, the operator's command would
 * then work on an empty prefix (an account the gateway never sees; attachments:prune finding no
 * job that uses a photo, and deleting it).
 */
const script = (name: string) => fileURLToPath(new URL(`../../services/gateway/scripts/${name}`, import.meta.url));
const url = testRedisUrl();
const prefix = uniquePrefix('cliprefix');
const serviceUser = serviceUserOf(url, prefix, 'cli-prefix');
const dir = mkdtempSync(join(tmpdir(), 'aduan-cli-prefix-'));
let admin: Redis;

beforeAll(async () => {
  admin = createRedis(url, 'worker');
  await serviceUser.create(admin);
});
afterAll(async () => {
  await serviceUser.remove(admin);
  admin.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

describe('operator commands with a QUEUE_PREFIX other than the lock of Redis', () => {
  it.each([
    ['user.ts', ['list']],
    ['opd-key.ts', ['list']],
    ['jobs.ts', ['failed']],
    ['complaint-erase.ts', ['ADU-7K3M-9Q2X']],
    ['attachments-prune.ts', []],
  ])('%s %s says QUEUE_PREFIX is wrong, not that it needs the admin user', async (name, args) => {
    const env = { REDIS_URL: serviceUser.url, QUEUE_PREFIX: `${prefix}-other`, SPOOL_DIR: dir, ATTACHMENT_DIR: dir };
    const run = await startCli(script(name), env, args).done;
    expect(run.code, run.err).toBe(1);
    expect(run.err).toMatch(/^error \(redis_refused\): .*the user may not use the keys under ".*-other:" \(NOPERM\): QUEUE_PREFIX must be the prefix Redis was locked for/);
    expect(run.err).not.toContain('This needs the admin user');
    // The same command with the lock's prefix runs.
    const right = await startCli(script(name), { ...env, QUEUE_PREFIX: prefix }, args).done;
    expect(right.code, right.err).toBe(name === 'complaint-erase.ts' ? 3 : 0);
  });
});
