import { Redis } from 'ioredis';
import { exitConfig } from '@aduan/config';

/** What a Redis URL reaches: a Redis that takes commands, nothing, or a Redis that refuses its credentials. */
export type RedisProbe = { state: 'ready' } | { state: 'away' } | { state: 'refused'; reason: string };

/** Redis's replies to a client without a valid user and password, or to a user without the right. */
const REFUSAL = /^(NOAUTH|WRONGPASS|NOPERM)\b/;

/** Redis's refusal in a few words: its NOAUTH text is about the HELLO command, not the operator's mistake. */
function plainReason(message: string): string {
  if (message.startsWith('NOAUTH')) return 'it asks for a user and password (NOAUTH)';
  if (message.startsWith('WRONGPASS')) return 'no such user, a wrong password, or the user is off (WRONGPASS)';
  return message.split('\n')[0]!;
}

/**
 * One connection attempt and a PING, no retries: how Redis at `url` answers now. With a
 * `keyPrefix`, also whether its user may use the keys under it (a locked Redis's service user
 * may use only the prefix it was locked for).
 */
export async function probeRedis(url: string, timeoutMs = 800, keyPrefix?: string): Promise<RedisProbe> {
  const r = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, retryStrategy: () => null });
  let refusal: string | undefined;
  // ioredis reports a refused HELLO or AUTH as an 'error' event, then closes the connection.
  r.on('error', (err: Error) => {
    if (REFUSAL.test(err.message)) refusal ??= err.message;
  });
  try {
    await r.connect();
    if ((await r.ping()) !== 'PONG') return { state: 'away' };
  } catch (err) {
    refusal ??= REFUSAL.test((err as Error).message) ? (err as Error).message : undefined;
    r.disconnect();
    return refusal ? { state: 'refused', reason: plainReason(refusal) } : { state: 'away' };
  }
  try {
    if (keyPrefix !== undefined) await r.exists(`${keyPrefix}:access-check`);
  } catch (err) {
    r.disconnect();
    const message = (err as Error).message;
    if (message.startsWith('NOPERM')) return { state: 'refused', reason: `the user may not use the keys under "${keyPrefix}:" (NOPERM): QUEUE_PREFIX must be the prefix Redis was locked for` };
    return { state: 'away' };
  }
  try {
    // BullMQ reads Redis's version with INFO before its first command: refused, a service never
    // starts, busy at full CPU (seen with a user made without +info), so the start says so instead.
    if (keyPrefix !== undefined) await r.info('server');
    return { state: 'ready' };
  } catch (err) {
    const message = (err as Error).message;
    if (message.startsWith('NOPERM')) return { state: 'refused', reason: 'the user may not run INFO (NOPERM): BullMQ needs it, and so do /metrics\' Redis memory gauges; give the user +info' };
    return { state: 'away' };
  } finally {
    r.disconnect();
  }
}

/** What to tell an operator whose Redis refused the user and password of `url` (which it does not repeat). */
export function refusedMessage(url: string, reason: string): string {
  const { host, username } = new URL(url);
  const who = username ? `the user "${decodeURIComponent(username)}" and password of REDIS_URL` : 'a client without a user and password (REDIS_URL names none)';
  return `Redis at ${host} refused ${who}: ${reason}\nSet REDIS_URL=redis://<user>:<password>@${host} as \`pnpm redis:lock\` printed it: REDIS_URL for the services and most tools, REDIS_ADMIN_URL for redis:lock and opd-key:redis-user (docs/operations.md, "Locking Redis").`;
}

/**
 * For a service's start: a Redis that refuses the credentials of REDIS_URL is a configuration
 * mistake, so the service says so and exits with EXIT_CONFIG rather than spooling forever. A
 * Redis that is away is not: the service starts and spools until it comes.
 */
export async function exitIfRedisRefuses(url: string, keyPrefix: string): Promise<void> {
  const probe = await probeRedis(url, 3_000, keyPrefix);
  if (probe.state === 'refused') exitConfig(refusedMessage(url, probe.reason));
}
