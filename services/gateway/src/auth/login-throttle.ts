import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LuaScript } from '@aduan/queue';
import { clientAddressKey } from './client-address.ts';

/** Counts an attempt; the window starts at the first one and later ones do not extend it. Returns {count, ms left}. */
const ATTEMPT = new LuaScript(`local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}
`);

/** How long a browser that logged in is remembered as one of the account's own (its device token). */
export const DEVICE_TTL_MS = 180 * 24 * 3_600_000;

/** A device token as the gateway makes them (24 random bytes, base64url); anything else is no device. */
const DEVICE_TOKEN = /^[A-Za-z0-9_-]{32}$/;

const hashed = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32);

/** What a login attempt may do: go on (and how long to hold back a failure's answer), or wait. */
export interface Attempt {
  /** Seconds until the pair may try again; 0 when this attempt may go on. */
  blockedSeconds: number;
  /** How long to hold back the answer if the password turns out wrong. */
  delayMs: number;
}

export interface ThrottleOptions {
  maxFailures: number;
  windowMs: number;
  perAddressPerMinute: number;
  /** Logins per account per hour from browsers that never logged into it (0 disables). */
  newDevicePerHour: number;
  freeFailures?: number;
  maxDelayMs?: number;
}

/**
 * Failed logins per (username, client address): after a few failures each answer is delayed
 * (doubling, capped), and past `maxFailures` within the window the pair is refused outright.
 * Keyed by the pair so nobody can lock an operator out mid-broadcast from elsewhere.
 *
 * Each attempt is counted before its password is checked, and a success clears the count: so
 * requests sent in parallel cannot all pass a check made before any of them failed, and at most
 * `maxFailures` passwords per window are ever tried. The key holds a hash of the pair, so a
 * client cannot make Redis keep long usernames.
 *
 * Each address (an IPv6 client by its /64, see clientAddressKey) may also try `perAddressPerMinute`
 * logins a minute whatever the usernames: each costs a password hash. Counted in Redis, so the
 * page's form and the API, and every gateway replica, share the count.
 *
 * And each account may be logged into from browsers it was never logged into from at most
 * `newDevicePerHour` times an hour, from however many addresses (OWASP's device cookies): guesses
 * spread over many addresses stop there, while its own staff, whose browsers hold a device token
 * from an earlier login, log in as usual. Counted before the password is checked, like the pair.
 * A known browser's own logins of the account are counted too, whatever their addresses: past
 * `maxFailures` without a success in the window it is forgotten for that account and counts as a
 * new one (OWASP: lock out the device cookie), so a device token taken from a staff computer, or
 * one an attacker got by logging in with a stolen password, cannot carry guesses across a botnet.
 */
export class LoginThrottle {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly opts: ThrottleOptions;

  constructor(redis: Redis, prefix: string, opts: ThrottleOptions) {
    this.redis = redis;
    this.prefix = prefix;
    this.opts = opts;
  }

  private key(username: string, ip: string) {
    return `${this.prefix}:login-fail:${hashed(`${username}|${clientAddressKey(ip)}`)}`;
  }

  private deviceKey(token: string) {
    return `${this.prefix}:login-device:${hashed(token)}`;
  }

  /** Whether `token` (a browser's device cookie) is one some account logged in with. */
  async isDevice(token: string | undefined): Promise<boolean> {
    return token !== undefined && DEVICE_TOKEN.test(token) && (await this.redis.exists(this.deviceKey(token))) === 1;
  }

  /** Whether `token` (the browser's device cookie) is one this account logged in with. */
  async knownDevice(username: string, token: string | undefined): Promise<boolean> {
    return token !== undefined && DEVICE_TOKEN.test(token) && (await this.redis.sismember(this.deviceKey(token), username)) === 1;
  }

  private deviceTriesKey(username: string, token: string) {
    return `${this.prefix}:login-device-try:${hashed(`${token}|${username}`)}`;
  }

  /**
   * Counts a login of this account from one of its known browsers, before its password is checked:
   * false once the browser has tried more than `maxFailures` times without a success in the
   * window. It is then no longer the account's own (the caller counts it as a new browser).
   */
  async knownDeviceAttempt(username: string, token: string): Promise<boolean> {
    const tries = this.deviceTriesKey(username, token);
    const [n] = (await ATTEMPT.run(this.redis, [tries], [this.opts.windowMs])) as [number, number];
    if (n <= this.opts.maxFailures) return true;
    await this.redis.multi().srem(this.deviceKey(token), username).del(tries).exec();
    return false;
  }

  /** Counts a login of this account from a browser it does not know; returns the seconds to wait when over the hourly limit, else 0. */
  async newDeviceAttempt(username: string): Promise<number> {
    if (this.opts.newDevicePerHour <= 0) return 0;
    const [n, ttl] = (await ATTEMPT.run(this.redis, [`${this.prefix}:login-new:${hashed(username)}`], [3_600_000])) as [number, number];
    return n > this.opts.newDevicePerHour ? Math.max(1, Math.ceil(ttl / 1000)) : 0;
  }

  /**
   * Remembers the browser of a successful login as one of this account's, for DEVICE_TTL_MS from
   * now: its device token, or a new one when it has none (or one Redis no longer knows). One
   * browser may be several accounts' own: the radio station's desk computer, shared by shift.
   * `known`: knownDevice said so already for this account (no need to ask Redis again).
   */
  async rememberDevice(username: string, token: string | undefined, known = false): Promise<string> {
    const kept = known || (await this.isDevice(token)) ? token! : randomBytes(24).toString('base64url');
    await this.redis.multi().sadd(this.deviceKey(kept), username).pexpire(this.deviceKey(kept), DEVICE_TTL_MS).exec();
    return kept;
  }

  /** Counts a login from this address; returns the seconds to wait when over the per-minute limit, else 0. */
  async addressAttempt(ip: string): Promise<number> {
    if (this.opts.perAddressPerMinute <= 0) return 0;
    const key = `${this.prefix}:login-addr:${hashed(clientAddressKey(ip))}`;
    const [n, ttl] = (await ATTEMPT.run(this.redis, [key], [60_000])) as [number, number];
    return n > this.opts.perAddressPerMinute ? Math.max(1, Math.ceil(ttl / 1000)) : 0;
  }

  /** Counts an attempt of this pair, before its password is checked. */
  async attempt(username: string, ip: string): Promise<Attempt> {
    const [n, ttl] = (await ATTEMPT.run(this.redis, [this.key(username, ip)], [this.opts.windowMs])) as [number, number];
    if (n > this.opts.maxFailures) return { blockedSeconds: Math.max(1, Math.ceil(ttl / 1000)), delayMs: 0 };
    const free = this.opts.freeFailures ?? 2;
    return { blockedSeconds: 0, delayMs: n <= free ? 0 : Math.min(250 * 2 ** (n - free - 1), this.opts.maxDelayMs ?? 4_000) };
  }

  /** A right password: the pair's failures, and the browser's if it is one of the account's, are forgotten. */
  async succeed(username: string, ip: string, knownDevice?: string): Promise<void> {
    await this.redis.del(this.key(username, ip), ...(knownDevice ? [this.deviceTriesKey(username, knownDevice)] : []));
  }
}
