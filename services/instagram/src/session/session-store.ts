import type { Redis } from 'ioredis';
import type { IgClientLike } from '../client/ig-client-like.ts';

/**
 * The serialized client state (cookies, device ids, authorization header) in Redis, so a
 * restart or a move to another host resumes the same Instagram session instead of logging
 * in again (fresh logins from new devices are what triggers checkpoints).
 */
export class SessionStore {
  private readonly redis: Redis;
  private readonly key: string;

  constructor(redis: Redis, key: string) {
    this.redis = redis;
    this.key = key;
  }

  async save(client: IgClientLike): Promise<void> {
    const state = await client.state.serialize();
    // The library's constants (app version, keys) come from the installed version, not the session.
    delete state.constants;
    await this.redis.set(this.key, JSON.stringify({ savedAt: new Date().toISOString(), state }));
  }

  /** Restores a saved session into the client; false when there is none. */
  async restore(client: IgClientLike): Promise<boolean> {
    const raw = await this.redis.get(this.key);
    if (!raw) return false;
    const saved = JSON.parse(raw) as { state: Record<string, unknown> };
    await client.state.deserialize(saved.state);
    return true;
  }

  async exists(): Promise<boolean> {
    return (await this.redis.exists(this.key)) === 1;
  }

  /** Only when Instagram says the session is gone (login_required / logged out). */
  async clear(): Promise<void> {
    await this.redis.del(this.key);
  }
}
