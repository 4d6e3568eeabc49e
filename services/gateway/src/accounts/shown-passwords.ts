import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/** How long the page of a password the accounts page made can be opened again (a reload): a few minutes. */
export const SHOWN_PASSWORD_TTL_MS = 5 * 60_000;

/** A password the page made: for a new account (`added`) or a reset. */
export interface ShownPassword {
  password: string;
  added: boolean;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * The passwords the accounts page made, kept so that their page is a GET after a redirect (a
 * reload no longer sends the form again): for SHOWN_PASSWORD_TTL_MS, bound to the admin's
 * session, one per account. Redis holds each encrypted (AES-256-GCM, the account's name as
 * associated data) under a key derived from the session id, which Redis never holds (SessionStore
 * keeps its sha256 only): a copy of Redis shows none of them, and another session, or the same
 * admin logged in again, reads none. Nothing logs them.
 */
export class ShownPasswords {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.redis = redis;
    this.prefix = prefix;
  }

  private key(sessionId: string, username: string) {
    return `${this.prefix}:shown-password:${sha256(`${sessionId}|${username}`)}`;
  }

  private static cipherKey(sessionId: string): Buffer {
    return Buffer.from(hkdfSync('sha256', sessionId, 'aduan', 'shown-password', 32));
  }

  async keep(sessionId: string, username: string, shown: ShownPassword): Promise<void> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', ShownPasswords.cipherKey(sessionId), iv).setAAD(Buffer.from(username));
    const sealed = Buffer.concat([cipher.update(JSON.stringify(shown), 'utf8'), cipher.final()]);
    const value = Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
    await this.redis.set(this.key(sessionId, username), value, 'PX', SHOWN_PASSWORD_TTL_MS);
  }

  /** The password kept for this session and account; null once it expired (or was never made here). */
  async read(sessionId: string, username: string): Promise<ShownPassword | null> {
    const value = await this.redis.get(this.key(sessionId, username));
    if (!value) return null;
    const raw = Buffer.from(value, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', ShownPasswords.cipherKey(sessionId), raw.subarray(0, 12)).setAAD(Buffer.from(username));
    decipher.setAuthTag(raw.subarray(12, 28));
    return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')) as ShownPassword;
  }
}
