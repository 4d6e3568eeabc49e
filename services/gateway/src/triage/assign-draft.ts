import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LuaScript } from '@aduan/queue';

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
 * Drafts kept for requests without a valid session, all addresses together, per DRAFT_TTL_SECONDS.
 * Anyone may send the form without a session, and the per-address login limit does not bound a
 * client with many addresses (an IPv6 /48 holds 65,536 /64s): this bounds what they can make
 * Redis keep (each draft is at most a few kB) to a few MB. A handful of admins never come near it;
 * past it, an expired session's form goes to the login page without its draft, as before drafts.
 */
export const MAX_ANONYMOUS_DRAFTS = 200;
/**
 * Drafts kept per browser some account logged in from (its device cookie), per DRAFT_TTL_SECONDS,
 * instead of MAX_ANONYMOUS_DRAFTS. Its own budget, so that nobody can use it up for an admin; and a
 * budget, because every operator's browser holds such a cookie (and keeps it after its account is
 * disabled): sent from many addresses, one cookie must not make Redis keep drafts without end.
 */
export const MAX_DEVICE_DRAFTS = 20;

/** Counts a draft against the window's budget and keeps it only within it: 1 kept, 0 over budget. */
const SAVE_WITHIN_BUDGET = new LuaScript(`local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
if n > tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[2])
return 1
`);

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

  /** Keeps the draft of a logged-in admin; returns the id for the cookie. */
  async save(draft: AssignDraft): Promise<string> {
    const token = randomBytes(24).toString('base64url');
    await this.redis.set(this.key(token), JSON.stringify(draft), 'EX', DRAFT_TTL_SECONDS);
    return token;
  }

  /** Keeps the draft of a request without a session, within MAX_ANONYMOUS_DRAFTS; returns the id for the cookie, or null. */
  async saveAnonymous(draft: AssignDraft): Promise<string | null> {
    const token = randomBytes(24).toString('base64url');
    const kept = await SAVE_WITHIN_BUDGET.run(this.redis, [`${this.prefix}:triage-draft-budget`, this.key(token)], [MAX_ANONYMOUS_DRAFTS, DRAFT_TTL_SECONDS, JSON.stringify(draft)]);
    return kept === 1 ? token : null;
  }

  /** Keeps the draft of a request without a session from a browser some account logged in from, within MAX_DEVICE_DRAFTS for that browser; returns the id for the cookie, or null. */
  async saveForDevice(draft: AssignDraft, device: string): Promise<string | null> {
    const token = randomBytes(24).toString('base64url');
    const budget = `${this.prefix}:triage-draft-budget:${createHash('sha256').update(device).digest('hex').slice(0, 32)}`;
    const kept = await SAVE_WITHIN_BUDGET.run(this.redis, [budget, this.key(token)], [MAX_DEVICE_DRAFTS, DRAFT_TTL_SECONDS, JSON.stringify(draft)]);
    return kept === 1 ? token : null;
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
