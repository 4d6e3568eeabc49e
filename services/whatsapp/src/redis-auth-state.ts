import { BufferJSON, initAuthCreds, proto, type AuthenticationCreds, type AuthenticationState, type SignalDataTypeMap } from '@whiskeysockets/baileys';
import type { Redis } from 'ioredis';

export interface RedisAuthState {
  state: AuthenticationState;
  /** Persist the creds (call on every 'creds.update'). */
  saveCreds(): Promise<void>;
  /** Forget the session (only after a real logout): the next start pairs again. */
  clear(): Promise<void>;
  /** Whether a paired session was found. */
  readonly registered: boolean;
}

/**
 * Baileys auth state (creds + signal keys) in Redis instead of the multi-file store Baileys
 * warns against in production. Every key update is written before Baileys continues; values
 * are encoded with BufferJSON exactly like the file store, so a session can be migrated.
 * Use a connection with an offline queue (role 'worker'): a key write during a Redis blip must
 * wait, not be dropped, or the session's signal state goes out of step.
 */
export async function useRedisAuthState(redis: Redis, prefix: string, account: string): Promise<RedisAuthState> {
  const credsKey = `${prefix}:wa:auth:${account}:creds`;
  const keysKey = `${prefix}:wa:auth:${account}:keys`;
  const raw = await redis.get(credsKey);
  const creds: AuthenticationCreds = raw ? (JSON.parse(raw, BufferJSON.reviver) as AuthenticationCreds) : initAuthCreds();

  const state: AuthenticationState = {
    creds,
    keys: {
      get: async <T extends keyof SignalDataTypeMap>(type: T, ids: string[]) => {
        const out: { [id: string]: SignalDataTypeMap[T] } = {};
        if (ids.length === 0) return out;
        const values = await redis.hmget(keysKey, ...ids.map((id) => `${type}:${id}`));
        ids.forEach((id, i) => {
          const v = values[i];
          if (!v) return;
          let value = JSON.parse(v, BufferJSON.reviver);
          if (type === 'app-state-sync-key') value = proto.Message.AppStateSyncKeyData.fromObject(value);
          out[id] = value as SignalDataTypeMap[T];
        });
        return out;
      },
      set: async (data) => {
        const m = redis.multi();
        let n = 0;
        for (const type of Object.keys(data) as (keyof SignalDataTypeMap)[]) {
          for (const [id, value] of Object.entries(data[type] ?? {})) {
            if (value) m.hset(keysKey, `${type}:${id}`, JSON.stringify(value, BufferJSON.replacer));
            else m.hdel(keysKey, `${type}:${id}`);
            n++;
          }
        }
        if (n > 0) await m.exec();
      },
      clear: async () => {
        await redis.del(keysKey);
      },
    },
  };
  return {
    state,
    registered: Boolean(raw && creds.registered),
    saveCreds: async () => {
      await redis.set(credsKey, JSON.stringify(state.creds, BufferJSON.replacer));
    },
    clear: async () => {
      await redis.del(credsKey, keysKey);
    },
  };
}
