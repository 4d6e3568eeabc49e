import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/** An admin's decision that could not be made yet (their session had expired): kept to be confirmed after logging in. */
export interface AssignDraft {
  /** The complaint. */
  id: string;
  opd: string;
  note: string;
  /** The revision the admin decided on. */
  revision?: number;
  /** The item that followed it on the page. */
  next?: string;
}

/** The cookie naming the draft: read only by the triage pages (its path), like the session SameSite=Strict. */
export const DRAFT_COOKIE = 'aduan_triage_draft';
/** How long a draft waits for its admin to log in again. */
export const DRAFT_TTL_SECONDS = 30 * 60;

/**
 * Drafts of assignments sent with an expired session. The note is what the admin typed for the
 * OPD, so it goes neither into a URL (access logs) nor into the browser's cookie jar: Redis keeps
 * it for DRAFT_TTL_SECONDS under the sha256 of a random id, and the cookie carries the id.
 */
export class AssignDraftStore {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.redis = redis;
    this.prefix = prefix;
  }

  private key(token: string) {
    return `${this.prefix}:triage-draft:${createHash('sha256').update(token).digest('hex')}`;
  }

  /** Keeps the draft; returns the id for the cookie. */
  async save(draft: AssignDraft): Promise<string> {
    const token = randomBytes(24).toString('base64url');
    await this.redis.set(this.key(token), JSON.stringify(draft), 'EX', DRAFT_TTL_SECONDS);
    return token;
  }

  /** The draft the cookie names, when it is for this complaint. */
  async get(token: string | undefined, id: string): Promise<AssignDraft | null> {
    if (!token || token.length > 64) return null;
    const raw = await this.redis.get(this.key(token));
    const draft = raw ? (JSON.parse(raw) as AssignDraft) : null;
    return draft?.id === id ? draft : null;
  }

  async drop(token: string | undefined): Promise<void> {
    if (token && token.length <= 64) await this.redis.del(this.key(token));
  }
}
