import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { CHAT_CHANNELS, type ChatChannel, type ChatMessage } from './chat-message.ts';
import type { ConversationSnapshot, StoredMessage } from './build-complaint.ts';

/**
 * Open conversations in Redis. Every state change is one Lua script, so two replicas (or a
 * redelivery racing the original) never append twice or close the same conversation twice.
 *
 *   <p>:seen:<channel>:<account>:<msgHash>   message already taken: `1`, or the ticket it was filed in (TTL: seenTtlSeconds)
 *   <p>:open:<member>          list of StoredMessage JSON, arrival order
 *   <p>:open:<member>:meta     hash: channel, account, senderId, threadId, firstMessageId, firstAt, lastAt, openedAt
 *   <p>:due:<channel>          zset member -> wall-clock ms when the quiet period ends
 *   <p>:due                    the same, one zset for all channels, as written before the split:
 *                              each engine moves its channel's members over (adoptLegacy)
 *   <p>:closing:<token>[:meta] a claimed conversation being turned into a complaint
 *   <p>:closing                zset token -> claim time (a crash mid-close is finished by recover())
 *   <p>:acked:<member>         `<ms>:<ticket>[:c]` of the last acknowledgement, `:c` when confidential (TTL: 7 days)
 *   <p>:noticed:<channel>:<account>:<sha(thread)>   `<ms>` of the last notice into that chat (TTL: ackMemoryMs)
 *   <p>:delivered:<channel>:<account>   message time (ms) up to which the adapter handed everything over (TTL: 7 days)
 *   <p>:held:<member>          hash messageId -> StoredMessage JSON: a burst of contact cards alone, kept for the next complaint
 *   <p>:emergency:<member>     the 112 notice was said to this sender (TTL: the engine's ackMemoryMs)
 *   <p>:alias:<channel>:<account>:<sha(alt)>   the sender id an alternate id stands for (linkSender; TTL: 400 days)
 *   <p>:alt:<channel>:<account>:<sha(sender)>  and back: the status store's hash of the sender's alternate (same TTL)
 *
 * <member> is `<channel>:<account>:<sha256(sender)>` (senderIdHash). Each service sweeps only its own
 * `due:<channel>`: the other service's sweeper would close a conversation with the wrong transport
 * and the wrong channel's texts. On Redis Cluster use a hash-tagged prefix ("{aduan}") so all
 * keys share a slot.
 *
 * A citizen's erasure (the gateway's complaint:erase) deletes their alias, alt, emergency and
 * noticed keys (eraseSenderTraces), and the complaint's ticket from their acked and tickets keys.
 */

const INGEST = `
if redis.call('EXISTS', KEYS[1]) == 1 then return {0, 0} end
local open = redis.call('EXISTS', KEYS[2]) == 1
-- An edit or a deletion is late when no conversation is open, and also when its target was filed
-- already (its seen key holds the ticket): "makasih min" after the acknowledgement opened a new
-- conversation, where the edit would target nothing and be lost.
if ARGV[7] == 'amend' then
  local target = redis.call('GET', KEYS[6])
  if not open or (target and target ~= '1') then
    redis.call('SET', KEYS[1], '1', 'EX', ARGV[6])
    return {4, 0}
  end
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
redis.call('ZREM', KEYS[5], ARGV[5])
return {1, n}
`;

const CLAIM = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('ZREM', KEYS[3], ARGV[1])
  redis.call('ZREM', KEYS[7], ARGV[1])
  redis.call('DEL', KEYS[2])
  return 0
end
if ARGV[3] ~= '1' then
  local now = tonumber(ARGV[2])
  local due = redis.call('ZSCORE', KEYS[3], ARGV[1]) or redis.call('ZSCORE', KEYS[7], ARGV[1])
  if due and tonumber(due) > now then return 0 end
  -- The adapter reports how far delivery got: the quiet period counts from the last message's own
  -- time, and only once delivery passed it; the open time's cap does not wait.
  local delivered = redis.call('GET', KEYS[8])
  if delivered then
    local deadline = tonumber(redis.call('HGET', KEYS[2], 'openedAt') or '0') + tonumber(ARGV[6])
    local lastAt = tonumber(redis.call('HGET', KEYS[2], 'lastAt') or '0')
    if now < deadline and lastAt + tonumber(ARGV[5]) > tonumber(delivered) then
      redis.call('ZADD', KEYS[3], math.min(now + tonumber(ARGV[7]), deadline), ARGV[1])
      redis.call('ZREM', KEYS[7], ARGV[1])
      return 0
    end
  end
end
redis.call('RENAME', KEYS[1], KEYS[4])
redis.call('RENAME', KEYS[2], KEYS[5])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[7], ARGV[1])
redis.call('ZADD', KEYS[6], ARGV[2], ARGV[4])
return 1
`;

/** Delivery only moves forward: a late or repeated report never takes it back. */
const DELIVERED = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > cur then cur = tonumber(ARGV[1]) end
redis.call('SET', KEYS[1], string.format('%d', cur), 'PX', ARGV[2])
return cur
`;

/** Writes the ticket into the seen keys of the messages filed in it, keeping their TTL; a key gone stays gone. */
const FILED = `
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then redis.call('SET', key, ARGV[1], 'KEEPTTL') end
end
return 0
`;

/** Moves one member from the shared legacy zset into its channel's; the later close time wins. */
const ADOPT = `
local due = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not due then return 0 end
redis.call('ZADD', KEYS[2], 'GT', due, ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[1])
return 1
`;

/**
 * Links an alternate id to the sender id (KEYS[1]; back, KEYS[16]) and moves what is kept under
 * the alternate's member to the sender's: the open conversation (its meta now naming the sender),
 * the last acknowledgement (the later one wins), the tickets (the sender's first), held contact
 * cards, the emergency notice. When both have a conversation open, the alternate's is left where
 * it is (returns 2): the engine closes it as it is. Returns 1 when a conversation moved, else 0.
 */
const LINK = `
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('SET', KEYS[16], ARGV[7], 'EX', ARGV[2])
local res = 0
if redis.call('EXISTS', KEYS[2]) == 1 then
  if redis.call('EXISTS', KEYS[4]) == 1 then
    res = 2
  else
    local due = redis.call('ZSCORE', KEYS[6], ARGV[3]) or redis.call('ZSCORE', KEYS[7], ARGV[3]) or ARGV[5]
    redis.call('RENAME', KEYS[2], KEYS[4])
    redis.call('DEL', KEYS[5])
    if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('RENAME', KEYS[3], KEYS[5]) end
    redis.call('HSET', KEYS[5], 'senderId', ARGV[1])
    redis.call('ZREM', KEYS[6], ARGV[3])
    redis.call('ZREM', KEYS[7], ARGV[3])
    redis.call('ZADD', KEYS[6], due, ARGV[4])
    res = 1
  end
end
local acked = redis.call('GET', KEYS[8])
if acked then
  local own = redis.call('GET', KEYS[9])
  if not own or tonumber(string.match(acked, '^%d+') or '0') > tonumber(string.match(own, '^%d+') or '0') then
    redis.call('RENAME', KEYS[8], KEYS[9])
  else
    redis.call('DEL', KEYS[8])
  end
end
if redis.call('EXISTS', KEYS[10]) == 1 then
  if redis.call('EXISTS', KEYS[11]) == 0 then
    redis.call('RENAME', KEYS[10], KEYS[11])
  else
    local have = {}
    for _, t in ipairs(redis.call('LRANGE', KEYS[11], 0, -1)) do have[t] = true end
    for _, t in ipairs(redis.call('LRANGE', KEYS[10], 0, -1)) do
      if not have[t] then redis.call('RPUSH', KEYS[11], t) end
    end
    redis.call('LTRIM', KEYS[11], 0, tonumber(ARGV[6]) - 1)
    local ttl = math.max(redis.call('TTL', KEYS[10]), redis.call('TTL', KEYS[11]))
    if ttl > 0 then redis.call('EXPIRE', KEYS[11], ttl) end
    redis.call('DEL', KEYS[10])
  end
end
if redis.call('EXISTS', KEYS[12]) == 1 then
  if redis.call('EXISTS', KEYS[13]) == 0 then
    redis.call('RENAME', KEYS[12], KEYS[13])
  else
    local kv = redis.call('HGETALL', KEYS[12])
    for i = 1, #kv, 2 do redis.call('HSETNX', KEYS[13], kv[i], kv[i + 1]) end
    local ttl = math.max(redis.call('PTTL', KEYS[12]), redis.call('PTTL', KEYS[13]))
    if ttl > 0 then redis.call('PEXPIRE', KEYS[13], ttl) end
    redis.call('DEL', KEYS[12])
  end
end
if redis.call('EXISTS', KEYS[14]) == 1 then
  if redis.call('EXISTS', KEYS[15]) == 0 then redis.call('RENAME', KEYS[14], KEYS[15]) else redis.call('DEL', KEYS[14]) end
end
return res
`;

/** 'orphan-amend': an edit or a deletion with no open conversation, or of a message filed already; not appended. */
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
  /**
   * How soon a conversation held back for delivery (see markDelivered) is looked at again
   * (default 5 s): each look is one script call, so not every sweep.
   */
  deliveryRecheckMs?: number;
}

function sha(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 32);
}

/**
 * The hash a sender id (or a chat's thread id) is keyed by: in members, alias, alt and noticed
 * keys. The status store's senderHash is the same hash, so an alt key's value keys the alternate.
 */
export function senderIdHash(channel: string, id: string): string {
  return sha(`${channel}\u0000${id}`);
}

export function conversationMember(channel: string, account: string, senderId: string): string {
  return `${channel}:${account}:${senderIdHash(channel, senderId)}`;
}

/** The keys kept for one sender (or chat) of one account, by its senderIdHash (see the layout above). */
export function senderKeys(prefix: string, channel: string, account: string, hash: string) {
  const p = `${prefix}:conv`;
  const member = `${channel}:${account}:${hash}`;
  return {
    open: `${p}:open:${member}`,
    emergency: `${p}:emergency:${member}`,
    alias: `${p}:alias:${channel}:${account}:${hash}`,
    alt: `${p}:alt:${channel}:${account}:${hash}`,
    noticed: `${p}:noticed:${channel}:${account}:${hash}`,
  };
}

/** The channel a member belongs to: its first segment. */
function channelOf(member: string): string {
  return member.slice(0, member.indexOf(':'));
}

/** The account a member belongs to: between the channel and the sender's hash. */
function accountOf(member: string): string {
  return member.slice(member.indexOf(':') + 1, member.lastIndexOf(':'));
}

/** How long a delivery report is kept: an account nobody serves any more stops holding anything back. */
const DELIVERED_TTL_MS = 7 * 86_400_000;

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

  private due(channel: string): string {
    return `${this.p}:due:${channel}`;
  }

  /** Before the split every channel's members were in one zset; claim and ingest clean it too. */
  private get legacyDue(): string {
    return `${this.p}:due`;
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

  private seenKey(channel: string, account: string, messageId: string): string {
    return `${this.p}:seen:${channel}:${account}:${sha(messageId)}`;
  }

  async ingest(msg: StoredMessage, mode: 'append' | 'amend', nowMs: number): Promise<IngestReply & { member: string }> {
    const member = conversationMember(msg.channel, msg.account, msg.senderId);
    const atMs = Date.parse(msg.at);
    const keys = [
      this.seenKey(msg.channel, msg.account, msg.messageId),
      `${this.p}:open:${member}`,
      `${this.p}:open:${member}:meta`,
      this.due(msg.channel),
      this.legacyDue,
      // The amended message's seen key (read only for an amend; any key will do otherwise).
      this.seenKey(msg.channel, msg.account, msg.edits ?? msg.revokes ?? msg.messageId),
    ];
    const args = [
      JSON.stringify(msg), atMs, this.opts.quietMs, nowMs + this.opts.quietMs, member, this.opts.seenTtlSeconds, mode, this.opts.maxMessages,
      msg.channel, msg.account, msg.senderId, msg.threadId, msg.messageId, msg.at, this.opts.maxOpenMs, nowMs,
    ];
    const [code, count] = (await this.run(INGEST, keys, args)) as [number, number];
    const outcome: IngestOutcome = code === 0 ? 'duplicate' : code === 1 ? 'appended' : code === 2 ? 'split' : 'orphan-amend';
    return { outcome, count, member };
  }

  /**
   * Whether `member` has a conversation open with something of a complaint in it (not only
   * greetings) that a message sent at `atMs` would join (inside the quiet period).
   */
  async isWritingComplaint(member: string, atMs: number): Promise<boolean> {
    const [lastAt, messages] = await Promise.all([this.redis.hget(`${this.p}:open:${member}:meta`, 'lastAt'), this.redis.lrange(`${this.p}:open:${member}`, 0, -1)]);
    if (lastAt === null || atMs - Number(lastAt) > this.opts.quietMs) return false;
    return messages.some((m) => (JSON.parse(m) as StoredMessage).kind === 'content');
  }

  /** Moves a conversation into a closing slot; returns the token, or null if it is not open (or not due). */
  async claim(member: string, nowMs: number, force: boolean): Promise<string | null> {
    const token = `${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
    const keys = [
      `${this.p}:open:${member}`,
      `${this.p}:open:${member}:meta`,
      this.due(channelOf(member)),
      `${this.p}:closing:${token}`,
      `${this.p}:closing:${token}:meta`,
      `${this.p}:closing`,
      this.legacyDue,
      this.deliveredKey(channelOf(member), accountOf(member)),
    ];
    const args = [member, nowMs, force ? '1' : '0', token, this.opts.quietMs, this.opts.maxOpenMs, this.opts.deliveryRecheckMs ?? 5_000];
    const ok = (await this.run(CLAIM, keys, args)) as number;
    return ok === 1 ? token : null;
  }

  private deliveredKey(channel: string, account: string): string {
    return `${this.p}:delivered:${channel}:${account}`;
  }

  /**
   * The adapter has handed over every message of this account sent up to `untilMs` (message
   * time): Instagram's poller says so after a poll that read everything from the top, the
   * WhatsApp adapter while its socket is connected and caught up, up to just before its oldest
   * message still in hand (services/whatsapp/src/delivery.ts). From the first report on, the account's conversations
   * close by the quiet period only once delivery has passed their last message's time plus the
   * quiet period, so a burst whose next message is still on its way (a poll held back by a 429,
   * a reconnect, a slow photo) is not filed in two. An account that never reports (the replay
   * tool) closes by the receive time, as before.
   */
  async markDelivered(channel: ChatChannel, account: string, untilMs: number): Promise<void> {
    await this.run(DELIVERED, [this.deliveredKey(channel, account)], [Math.floor(untilMs), DELIVERED_TTL_MS]);
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

  /** Due members of one channel only: the other channel's service closes its own. */
  async dueMembers(channel: ChatChannel, nowMs: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.due(channel), '-inf', nowMs, 'LIMIT', 0, limit);
  }

  /**
   * Moves this channel's members out of the shared zset the code before the split wrote (and an
   * old replica may still write during a rolling update), so this channel's sweeper finds them.
   */
  async adoptLegacy(channel: ChatChannel): Promise<number> {
    let moved = 0;
    let cursor = '0';
    do {
      const [next, pairs] = await this.redis.zscan(this.legacyDue, cursor, 'MATCH', `${channel}:*`, 'COUNT', 200);
      for (let i = 0; i < pairs.length; i += 2) moved += (await this.run(ADOPT, [this.legacyDue, this.due(channel)], [pairs[i]!])) as number;
      cursor = next;
    } while (cursor !== '0');
    return moved;
  }

  /** Open conversations of one channel (or all), soonest due first; limit -1 = all. */
  async openMembers(limit: number, channel?: ChatChannel): Promise<string[]> {
    const keys = [...(channel ? [channel] : CHAT_CHANNELS).map((c) => this.due(c)), this.legacyDue];
    const scored = new Map<string, number>();
    for (const key of keys) {
      const flat = await this.redis.zrange(key, '0', '-1', 'WITHSCORES');
      for (let i = 0; i < flat.length; i += 2) {
        const member = flat[i]!;
        if (!channel || channelOf(member) === channel) scored.set(member, Math.max(scored.get(member) ?? -Infinity, Number(flat[i + 1])));
      }
    }
    const sorted = [...scored].sort((a, b) => a[1] - b[1]).map(([m]) => m);
    return limit < 0 ? sorted : sorted.slice(0, limit);
  }

  /**
   * How many conversations are open (the health endpoint asks on every call): counted, not
   * listed. A member still in the legacy zset is counted only without a channel; the channel's
   * sweeper moves such members over within a second.
   */
  async openCount(channel?: ChatChannel): Promise<number> {
    const keys = channel ? [this.due(channel)] : [...CHAT_CHANNELS.map((c) => this.due(c)), this.legacyDue];
    const m = this.redis.multi();
    for (const key of keys) m.zcard(key);
    return ((await m.exec()) ?? []).reduce((n, [, count]) => n + Number(count ?? 0), 0);
  }

  /**
   * Closing slots older than `staleMs` (their closer crashed) of this channel, or of no known
   * channel (anyone may clear those); the lease is renewed for the caller.
   */
  async staleClosings(channel: ChatChannel, nowMs: number, staleMs: number, limit: number): Promise<string[]> {
    const stale = await this.redis.zrangebyscore(`${this.p}:closing`, '-inf', nowMs - staleMs);
    const read = this.redis.multi();
    for (const t of stale) read.hget(`${this.p}:closing:${t}:meta`, 'channel');
    const channels = stale.length > 0 ? ((await read.exec()) ?? []) : [];
    const tokens = stale.filter((_, i) => {
      const c = channels[i]?.[1];
      return typeof c !== 'string' || c === channel;
    }).slice(0, limit);
    if (tokens.length > 0) {
      const m = this.redis.multi();
      for (const t of tokens) m.zadd(`${this.p}:closing`, 'XX', String(nowMs), t);
      await m.exec();
    }
    return tokens;
  }

  /**
   * Remembers, for as long as the messages are remembered at all (seenTtlSeconds), which ticket
   * they were filed in: an edit or a deletion that comes after the close is answered about that
   * complaint, and only about a message that really went into one.
   */
  async markFiled(channel: string, account: string, messageIds: readonly string[], ticket: string): Promise<void> {
    if (messageIds.length > 0) await this.run(FILED, [...new Set(messageIds)].map((id) => this.seenKey(channel, account, id)), [ticket]);
  }

  /** The ticket the message was filed in; null when it went into none (small talk, a "cek") or is forgotten. */
  async filedTicket(channel: string, account: string, messageId: string): Promise<string | null> {
    const v = await this.redis.get(this.seenKey(channel, account, messageId));
    return v && v !== '1' ? v : null;
  }

  private aliasKey(channel: string, account: string, id: string): string {
    return senderKeys(this.opts.prefix, channel, account, senderIdHash(channel, id)).alias;
  }

  /**
   * `alt` is another id of sender `senderId` (see ChatMessage.senderAlt): remembered for `ttlSeconds`
   * (and `altHash`, the status store's hash of it, under `senderId`), and what is kept under `alt`
   * moves to `senderId` (LINK). 'both-open' when each had a conversation open: the alternate's
   * stays where it is, for the caller to close as it is.
   */
  async linkSender(channel: string, account: string, senderId: string, alt: string, nowMs: number, opts: { ttlSeconds: number; keepTickets: number; altHash: string }): Promise<'linked' | 'moved' | 'both-open'> {
    const from = conversationMember(channel, account, alt);
    const to = conversationMember(channel, account, senderId);
    const keys = [
      this.aliasKey(channel, account, alt),
      `${this.p}:open:${from}`,
      `${this.p}:open:${from}:meta`,
      `${this.p}:open:${to}`,
      `${this.p}:open:${to}:meta`,
      this.due(channel),
      this.legacyDue,
      `${this.p}:acked:${from}`,
      `${this.p}:acked:${to}`,
      `${this.p}:tickets:${from}`,
      `${this.p}:tickets:${to}`,
      this.heldKey(from),
      this.heldKey(to),
      `${this.p}:emergency:${from}`,
      `${this.p}:emergency:${to}`,
      this.altKey(channel, account, senderId),
    ];
    const res = (await this.run(LINK, keys, [senderId, opts.ttlSeconds, from, to, nowMs, opts.keepTickets, opts.altHash])) as number;
    return res === 1 ? 'moved' : res === 2 ? 'both-open' : 'linked';
  }

  private altKey(channel: string, account: string, senderId: string): string {
    return senderKeys(this.opts.prefix, channel, account, senderIdHash(channel, senderId)).alt;
  }

  /**
   * What linkSender linked to `id`: the sender id `id` stands for as an alternate (a message naming
   * `id` alone is keyed on it), and the hash of the alternate linked to `id` as a sender.
   */
  async links(channel: string, account: string, id: string): Promise<{ linkedTo: string | null; altHash: string | null }> {
    const [linkedTo, altHash] = await this.redis.mget(this.aliasKey(channel, account, id), this.altKey(channel, account, id));
    return { linkedTo: linkedTo ?? null, altHash: altHash ?? null };
  }

  private heldKey(member: string): string {
    return `${this.p}:held:${member}`;
  }

  /**
   * Keeps a burst's messages (contact cards alone) for the sender's next complaint, for `ttlMs`
   * from now. Returns how many messages of EARLIER bursts were kept already: a close taken again
   * after a crash finds only its own.
   */
  async holdMessages(member: string, messages: readonly StoredMessage[], ttlMs: number): Promise<number> {
    const key = this.heldKey(member);
    const own = new Set(messages.map((m) => m.messageId));
    const res = await this.redis
      .multi()
      .hkeys(key)
      .hset(key, Object.fromEntries(messages.map((m) => [m.messageId, JSON.stringify(m)])))
      .pexpire(key, ttlMs)
      .exec();
    const before = (res?.[0]?.[1] as string[] | undefined) ?? [];
    return before.filter((id) => !own.has(id)).length;
  }

  /** The messages holdMessages() kept for this sender, but none of `except` (the burst being closed). */
  async heldMessages(member: string, except: readonly StoredMessage[] = []): Promise<StoredMessage[]> {
    const skip = new Set(except.map((m) => m.messageId));
    const out: StoredMessage[] = [];
    for (const [id, raw] of Object.entries(await this.redis.hgetall(this.heldKey(member)))) {
      if (skip.has(id)) continue;
      try {
        out.push(JSON.parse(raw) as StoredMessage);
      } catch {
        // Not written by this code: skip it rather than block the close.
      }
    }
    return out;
  }

  /** Forgets kept messages: filed with a complaint now, or deleted by the citizen. */
  async releaseMessages(member: string, messageIds: readonly string[]): Promise<void> {
    if (messageIds.length > 0) await this.redis.hdel(this.heldKey(member), ...messageIds);
  }

  /** Remembers the ticket just acknowledged to this sender; `nowMs` is the engine's clock. */
  async rememberAck(member: string, ack: LastAck, nowMs: number, ttlMs: number): Promise<void> {
    await this.redis.set(`${this.p}:acked:${member}`, `${nowMs}:${ack.ticket}${ack.confidential ? ':c' : ''}`, 'PX', ttlMs);
  }

  /**
   * Keeps the sender's last few tickets (newest first) for as long as their status records last,
   * so that "sudah ada kabar?" weeks later is answered about them (the acknowledgement's memory,
   * rememberAck, lasts a week). Only tickets: no personal data.
   */
  async rememberTicket(member: string, ticket: string, keep: number, ttlSeconds: number): Promise<void> {
    const key = `${this.p}:tickets:${member}`;
    await this.redis.multi().lrem(key, 0, ticket).lpush(key, ticket).ltrim(key, 0, keep - 1).expire(key, ttlSeconds).exec();
  }

  /** The sender's tickets rememberTicket() kept, newest first. */
  async recentTickets(member: string): Promise<string[]> {
    return this.redis.lrange(`${this.p}:tickets:${member}`, 0, -1);
  }

  /**
   * Remembers that a notice (a "cek" answer, the router's "diteruskan" or "selesai") went into this
   * chat. Keyed by the chat, not the sender: the router's notices know only where they go.
   */
  async rememberNotice(to: ChatAddress, nowMs: number, ttlMs: number): Promise<void> {
    await this.redis.set(this.noticedKey(to), String(nowMs), 'PX', ttlMs);
  }

  /** Whether a notice went into this chat within `withinMs` of `nowMs`. */
  async recentNotice(to: ChatAddress, nowMs: number, withinMs: number): Promise<boolean> {
    const at = await this.redis.get(this.noticedKey(to));
    return at !== null && nowMs - Number(at) <= withinMs;
  }

  private noticedKey(to: ChatAddress): string {
    return senderKeys(this.opts.prefix, to.channel, to.account, senderIdHash(to.channel, to.threadId)).noticed;
  }

  /**
   * True for the first call for `member` in `ttlMs` (the emergency notice, once a burst): the
   * notice is said once, a second message of the same fire is not answered again.
   */
  async claimEmergencyNotice(member: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`${this.p}:emergency:${member}`, '1', 'PX', ttlMs, 'NX')) === 'OK';
  }

  /** The last acknowledgement to this sender, if it came within `withinMs` of `nowMs`. */
  async recentAck(member: string, nowMs: number, withinMs: number): Promise<LastAck | null> {
    const v = await this.redis.get(`${this.p}:acked:${member}`);
    if (!v) return null;
    const [at, ticket, flag] = v.split(':');
    return ticket && nowMs - Number(at) <= withinMs ? { ticket, confidential: flag === 'c' } : null;
  }
}

/** One chat: where notices go (`Notification.to` is the thread). */
export interface ChatAddress {
  channel: string;
  account: string;
  threadId: string;
}

/** What a sender was last told: the ticket, and whether it went to the OPD without their identity. */
export interface LastAck {
  ticket: string;
  confidential: boolean;
}
