import type { Redis } from 'ioredis';
import type { GatewayEnv } from '../config.ts';
import { LoginThrottle } from './login-throttle.ts';
import { SessionStore } from './session-store.ts';
import { UserStore } from './user-store.ts';

export const SESSION_COOKIE = 'aduan_session';
/** A browser that logged in before: not held to LOGIN_NEW_DEVICE_PER_HOUR for that account. */
export const DEVICE_COOKIE = 'aduan_device';

/**
 * The cookies' names. Secure ones (HTTPS, NODE_ENV=production) carry the `__Host-` prefix: a
 * browser takes such a cookie only from this very host, over HTTPS, for path `/`, so another
 * site under the city's domain (a sibling `*.blitarkota.go.id`, however poorly kept) cannot plant
 * a session or device cookie that this gateway would read. Over plain HTTP (development) browsers
 * refuse the prefix, so the names stay plain.
 */
function cookieNames(secure: boolean): { session: string; device: string } {
  const prefix = secure ? '__Host-' : '';
  return { session: `${prefix}${SESSION_COOKIE}`, device: `${prefix}${DEVICE_COOKIE}` };
}

/** Accounts, sessions and login throttling, shared by the desk and (later) the admin pages. */
export interface AuthDeps {
  users: UserStore;
  sessions: SessionStore;
  throttle: LoginThrottle;
  /** `name`: the session cookie's; `deviceName`: the device cookie's (cookieNames). */
  cookie: { name: string; deviceName: string; secure: boolean; maxAgeSeconds: number };
}

export function createAuthDeps(config: GatewayEnv, redis: Redis, prefix: string): AuthDeps {
  const secure = config.SESSION_COOKIE_SECURE === undefined ? config.NODE_ENV === 'production' : config.SESSION_COOKIE_SECURE === 'true' || config.SESSION_COOKIE_SECURE === '1';
  const names = cookieNames(secure);
  return {
    users: new UserStore(redis, prefix),
    sessions: new SessionStore(redis, prefix, { idleMs: config.SESSION_IDLE_TIMEOUT, maxAgeMs: config.SESSION_MAX_AGE }),
    throttle: new LoginThrottle(redis, prefix, { maxFailures: config.LOGIN_MAX_FAILURES, windowMs: config.LOGIN_FAILURE_WINDOW, perAddressPerMinute: config.LOGIN_RATE_LIMIT_PER_MINUTE, newDevicePerHour: config.LOGIN_NEW_DEVICE_PER_HOUR }),
    cookie: { name: names.session, deviceName: names.device, secure, maxAgeSeconds: Math.ceil(config.SESSION_MAX_AGE / 1000) },
  };
}
