import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';

/** An OPD's API key as the gateway knows it: never the key itself, only its hash. */
export interface OpdKey {
  /** Public handle (the first 12 hex digits of the key's SHA-256): shown by `opd-key:list`, used to revoke. */
  id: string;
  opd: string;
  label: string;
  createdAt: string;
  revokedAt?: string;
}

const KEY_PREFIX = 'aduan_opd_';

/**
 * Per-OPD API keys for the OPD API (`/api/v1/opd/...`): each key acts for exactly one OPD. A
 * key is 256 random bits, shown once when created; Redis keeps its SHA-256 only (one hash per
 * key plus a set of ids), so a copy of Redis does not hand out working keys. Keys are
 * revoked, not deleted, so `opd-key:list` keeps the record of who had access.
 */
export class OpdKeyStore {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.redis = redis;
    this.prefix = prefix;
  }

  private key(id: string) {
    return `${this.prefix}:opdkey:${id}`;
  }
  private get indexKey() {
    return `${this.prefix}:opdkeys`;
  }

  /** Makes a key for `opd`; the returned `secret` is the only copy. */
  async create(opd: string, label: string): Promise<{ key: OpdKey; secret: string }> {
    const secret = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const digest = hash('sha256', secret);
    const key: OpdKey = { id: digest.slice(0, 12), opd, label, createdAt: new Date().toISOString() };
    await this.redis.multi().hset(this.key(key.id), { ...key, sha256: digest }).sadd(this.indexKey, key.id).exec();
    return { key, secret };
  }

  /** The key a request presented, or null when it is unknown, malformed or revoked. */
  async verify(secret: string): Promise<OpdKey | null> {
    if (!secret.startsWith(KEY_PREFIX) || secret.length > 100) return null;
    const digest = hash('sha256', secret);
    const h = await this.redis.hgetall(this.key(digest.slice(0, 12)));
    if (!h.sha256 || h.revokedAt || h.sha256.length !== digest.length || !timingSafeEqual(Buffer.from(h.sha256), Buffer.from(digest))) return null;
    return toKey(h);
  }

  async list(): Promise<OpdKey[]> {
    const ids = await this.redis.smembers(this.indexKey);
    const all = await Promise.all(ids.map((id) => this.redis.hgetall(this.key(id))));
    return all.filter((h) => h.id).map(toKey).sort((a, b) => a.opd.localeCompare(b.opd) || a.createdAt.localeCompare(b.createdAt));
  }

  /** Revokes a key by its id; false when there is no such key. */
  async revoke(id: string): Promise<boolean> {
    if (!/^[0-9a-f]{12}$/.test(id) || !(await this.redis.exists(this.key(id)))) return false;
    await this.redis.hsetnx(this.key(id), 'revokedAt', new Date().toISOString());
    return true;
  }
}

function toKey(h: Record<string, string>): OpdKey {
  return { id: h.id ?? '', opd: h.opd ?? '', label: h.label ?? '', createdAt: h.createdAt ?? '', ...(h.revokedAt ? { revokedAt: h.revokedAt } : {}) };
}
