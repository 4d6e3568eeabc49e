import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { processAlive, releaseLockWithin, renewLock, whatsappNumberKey } from '@aduan/queue';

/** How long a number's lock outlives its holder when not renewed (a crash, a release Redis did not get). */
export const NUMBER_LOCK_TTL_MS = 30_000;

/** Another process already runs this number. */
export class NumberLockedError extends Error {
  readonly code = 'ADUAN_ERR_WA_LOCKED';
  constructor(account: string, owner?: LockOwner) {
    const who = owner?.pid ? `process ${owner.pid} on ${owner.host || 'an unknown host'}` : 'another process';
    super(`WhatsApp number ${account} is already running in ${who} (Redis lock held); stop that one first`);
    this.name = 'NumberLockedError';
  }
}

/** Who holds a number: the lock's value. */
interface LockOwner {
  host: string;
  /** The kernel's boot id: pids mean nothing across reboots. */
  boot: string;
  /** The pid namespace: pids mean nothing across containers. */
  pidns: string;
  pid: number;
  token: string;
}

function readOr(read: () => string): string {
  try {
    return read().trim();
  } catch {
    return '';
  }
}

/** This process, as far as it can tell (Linux: boot id and pid namespace; elsewhere those stay empty). */
function me(): LockOwner {
  return {
    host: hostname(),
    boot: readOr(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8')),
    pidns: readOr(() => readlinkSync('/proc/self/ns/pid')),
    pid: process.pid,
    token: randomBytes(12).toString('hex'),
  };
}

function parseOwner(value: string): LockOwner | undefined {
  try {
    const v = JSON.parse(value) as Partial<LockOwner>;
    return typeof v.pid === 'number' ? { host: String(v.host ?? ''), boot: String(v.boot ?? ''), pidns: String(v.pidns ?? ''), pid: v.pid, token: String(v.token ?? '') } : undefined;
  } catch {
    // A lock written before the owner was recorded (a bare token): only its TTL can free it.
    return undefined;
  }
}

/** Locks held by this process, by key: a lock naming our own pid but not held here is a dead predecessor's. */
const heldHere = new Set<string>();

/**
 * Whether the owner is certainly dead: it ran in our pid namespace on this boot of this host (so
 * its pid is one we can ask about), and that pid is gone, or is ours while we do not hold the
 * lock (a predecessor whose pid we got). Anything else, another host or container included,
 * waits for the TTL: pids say nothing there.
 */
function ownerDead(owner: LockOwner, self: LockOwner, key: string): boolean {
  if (!self.boot || !self.pidns || owner.host !== self.host || owner.boot !== self.boot || owner.pidns !== self.pidns || owner.pid <= 0) return false;
  if (owner.pid === self.pid) return !heldHere.has(key);
  return !processAlive(owner.pid);
}

// Takes a dead owner's lock, unless it changed since it was read (another process was faster).
const TAKE_OVER = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 else return 0 end`;

/**
 * One process per number: two sockets on one session make WhatsApp close both with
 * "connection replaced" again and again. The lock expires on its own if the holder dies
 * (30 s), and a process on the same host takes it at once when its holder is certainly dead
 * (its pid gone, in the same pid namespace on the same boot): a supervisor restarting the
 * service after a SIGKILL does not fail on it. If renewing finds it taken by another process,
 * `onLost` stops the socket. The gateway reads it too (whatsappNumberKey): a number nobody holds
 * is served by no running service.
 */
export class NumberLock {
  private readonly self = me();
  private readonly value = JSON.stringify(this.self);
  private timer: NodeJS.Timeout | undefined;
  readonly key: string;
  private readonly redis: Redis;
  private readonly account: string;
  private readonly opts: { ttlMs?: number; onLost?: () => void };

  constructor(redis: Redis, prefix: string, account: string, opts: { ttlMs?: number; onLost?: () => void } = {}) {
    this.redis = redis;
    this.account = account;
    this.opts = opts;
    this.key = whatsappNumberKey(prefix, account);
  }

  async acquire(): Promise<void> {
    const ttl = this.opts.ttlMs ?? NUMBER_LOCK_TTL_MS;
    if ((await this.redis.set(this.key, this.value, 'PX', ttl, 'NX')) !== 'OK') {
      const held = await this.redis.get(this.key);
      const owner = held === null ? undefined : parseOwner(held);
      // Gone meanwhile (expired): one more plain try, so two starting processes never both win.
      const taken = held === null ? (await this.redis.set(this.key, this.value, 'PX', ttl, 'NX')) === 'OK' : owner && ownerDead(owner, this.self, this.key) ? (await this.redis.eval(TAKE_OVER, 1, this.key, held, this.value, ttl)) === 1 : false;
      if (!taken) throw new NumberLockedError(this.account, owner);
    }
    heldHere.add(this.key);
    this.timer = setInterval(() => {
      renewLock(this.redis, this.key, this.value, ttl)
        .then((ours) => {
          if (!ours) {
            clearInterval(this.timer);
            heldHere.delete(this.key);
            this.opts.onLost?.();
          }
        })
        // Redis unreachable: keep trying; the TTL decides whether another process may take over.
        .catch(() => {});
    }, Math.floor(ttl / 3));
    this.timer.unref();
  }

  /**
   * Gives the lock back: true once Redis has deleted it. With Redis away (down, or back from a
   * restart while this connection still waits out its back-off) the delete is not sent, since
   * the connection would hold it until it reconnects, and it is waited for at most 1 s: false,
   * and the lock expires within its TTL. The next start in the same pid namespace on this boot
   * of this host takes it over at once (this pid is gone, see ownerDead); any other waits for the TTL.
   */
  async release(): Promise<boolean> {
    clearInterval(this.timer);
    heldHere.delete(this.key);
    return releaseLockWithin(this.redis, this.key, this.value);
  }
}
