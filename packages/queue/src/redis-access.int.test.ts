import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { probeRedis } from './redis-access.ts';

const url = testRedisUrl();
const prefix = uniquePrefix('access');
const user = `access-test-${randomBytes(4).toString('hex')}`;
const password = randomBytes(16).toString('hex');
let admin: Redis;

/** REDIS_URL as a service would have it, with the test's user. */
function urlOf(name: string) {
  const u = new URL(url);
  u.username = name;
  u.password = password;
  return u.toString();
}

beforeAll(() => {
  admin = new Redis(url);
});
afterAll(async () => {
  await admin.call('ACL', 'DELUSER', user);
  admin.disconnect();
});

describe('probeRedis at a service start', () => {
  it('refuses a user that may not run INFO, which BullMQ needs before anything else (the service would spin at full CPU)', async () => {
    await admin.call('ACL', 'SETUSER', user, 'reset', 'on', `>${password}`, `~${prefix}:*`, '&*', '+@all', '-info');
    expect(await probeRedis(urlOf(user), 2_000, prefix)).toEqual({ state: 'refused', reason: "the user may not run INFO (NOPERM): BullMQ needs it, and so do /metrics' Redis memory gauges; give the user +info" });
    await admin.call('ACL', 'SETUSER', user, '+info');
    expect(await probeRedis(urlOf(user), 2_000, prefix)).toEqual({ state: 'ready' });
  });
});
