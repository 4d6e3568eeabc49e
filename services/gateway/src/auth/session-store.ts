import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface Session {
  username: string;
  createdAt: number;
  /** The user's session epoch at login (StoredUser.sessionEpoch); absent in sessions made before it existed. */
  epoch?: number;
}

/**
 * Server-side sessions: the cookie carries a random 256-bit id; Redis keeps only its sha256
 * (a leaked dump gives no usable cookie). The key's TTL is the idle timeout, refreshed on use,
 * capped by an absolute maximum age.
 */
export class SessionStore {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly opts: { idleMs: number; maxAgeMs: number };

  constructor(redis: Redis, prefix: string, opts: { idleMs: number; maxAgeMs: number }) {
    this.redis = redis;
    this.prefix = prefix;
    this.opts = opts;
  }

  private key(id: string) {
    return `${this.prefix}:session:${createHash('sha256').update(id).digest('hex')}`;
  }

  async create(username: string, epoch: number): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    await this.redis.set(this.key(id), JSON.stringify({ username, createdAt: Date.now(), epoch } satisfies Session), 'PX', Math.min(this.opts.idleMs, this.opts.maxAgeMs));
    return id;
  }

  /**
   * The session, with its idle timer restarted (unless `refresh` is false: a page polling in the
   * background is no sign of someone at the desk); null when unknown, expired or past its
   * maximum age.
   */
  async touch(id: string, refresh = true): Promise<Session | null> {
    if (!id || id.length > 100) return null;
    const key = this.key(id);
    const raw = await this.redis.get(key);
    if (!raw) return null;
    const session = JSON.parse(raw) as Session;
    const left = session.createdAt + this.opts.maxAgeMs - Date.now();
    if (left <= 0) {
      await this.redis.del(key);
      return null;
    }
    if (refresh) await this.redis.pexpire(key, Math.min(this.opts.idleMs, left));
    return session;
  }

  async destroy(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }
}
