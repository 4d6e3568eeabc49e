import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ChatMessage } from './chat-message.ts';
import type { ConversationSnapshot, StoredMessage } from './build-complaint.ts';

/**
 * Open conversations in Redis. Every state change is one Lua script, so two replicas (or a
 * redelivery racing the original) never append twice or close the same conversation twice.
 *
 *   <p>:seen:<channel>:<account>:<msgHash>   message already taken (TTL: seenTtlSeconds)
 *   <p>:open:<member>          list of StoredMessage JSON, arrival order
 *   <p>:open:<member>:meta     hash: channel, account, senderId, threadId, firstMessageId, firstAt, lastAt, openedAt
 *   <p>:due                    zset member -> wall-clock ms when the quiet period ends
 *   <p>:closing:<token>[:meta] a claimed conversation being turned into a complaint
 *   <p>:closing                zset token -> claim time (a crash mid-close is finished by recover())
 *
 * <member> is `<channel>:<account>:<sha256(sender)>`. On Redis Cluster use a hash-tagged
 * prefix ("{aduan}") so all keys share a slot.
 */

const INGEST = `
if redis.call('EXISTS', KEYS[1]) == 1 then return {0, 0} end
local open = redis.call('EXISTS', KEYS[2]) == 1
if ARGV[7] == 'amend' and not open then
  redis.call('SET', KEYS[1], '1', 'EX', ARGV[6])
  return {4, 0}
end
if ARGV[7] == 'append' and open then
  local last = tonumber(redis.call('HGET', KEYS[3], 'lastAt') or '0')
  local n = redis.call('LLEN', KEYS[2])
  if tonumber(ARGV[2]) - last > tonumber(ARGV[3]) or n >= tonumber(ARGV[8]) then return {2, n} end
end
redis.call('SET', KEYS[1], '1', 'EX', ARGV[6])
local n = redis.call('RPUSH', KEYS[2], ARGV[1])
if n == 1 then
  redis.call('HSET', KEYS[3], 'channel', ARGV[9], 'account', ARGV[10], 'senderId', ARGV[11], 'threadId', ARGV[12],
    'firstMessageId', ARGV[13], 'firstAt', ARGV[14], 'lastAt', ARGV[2], 'openedAt', ARGV[16])
elseif tonumber(ARGV[2]) > tonumber(redis.call('HGET', KEYS[3], 'lastAt') or '0') then
  redis.call('HSET', KEYS[3], 'lastAt', ARGV[2])
end
local opened = tonumber(redis.call('HGET', KEYS[3], 'openedAt') or ARGV[16])
local due = math.min(tonumber(ARGV[4]), opened + tonumber(ARGV[15]))
redis.call('ZADD', KEYS[4], due, ARGV[5])
return {1, n}
`;

const CLAIM = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('ZREM', KEYS[3], ARGV[1])
  redis.call('DEL', KEYS[2])
  return 0
end
if ARGV[3] ~= '1' then
  local due = redis.call('ZSCORE', KEYS[3], ARGV[1])
  if due and tonumber(due) > tonumber(ARGV[2]) then return 0 end
end
redis.call('RENAME', KEYS[1], KEYS[4])
redis.call('RENAME', KEYS[2], KEYS[5])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZADD', KEYS[6], ARGV[2], ARGV[4])
return 1
`;

export type IngestOutcome = 'duplicate' | 'appended' | 'split' | 'orphan-amend';

export interface IngestReply {
  outcome: IngestOutcome;
  /** Messages in the conversation after the append. */
  count: number;
}

export interface StoreOptions {
  /** Key prefix, e.g. `aduan` (keys live under `<prefix>:conv:`). */
  prefix: string;
  quietMs: number;
  maxOpenMs: number;
  maxMessages: number;
  seenTtlSeconds: number;
}

function sha(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 32);
}

export function conversationMember(channel: string, account: string, senderId: string): string {
  return `${channel}:${account}:${sha(`${channel}\u0000${senderId}`)}`;
}

export class ConversationStore {
  private readonly p: string;
  private readonly shas = new Map<string, string>();
  private readonly redis: Redis;
  private readonly opts: StoreOptions;

  constructor(redis: Redis, opts: StoreOptions) {
    this.redis = redis;
    this.opts = opts;
    this.p = `${opts.prefix}:conv`;
  }

  /** EVALSHA with a fallback to EVAL when the script cache was flushed (Redis restart). */
  private async run(lua: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    let digest = this.shas.get(lua);
    if (!digest) {
      digest = createHash('sha1').update(lua).digest('hex');
      this.shas.set(lua, digest);
    }
    try {
      return await this.redis.evalsha(digest, keys.length, ...keys, ...args);
    } catch (err) {
      if (!String((err as Error).message).includes('NOSCRIPT')) throw err;
      return this.redis.eval(lua, keys.length, ...keys, ...args);
    }
  }

  async ingest(msg: StoredMessage, mode: 'append' | 'amend', nowMs: number): Promise<IngestReply & { member: string }> {
    const member = conversationMember(msg.channel, msg.account, msg.senderId);
    const atMs = Date.parse(msg.at);
    const keys = [
      `${this.p}:seen:${msg.channel}:${msg.account}:${sha(msg.messageId)}`,
      `${this.p}:open:${member}`,
      `${this.p}:open:${member}:meta`,
      `${this.p}:due`,
    ];
    const args = [
      JSON.stringify(msg), atMs, this.opts.quietMs, nowMs + this.opts.quietMs, member, this.opts.seenTtlSeconds, mode, this.opts.maxMessages,
      msg.channel, msg.account, msg.senderId, msg.threadId, msg.messageId, msg.at, this.opts.maxOpenMs, nowMs,
    ];
    const [code, count] = (await this.run(INGEST, keys, args)) as [number, number];
    const outcome: IngestOutcome = code === 0 ? 'duplicate' : code === 1 ? 'appended' : code === 2 ? 'split' : 'orphan-amend';
    return { outcome, count, member };
  }

  /** Moves a conversation into a closing slot; returns the token, or null if it is not open (or not due). */
  async claim(member: string, nowMs: number, force: boolean): Promise<string | null> {
    const token = `${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
    const keys = [
      `${this.p}:open:${member}`,
      `${this.p}:open:${member}:meta`,
      `${this.p}:due`,
      `${this.p}:closing:${token}`,
      `${this.p}:closing:${token}:meta`,
      `${this.p}:closing`,
    ];
    const ok = (await this.run(CLAIM, keys, [member, nowMs, force ? '1' : '0', token])) as number;
    return ok === 1 ? token : null;
  }

  async readClosing(token: string): Promise<ConversationSnapshot | null> {
    const [items, meta] = await Promise.all([this.redis.lrange(`${this.p}:closing:${token}`, 0, -1), this.redis.hgetall(`${this.p}:closing:${token}:meta`)]);
    if (items.length === 0 || !meta.firstMessageId) return null;
    const messages: StoredMessage[] = [];
    for (const raw of items) {
      try {
        messages.push(JSON.parse(raw) as StoredMessage);
      } catch {
        // A record that is not JSON was not written by this code; skip it rather than block the close.
      }
    }
    return {
      channel: meta.channel as ChatMessage['channel'],
      account: meta.account ?? '',
      senderId: meta.senderId ?? '',
      threadId: meta.threadId ?? '',
      firstMessageId: meta.firstMessageId,
      firstAt: meta.firstAt ?? new Date().toISOString(),
      messages,
    };
  }

  async finishClosing(token: string): Promise<void> {
    await this.redis.multi().del(`${this.p}:closing:${token}`, `${this.p}:closing:${token}:meta`).zrem(`${this.p}:closing`, token).exec();
  }

  async dueMembers(nowMs: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(`${this.p}:due`, '-inf', nowMs, 'LIMIT', 0, limit);
  }

  /** Open conversations, soonest due first; limit -1 = all. */
  async openMembers(limit: number): Promise<string[]> {
    return this.redis.zrange(`${this.p}:due`, 0, String(limit < 0 ? -1 : limit - 1));
  }

  async openCount(): Promise<number> {
    return this.redis.zcard(`${this.p}:due`);
  }

  /** Closing slots older than `staleMs` (their closer crashed); the lease is renewed for the caller. */
  async staleClosings(nowMs: number, staleMs: number, limit: number): Promise<string[]> {
    const tokens = await this.redis.zrangebyscore(`${this.p}:closing`, '-inf', nowMs - staleMs, 'LIMIT', 0, limit);
    if (tokens.length > 0) {
      const m = this.redis.multi();
      for (const t of tokens) m.zadd(`${this.p}:closing`, 'XX', String(nowMs), t);
      await m.exec();
    }
    return tokens;
  }
}
