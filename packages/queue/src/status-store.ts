import { hash, randomUUID } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import { withGuard, type AddGuard } from './guarded-add.ts';
import { LuaScript } from './lua.ts';
import { QueueNames, specFor } from './names.ts';
import { CLOSED_COPY_KEEP_SECONDS, CLOSED_STATES, readRoutedCopy, routedCopyKey } from './routed-copy.ts';
import { keysMatching } from './scan-keys.ts';
import { WIB_OFFSET_MS, type Channel, type ComplaintState, type RoutedComplaint, type StatusView } from '@aduan/schema';

/** How long a complaint's status record, history and ticket are kept after their last change (citizens are told so). */
export const STATUS_KEEP_DAYS = 400;
const KEEP_SECONDS = STATUS_KEEP_DAYS * 86_400;
/** The month `YYYY-MM` (WIB) that `ms` falls in: the monthly report's months. */
const wibMonth = (ms: number) => new Date(ms + WIB_OFFSET_MS).toISOString().slice(0, 7);

/** The most steps a complaint's history keeps (the newest; "received" lives on the record itself). */
export const STATUS_HISTORY_MAX = 100;
/**
 * How many status notices one complaint's citizen gets in 24 hours at most: progress ("in
 * progress", however many notes) and outcomes ("resolved", "rejected") counted apart, so an OPD
 * that posts many progress notes in a day still gets its outcome told. An OPD system that flips a
 * complaint between states (a sync bug) would otherwise message the citizen on every flip, and
 * spend the city's WhatsApp number's sending budget (SEND_PER_MINUTE) that every other citizen's
 * acknowledgement waits on.
 */
export const STATUS_NOTICES_PER_DAY = { progress: 5, outcome: 2 } as const;

/**
 * Records a complaint as received. Written as an add guard (see guarded-add.ts): its keys and
 * arguments are KEYS[GK + i] and ARGV[GA + i], so it runs alone (RECORD_RECEIVED) or in front of
 * the complaint's intake add, in the same script.
 * KEYS: ticket, complaint hash[, guard]. ARGV: id, ttl, receivedAt, guard value, guard ttl,
 * refuse-if-ticket-taken ('1' or '0'), fresh ('1': the id was made for this call, so there is
 * no record of it to keep, and a taken ticket is always refused), field/value pairs (to the end
 * of ARGV). Sets either
 * `refused`, having written nothing:
 * - {0, guard value}: the guard key (an Idempotency-Key's record) exists;
 * - {2, other id}: the ticket already belongs to another complaint (tickets are 40 bits of the
 *   id's hash, so two ids can share one) and the caller asked to be refused;
 * or `recorded`:
 * - {1, supporters already linked}: recorded;
 * - {3, supporters}: the same clash, recorded anyway, without taking the ticket.
 * This runs on every intake request, so it does as little as it can: no history entry (the
 * "received" step is the hash's receivedAt, see history()); for a fresh id, two SET NX, one
 * HSET and one EXPIRE, and no reads.
 */
const RECORD_RECEIVED_GUARD = `
local recorded
if ARGV[GA + 7] == '1' then
  -- An id made for this very call: it owns no ticket and has no record yet, so the claim and
  -- the ticket are each taken with one SET NX. A ticket that turns out taken gives the claim
  -- back, so that the refusal leaves nothing.
  if KEYS[GK + 3] and not redis.call('SET', KEYS[GK + 3], ARGV[GA + 4], 'EX', ARGV[GA + 5], 'NX') then
    refused = {0, redis.call('GET', KEYS[GK + 3])}
  elseif not redis.call('SET', KEYS[GK + 1], ARGV[GA + 1], 'EX', ARGV[GA + 2], 'NX') then
    if KEYS[GK + 3] then redis.call('DEL', KEYS[GK + 3]) end
    refused = {2, redis.call('GET', KEYS[GK + 1])}
  else
    redis.call('HSET', KEYS[GK + 2], 'state', 'received', 'updatedAt', ARGV[GA + 3], unpack(ARGV, GA + 8))
    redis.call('EXPIRE', KEYS[GK + 2], ARGV[GA + 2])
    recorded = {1, 0}
  end
else
  local owner = redis.call('GET', KEYS[GK + 1])
  local taken = owner and owner ~= ARGV[GA + 1]
  if taken and ARGV[GA + 6] == '1' then
    refused = {2, owner}
  elseif KEYS[GK + 3] and not redis.call('SET', KEYS[GK + 3], ARGV[GA + 4], 'EX', ARGV[GA + 5], 'NX') then
    refused = {0, redis.call('GET', KEYS[GK + 3])}
  else
    if not taken then
      redis.call('SET', KEYS[GK + 1], ARGV[GA + 1], 'EX', ARGV[GA + 2])
    end
    if redis.call('HSETNX', KEYS[GK + 2], 'state', 'received') == 1 then
      redis.call('HSET', KEYS[GK + 2], 'updatedAt', ARGV[GA + 3], unpack(ARGV, GA + 8))
    else
      redis.call('HSET', KEYS[GK + 2], unpack(ARGV, GA + 8))
    end
    redis.call('EXPIRE', KEYS[GK + 2], ARGV[GA + 2])
    recorded = {taken and 3 or 1, tonumber(redis.call('HGET', KEYS[GK + 2], 'supporters') or '0')}
  end
end
`;
const RECORD_RECEIVED_LUA = `${withGuard(RECORD_RECEIVED_GUARD, 0, 0)}return refused or recorded\n`;

/**
 * KEYS: seen-events set, complaint hash, history list, routed copy, and, for a step to "routed",
 * the OPD's inbox, its awaiting index and the set of OPDs with one, and for a citizen's reopen (a
 * step to "routed" too) the month's reopen counts by OPD. ARGV: event key, ttl, history
 * entry, inbox score (ms) and member, inbox cutoff (ms), the time of an OPD's report in ms ('' for
 * any other step), the OPD the complaint must be routed to ('' for none), the awaiting indexes' key
 * prefix, when Aduan took the OPD's report (ms; '' for any other step), the routing decision's
 * publication for the routed copy ('' for an OPD's report), field/value pairs. Marking the event and applying it in one script means a crash
 * between the two can never leave an event marked as seen but not recorded. Returns 1 applied,
 * 0 already seen, 2 stale, 3 not routed to that OPD (nothing written: a re-assignment came
 * between the router's check and this write), 4 a repeat dropped (below).
 * - An OPD's report older than the last one applied ("in progress" arriving after "resolved")
 *   is stale: not applied (nor marked seen: a retry is stale again), so the state never moves
 *   back.
 * - Routing (or re-assigning) the complaint starts that comparison afresh: the new OPD's
 *   reports are not held against the time of the previous OPD's last one. (The field/value
 *   pairs start with 'state', so ARGV[13] is the state written.)
 * - The current assignment's times, for the monthly report: a step to "routed" sets `routedAt`
 *   (the decision's time) and clears `answeredAt`; the OPD's first report after it sets
 *   `answeredAt` to when Aduan took that report (not the date the OPD gives it, which may be
 *   any time after the complaint was received). Kept on the record: the history keeps only its
 *   newest STATUS_HISTORY_MAX steps.
 * - The OPDs' awaiting indexes (StatusStore.overdueCounts) move with the state, in this same
 *   script: every applied step takes the complaint out of the index of the OPD its record named,
 *   and a step to "routed" puts it in its new OPD's, scored by the routing time, so a re-routing
 *   starts the new assignment's clock afresh. The former OPD is known only here, from the record:
 *   its key is made from ARGV[9] (`<prefix>:opd:`), so it shares the other keys' hash slot.
 *   Entries older than a record's life are dropped as new ones come (an abandoned record expires).
 *   The OPDs' in-progress indexes (`<prefix>:opd:<code>:progress`, the OPD inbox's "sedang
 *   diproses", StatusStore.inProgressOf) move the same way: out of the former OPD's at every
 *   applied step, into the record's OPD's at a step to "in_progress", scored by its routing time.
 * - Inbox scores follow the order of writing: at least the routing time, and above every entry
 *   already there. A reader's cursor names an entry it saw, so nothing written after it can sort
 *   before it (routers finish complaints of the same millisecond in any order).
 * - A complaint in triage is routed to no OPD: the step removes `opd` and `opdName` (an OPD that
 *   returned the complaint, "bukan kewenangan kami", is refused from then on like any OPD it was
 *   re-assigned away from).
 * - The history keeps its newest STATUS_HISTORY_MAX steps. Once it is full, an OPD's new report
 *   that does not change the state (a system reporting "in progress" on every sync) is dropped
 *   unwritten (4): otherwise the history and the seen-events set of one complaint would grow for
 *   as long as it is kept. A report that moves the complaint on is always applied.
 * - The routed copy (routed-copy.ts, ADR 0013): a routing step writes its decision's publication
 *   there, with the record it describes, so the two never disagree. Every applied step sets how
 *   long the copy lives: as long as the record while the complaint is open, CLOSED_COPY_KEEP_SECONDS
 *   (as long as `routed` keeps a consumed job) from the step that closes it (CLOSED_STATES).
 */
/** Lua: whether the step TRANSITION_LUA writes closes the complaint (ARGV[13], the state). */
const CLOSES = `(${CLOSED_STATES.map((state) => `ARGV[13] == '${state}'`).join(' or ')})`;
const TRANSITION_LUA = `
if ARGV[8] ~= '' and redis.call('HGET', KEYS[2], 'opd') ~= ARGV[8] then return 3 end
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 0 end
if ARGV[7] ~= '' then
  if tonumber(ARGV[7]) < tonumber(redis.call('HGET', KEYS[2], 'reportedAt') or '0') then return 2 end
  if redis.call('LLEN', KEYS[3]) >= ${STATUS_HISTORY_MAX} and redis.call('HGET', KEYS[2], 'state') == ARGV[13] then return 4 end
  redis.call('HSET', KEYS[2], 'reportedAt', ARGV[7])
elseif ARGV[13] == 'routed' then
  redis.call('HDEL', KEYS[2], 'reportedAt')
end
redis.call('SADD', KEYS[1], ARGV[1])
local before = redis.call('HGET', KEYS[2], 'opd')
if before then
  redis.call('ZREM', ARGV[9] .. before .. ':awaiting', ARGV[5])
  redis.call('ZREM', ARGV[9] .. before .. ':progress', ARGV[5])
end
if ARGV[13] == 'triage' then redis.call('HDEL', KEYS[2], 'opd', 'opdName') end
redis.call('HSET', KEYS[2], unpack(ARGV, 12))
if ARGV[13] == 'routed' then
  redis.call('HSET', KEYS[2], 'routedAt', ARGV[4])
  redis.call('HDEL', KEYS[2], 'answeredAt')
elseif ARGV[7] ~= '' then
  redis.call('HSETNX', KEYS[2], 'answeredAt', ARGV[10])
end
if ARGV[13] == 'in_progress' then
  local opd = redis.call('HGET', KEYS[2], 'opd')
  if opd then
    local progress = ARGV[9] .. opd .. ':progress'
    redis.call('ZADD', progress, tonumber(redis.call('HGET', KEYS[2], 'routedAt') or ARGV[4]), ARGV[5])
    redis.call('ZREMRANGEBYSCORE', progress, '-inf', '(' .. (tonumber(ARGV[4]) - ${KEEP_SECONDS * 1000}))
  end
end
redis.call('RPUSH', KEYS[3], ARGV[3])
redis.call('LTRIM', KEYS[3], -${STATUS_HISTORY_MAX}, -1)
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[2]) end
if ARGV[11] ~= '' then redis.call('SET', KEYS[4], ARGV[11]) end
redis.call('EXPIRE', KEYS[4], ${CLOSES} and ${CLOSED_COPY_KEEP_SECONDS} or ARGV[2])
if KEYS[5] then
  local score = tonumber(ARGV[4])
  local top = redis.call('ZRANGE', KEYS[5], -1, -1, 'WITHSCORES')
  if top[2] and tonumber(top[2]) >= score then score = tonumber(top[2]) + 1 end
  redis.call('ZADD', KEYS[5], score, ARGV[5])
  redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', '(' .. ARGV[6])
  redis.call('ZADD', KEYS[6], ARGV[4], ARGV[5])
  redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', '(' .. (tonumber(ARGV[4]) - ${KEEP_SECONDS * 1000}))
  redis.call('SADD', KEYS[7], redis.call('HGET', KEYS[2], 'opd'))
end
-- A citizen's reopen (ADR 0014; KEYS[8], the month's reopen counts by OPD, only then): counted on
-- the record (the REOPEN_MAX limit) and for the monthly report, once, with the step itself.
if KEYS[8] then
  redis.call('HINCRBY', KEYS[2], 'reopens', 1)
  redis.call('HINCRBY', KEYS[8], redis.call('HGET', KEYS[2], 'opd'), 1)
  redis.call('EXPIRE', KEYS[8], ARGV[2])
end
return 1
`;

/**
 * What a transition came to: written, already written (a retry), an OPD report older than the
 * last applied one, not routed to the reporting OPD, or an OPD report repeating the state of a
 * complaint whose history is full (dropped, see TRANSITION_LUA).
 */
export type TransitionOutcome = 'applied' | 'duplicate' | 'stale' | 'wrong_opd' | 'repeated';
const TRANSITION_OUTCOMES: Record<number, TransitionOutcome> = { 0: 'duplicate', 1: 'applied', 2: 'stale', 3: 'wrong_opd', 4: 'repeated' };
/** The steps an OPD reports (StatusUpdate), each told to the citizen; the others are the router's and the admin's. */
export type ReportedStep = 'in_progress' | 'resolved' | 'rejected';
const REPORTED_STATES = new Set<string>(['in_progress', 'resolved', 'rejected'] satisfies ReportedStep[]);
export const isReportedStep = (state: string): state is ReportedStep => REPORTED_STATES.has(state);
/**
 * An OPD's inbox (the OPD API's feed) keeps what was routed to it as long as the `routed` queue
 * keeps a consumed decision (30 days), which the feed reads the complaint from.
 */
const OPD_INBOX_MS = specFor(QueueNames.routed).keepCompletedSeconds * 1000;
/** The radio desk's "today" board reads a station's entries by receive time; a week is plenty. */
const STATION_INDEX_SECONDS = 8 * 86_400;

/**
 * Records a supporter once per key (a resent desk entry adds nothing) and keeps the count on the
 * complaint. With a station's board (KEYS[3]), a new link goes on it in the same step: a link is
 * on the board exactly when it is counted, and a resend (or a key another station's operator
 * resends) puts it nowhere else.
 */
const ADD_SUPPORTER_LUA = `
local added = redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
local n = redis.call('HLEN', KEYS[1])
redis.call('HSET', KEYS[2], 'supporters', n)
redis.call('EXPIRE', KEYS[1], ARGV[3])
if added == 1 and KEYS[3] then
  redis.call('ZADD', KEYS[3], 'NX', ARGV[4], ARGV[5])
  redis.call('ZREMRANGEBYSCORE', KEYS[3], 0, ARGV[6])
  redis.call('EXPIRE', KEYS[3], ARGV[7])
end
return {added, n}
`;
/**
 * A linked caller's member of a station's board: the complaint ids around it are ULIDs, which
 * hold no ':'.
 */
const LINK_MEMBER = 'link:';
const linkMember = (id: string, supporterKey: string) => `${LINK_MEMBER}${id}:${supporterKey}`;
/** Deletes a lock only while it is still ours (it may have expired and been taken by another). */
const RELEASE_LUA = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
const RECORD_RECEIVED = new LuaScript(RECORD_RECEIVED_LUA);
const TRANSITION = new LuaScript(TRANSITION_LUA);
/**
 * KEYS: the decision's counter of this kind of notice, and the state the citizen's last status
 * notice told (StatusStore.lastTold). ARGV: kind, the limit a day, the counter's life (s), the
 * told state's life (s), the state to tell. {1, 0} told; {0, ms} not, the counter's window ending in ms.
 */
const TAKE_NOTICE = new LuaScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
if n > tonumber(ARGV[2]) and not (ARGV[1] == 'outcome' and redis.call('GET', KEYS[2]) == 'in_progress') then return {0, redis.call('PTTL', KEYS[1])} end
redis.call('SET', KEYS[2], ARGV[5], 'EX', ARGV[4])
return {1, 0}
`);
/** KEYS: the held notices (a zset, by when they may be told). ARGV: now (ms), how many. Takes the due ones off it and returns their complaint ids: each to one router. */
const TAKE_DUE_HELD = new LuaScript(`
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
if #due > 0 then redis.call('ZREM', KEYS[1], unpack(due)) end
return due
`);
const ADD_SUPPORTER = new LuaScript(ADD_SUPPORTER_LUA);
/**
 * KEYS: the complaint's record, an OPD's awaiting index, the set of OPDs with one. ARGV: id, OPD,
 * routing time (ms). Puts the complaint in the index only while its record says it is routed to
 * that OPD (StatusStore.backfillAwaiting); 1 added, 0 not (answered, moved on, or there already).
 */
const BACKFILL_AWAITING = new LuaScript(`
local rec = redis.call('HMGET', KEYS[1], 'state', 'opd')
if rec[1] ~= 'routed' or rec[2] ~= ARGV[2] then return 0 end
redis.call('SADD', KEYS[3], ARGV[2])
return redis.call('ZADD', KEYS[2], 'NX', ARGV[3], ARGV[1])
`);
/**
 * KEYS: the complaint's record. ARGV: channel, account, chat. Sets where the news of a web form
 * or radio complaint goes, on a record that still exists (an expired one is not made again);
 * 1 when that changed, 0 when it was so already, -1 for a chat complaint or no record.
 */
const FOLLOW = new LuaScript(`
local channel = redis.call('HGET', KEYS[1], 'channel')
if channel ~= 'webform' and channel ~= 'radio' then return -1 end
local now = redis.call('HMGET', KEYS[1], 'replyChannel', 'replyAccount', 'replyTo')
if now[1] == ARGV[1] and now[2] == ARGV[2] and now[3] == ARGV[3] then return 0 end
redis.call('HSET', KEYS[1], 'replyChannel', ARGV[1], 'replyAccount', ARGV[2], 'replyTo', ARGV[3])
return 1
`);

/**
 * The record's fields that lead to its citizen (UU 27/2022 erasure, StatusStore.eraseReporter):
 * the chat sender's and the phone number's hashes, and where status news goes.
 */
const REPORTER_FIELDS = ['senderHash', 'phoneHash', 'replyChannel', 'replyAccount', 'replyTo'] as const;
/**
 * KEYS: history list. ARGV: index, the entry as read, the entry to write, ... Replaces an entry
 * only while it is still the one read (a transition may have trimmed the list meanwhile).
 */
const REPLACE_HISTORY = new LuaScript(`
local n = 0
for i = 1, #ARGV, 3 do
  if redis.call('LINDEX', KEYS[1], ARGV[i]) == ARGV[i + 1] then
    redis.call('LSET', KEYS[1], ARGV[i], ARGV[i + 2])
    n = n + 1
  end
end
return n
`);

/** Where a complaint's status news goes: the chat it came from, or the chat its citizen follows it in (StatusRecord.replyChannel). */
export function noticeAddress(rec: Pick<StatusRecord, 'channel' | 'replyChannel' | 'replyAccount' | 'replyTo'>): { channel: 'whatsapp' | 'instagram'; account: string; to: string } | undefined {
  const channel = rec.channel === 'whatsapp' || rec.channel === 'instagram' ? rec.channel : rec.replyChannel;
  return channel && rec.replyAccount && rec.replyTo ? { channel, account: rec.replyAccount, to: rec.replyTo } : undefined;
}

/** An extra citizen who reported the same problem (a radio caller linked by the desk). No personal data. */
export interface SupporterEntry {
  at: string;
  channel: Channel;
  station?: string;
  program?: string;
  operatorId?: string;
  callTime?: string;
}

/**
 * One row of a station's board of the day: a complaint it keyed, or a caller it linked to a
 * complaint (any station's or channel's; `record` is that complaint).
 */
export type StationEntry = { kind: 'complaint'; record: StatusRecord } | { kind: 'link'; record: StatusRecord; supporter: SupporterEntry };

export interface StatusRecord {
  id: string;
  ticket: string;
  channel: Channel;
  state: ComplaintState;
  opd?: string;
  opdName?: string;
  receivedAt: string;
  updatedAt: string;
  /** sha256 of channel + sender id: lets "cek <ticket>" answer only the sender's own complaints. */
  senderHash?: string;
  /**
   * sha256 of "whatsapp" + a phone number: lets "cek <ticket>" on WhatsApp answer the owner of
   * that number. On a WhatsApp complaint, the sender's number as WhatsApp gave it (from the JID or
   * its phone-number alternate: it still matches after WhatsApp moves a chat to a `@lid` id). On a
   * web form or radio complaint, the number the citizen gave, so a caller can check from their
   * own WhatsApp. Never set from Instagram (a number typed in a DM proves nothing).
   */
  phoneHash?: string;
  station?: string;
  supporters?: number;
  /** Chat channels: the receiving account and the thread/JID to send status news to. Personal data. */
  replyAccount?: string;
  replyTo?: string;
  /**
   * A web form or radio complaint whose citizen asked about it on WhatsApp (`cek <ticket>` from
   * the number they gave, StatusStore.follow): its status news goes to that chat
   * (replyAccount, replyTo) on this channel. Unset on a chat complaint: news goes where it came from.
   */
  replyChannel?: 'whatsapp';
  /** When the OPD's last report applied was made (ms); none since the complaint was last routed. */
  reportedAt?: number;
  /** How many times its citizen reopened it after a resolution (ADR 0014). */
  reopens?: number;
}

/**
 * A complaint as the monthly report reads it (StatusStore.reportEntries): its record's state and
 * OPD, when it was routed to that OPD, and when that OPD first answered it since (ms); either
 * absent when not known (no OPD, not answered, a history that no longer holds the routing).
 */
export interface ReportEntry {
  record: Pick<StatusRecord, 'id' | 'channel' | 'state' | 'opd' | 'opdName' | 'receivedAt'>;
  routedMs?: number;
  answeredMs?: number;
}

/**
 * routedMs and answeredMs from the history of a record written before the record kept them: its
 * last routing to `opd`, and the first report after it, dated as the OPD dated it but never before
 * that routing.
 */
function assignmentFromHistory(opd: string, history: HistoryEntry[]): Pick<ReportEntry, 'routedMs' | 'answeredMs'> {
  let i = history.length - 1;
  while (i >= 0 && !(history[i]!.state === 'routed' && history[i]!.opd === opd)) i--;
  if (i < 0) return {};
  const routedMs = Date.parse(history[i]!.at);
  if (!Number.isFinite(routedMs)) return {};
  const answer = history.slice(i + 1).find((h) => REPORTED_STATES.has(h.state));
  const answeredMs = answer ? Date.parse(answer.at) : NaN;
  return Number.isFinite(answeredMs) ? { routedMs, answeredMs: Math.max(routedMs, answeredMs) } : { routedMs };
}

export type ReceivedRecord = Omit<StatusRecord, 'state' | 'updatedAt'>;

/** What recording a complaint came to (see StatusStore.recordNew). */
export type RecordOutcome =
  | { outcome: 'recorded'; supporters: number; ticketTaken: boolean }
  | { outcome: 'guard_exists'; earlier: string }
  | { outcome: 'ticket_taken' };

/** A key that must be new for the complaint to be recorded (an Idempotency-Key claim). */
export interface ReceivedGuard {
  key: string;
  value: string;
  ttlSeconds: number;
}

export interface HistoryEntry {
  state: ComplaintState;
  at: string;
  message?: string;
  opd?: string;
}

/** The stored steps after "received", with "received" itself first (older records stored it too). */
function withReceived(items: HistoryEntry[], receivedAt: string | undefined): HistoryEntry[] {
  return receivedAt && items[0]?.state !== 'received' ? [{ state: 'received', at: receivedAt }, ...items] : items;
}

function senderHash(channel: string, senderId: string): string {
  return hash('sha256', `${channel}\u0000${senderId}`).slice(0, 32);
}

/** See StatusRecord.phoneHash. Always hashed as a WhatsApp number: only WhatsApp proves one. */
function phoneHash(e164: string): string {
  return senderHash('whatsapp', `tel:${e164}`);
}

/**
 * The sender fields of a new status record: the chat sender's id, and the phone number "cek" on
 * WhatsApp answers (StatusRecord.phoneHash): WhatsApp's own, or the one given on the web form or
 * to the radio desk. Instagram's reporter phone is only text the citizen typed, so it never counts.
 */
export function senderFields(channel: string, senderId: string | undefined, phone: string | undefined): Pick<StatusRecord, 'senderHash' | 'phoneHash'> {
  return { ...(senderId ? { senderHash: senderHash(channel, senderId) } : {}), ...(phone && channel !== 'instagram' ? { phoneHash: phoneHash(phone) } : {}) };
}

/**
 * Whether a chat sender may see the complaint: the same chat id, or, on WhatsApp, a number that
 * WhatsApp vouches for and that filed it (on any channel but Instagram; see senderFields).
 */
export function isSameSender(rec: Pick<StatusRecord, 'senderHash' | 'phoneHash'>, channel: string, senderId: string, phone: string | undefined): boolean {
  if (rec.senderHash === senderHash(channel, senderId)) return true;
  return channel === 'whatsapp' && !!phone && rec.phoneHash === phoneHash(phone);
}

/**
 * What citizens and the desk can look up: ticket -> id, and each complaint's current state with
 * its history. Written by the intake side ("received") and the router (routed, triage, status
 * updates); every write is an idempotent upsert, so retries and replays are harmless.
 */
export class StatusStore {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.redis = redis;
    this.prefix = prefix;
  }

  private key(...parts: string[]): string {
    return `${this.prefix}:${parts.join(':')}`;
  }

  /**
   * Records a complaint whose id cannot change any more (the router, for a complaint the intake
   * side could not record; chat channels' deterministic ids); a second call for the same id
   * changes nothing. If its ticket already belongs to another complaint, the status is recorded
   * anyway and `ticketTaken` says that a look-up by this ticket finds the other one.
   * One Lua script, pipelined with the other calls of the same event-loop turn.
   */
  async recordReceived(rec: ReceivedRecord): Promise<{ supporters: number; ticketTaken: boolean }> {
    const result = await this.record(rec, { refuseTakenTicket: false });
    if (result.outcome !== 'recorded') throw new Error(`unreachable: ${result.outcome} without a guard or refusal`);
    return { supporters: result.supporters, ticketTaken: result.ticketTaken };
  }

  /**
   * recordReceived() for a complaint that is usually recorded already (the router: the intake
   * side records every complaint it queues, and only a spooled one reaches the router without a
   * record). Reads first, which costs Redis far less than the record script; records only when
   * the record is missing. A radio complaint is put on its station's board either way.
   */
  async ensureReceived(rec: ReceivedRecord): Promise<{ supporters: number; ticketTaken: boolean }> {
    const [id, supporters] = await this.redis.hmget(this.key('complaint', rec.id), 'id', 'supporters');
    if (!id) return this.recordReceived(rec);
    await this.putOnStationBoard(rec);
    return { supporters: Number(supporters ?? 0), ticketTaken: false };
  }

  /**
   * Records a complaint whose id the caller can still change: refused, with nothing written,
   * when its ticket already belongs to another complaint ('ticket_taken': make a new id and try
   * again). With a guard (an Idempotency-Key claim) the complaint is recorded only if the guard
   * key is new, in the same script so the claim and the record can never disagree; when the key
   * exists, nothing is written and its value is returned ('guard_exists').
   */
  async recordNew(rec: ReceivedRecord, guard?: ReceivedGuard): Promise<RecordOutcome> {
    return this.record(rec, { refuseTakenTicket: true, ...(guard ? { guard } : {}) });
  }

  /**
   * recordNew()'s record as a guard on the complaint's intake add (DurableProducer.addGuarded):
   * the record, the Idempotency-Key claim and the add in one Redis script. `rec.id` must have
   * been made for this complaint (the gateway's random ids): the record is written whole, not
   * merged into an earlier one. A refusal means what refusalOutcome() says; once the add is
   * done, a radio complaint still needs putOnStationBoard().
   */
  newComplaintGuard(rec: ReceivedRecord, guard?: ReceivedGuard): AddGuard {
    return { lua: RECORD_RECEIVED_GUARD, ...this.recordCall(rec, { refuseTakenTicket: true, freshId: true, ...(guard ? { guard } : {}) }) };
  }

  /**
   * The claim a newComplaintGuard() carries (its key and value), or undefined: read back from a
   * spooled record's guard after a restart (IntakeService.recallSpooled).
   */
  static claimOf(guard: AddGuard | undefined): { key: string; value: string } | undefined {
    if (guard?.lua !== RECORD_RECEIVED_GUARD) return undefined;
    const key = guard.keys[2];
    const value = guard.args[3];
    return typeof key === 'string' && typeof value === 'string' && value !== '' ? { key, value } : undefined;
  }

  /**
   * A spooled newComplaintGuard() without what leads to the citizen: the record's sender fields
   * (REPORTER_FIELDS) and the Idempotency-Key claim's body hash (`claimValue` rewrites the claim).
   * Any other guard comes back as it is.
   */
  static withoutReporter(guard: AddGuard, claimValue: (value: string) => string): AddGuard {
    if (guard.lua !== RECORD_RECEIVED_GUARD) return guard;
    const head = guard.args.slice(0, 7);
    const pairs = guard.args.slice(7);
    const kept: (string | number)[] = [];
    for (let i = 0; i < pairs.length; i += 2) {
      if (!(REPORTER_FIELDS as readonly unknown[]).includes(pairs[i])) kept.push(pairs[i]!, pairs[i + 1]!);
    }
    if (typeof head[3] === 'string' && head[3] !== '') head[3] = claimValue(head[3]);
    return { ...guard, args: [...head, ...kept] };
  }

  /** What a refusal of newComplaintGuard() means: the guard key exists, or the ticket is taken. */
  refusalOutcome(refusal: unknown[]): Exclude<RecordOutcome, { outcome: 'recorded' }> {
    const [code, value] = refusal as [number, string];
    if (code === 0) return { outcome: 'guard_exists', earlier: String(value) };
    if (code === 2) return { outcome: 'ticket_taken' };
    throw new Error(`not a refusal of the received record: ${JSON.stringify(refusal)}`);
  }

  private recordCall(rec: ReceivedRecord, opts: { refuseTakenTicket: boolean; freshId?: boolean; guard?: ReceivedGuard }): { keys: string[]; args: string[] } {
    const fields: string[] = ['id', rec.id, 'ticket', rec.ticket, 'channel', rec.channel, 'receivedAt', rec.receivedAt];
    if (rec.senderHash) fields.push('senderHash', rec.senderHash);
    if (rec.phoneHash) fields.push('phoneHash', rec.phoneHash);
    if (rec.station) fields.push('station', rec.station);
    if (rec.replyAccount) fields.push('replyAccount', rec.replyAccount);
    if (rec.replyTo) fields.push('replyTo', rec.replyTo);
    const { guard } = opts;
    const keys = [this.key('ticket', rec.ticket), this.key('complaint', rec.id)];
    if (guard) keys.push(guard.key);
    return { keys, args: [rec.id, String(KEEP_SECONDS), rec.receivedAt, guard?.value ?? '', String(guard?.ttlSeconds ?? 0), opts.refuseTakenTicket ? '1' : '0', opts.freshId ? '1' : '0', ...fields] };
  }

  private async record(rec: ReceivedRecord, opts: { refuseTakenTicket: boolean; guard?: ReceivedGuard }): Promise<RecordOutcome> {
    const { keys, args } = this.recordCall(rec, opts);
    const [code, value] = (await RECORD_RECEIVED.runBatched(this.redis, keys, args)) as [number, number | string];
    if (code === 0 || code === 2) return this.refusalOutcome([code, value]);
    await this.putOnStationBoard(rec);
    return { outcome: 'recorded', supporters: Number(value), ticketTaken: code === 3 };
  }

  /**
   * A radio complaint's place on its station's board of the day (the desk); nothing for other
   * channels. ZADD is idempotent, so replays change nothing.
   */
  async putOnStationBoard(rec: ReceivedRecord): Promise<void> {
    if (!rec.station) return;
    const at = Date.parse(rec.receivedAt);
    const sk = this.stationKey(rec.station);
    await this.redis.multi().zadd(sk, at, rec.id).zremrangebyscore(sk, 0, at - STATION_INDEX_SECONDS * 1000).expire(sk, STATION_INDEX_SECONDS).exec();
  }

  /**
   * Moves a complaint to a new state. `dedupeKey` names the event (e.g. "routed:r0"): a retried
   * job that records the same event again changes nothing. Defaults to state|at|opd.
   */
  /** `requireOpd`: apply only while the complaint is routed to this OPD (an OPD's report). */
  /** `acceptedMs`: for an OPD's report, when Aduan took it (its `status` job's time); default now. */
  /** `routed`: for a routing step, the decision's publication, kept as the complaint's routed copy (routedCopy). */
  /** `reopen`: a step to "routed" made by the citizen's reopen: counted on the record (`reopens`) and in reopenCounts(). */
  async transition(id: string, entry: HistoryEntry & { opdName?: string; dedupeKey?: string; requireOpd?: string; acceptedMs?: number; routed?: RoutedComplaint; reopen?: boolean }): Promise<TransitionOutcome> {
    const fields: string[] = ['state', entry.state, 'updatedAt', entry.at];
    if (entry.opd) fields.push('opd', entry.opd);
    if (entry.opdName) fields.push('opdName', entry.opdName);
    const h: HistoryEntry = { state: entry.state, at: entry.at };
    if (entry.message) h.message = entry.message;
    if (entry.opd) h.opd = entry.opd;
    const keys = [this.key('complaint', id, 'seen'), this.key('complaint', id), this.key('complaint', id, 'history'), routedCopyKey(this.prefix, id)];
    // Routed to an OPD: the complaint enters that OPD's inbox (a re-assignment back moves it up)
    // and waits for its response (the awaiting index).
    const parsed = Date.parse(entry.at);
    const at = Number.isFinite(parsed) ? parsed : Date.now();
    if (entry.state === 'routed' && entry.opd) keys.push(this.opdInboxKey(entry.opd), this.awaitingKey(entry.opd), this.awaitingOpdsKey());
    // A citizen's reopen is a step to "routed" (keys 5-7 set): its counts go with it.
    if (entry.reopen && keys.length === 7) keys.push(this.reopenCountKey(wibMonth(at)));
    const reportedAt = REPORTED_STATES.has(entry.state) ? at : '';
    const acceptedAt = reportedAt === '' ? '' : (entry.acceptedMs ?? Date.now());
    const outcome = await TRANSITION.runBatched(this.redis, keys, [entry.dedupeKey ?? `${entry.state}|${entry.at}|${entry.opd ?? ''}`, KEEP_SECONDS, JSON.stringify(h), at, id, at - OPD_INBOX_MS, reportedAt, entry.requireOpd ?? '', this.key('opd', ''), acceptedAt, entry.routed ? JSON.stringify(entry.routed) : '', ...fields]);
    return TRANSITION_OUTCOMES[Number(outcome)] ?? 'applied';
  }

  /** The reopens of a month (`YYYY-MM`, WIB) by OPD: TRANSITION_LUA counts them, kept as long as a record. */
  private reopenCountKey(month: string): string {
    return this.key('report', 'reopened', month);
  }

  /** How many times citizens reopened a complaint of each OPD in `month` (`YYYY-MM`, WIB; ADR 0014). */
  async reopenCounts(month: string): Promise<Map<string, number>> {
    const h = await this.redis.hgetall(this.reopenCountKey(month));
    return new Map(Object.entries(h).map(([opd, n]) => [opd, Number(n)]));
  }

  /**
   * The complaint's latest routing decision as published, kept with its record (ADR 0013): while
   * it is open, and 30 days after it closed. Null when it has none (never routed, closed long
   * ago, or routed before copies were kept). latestRouted falls back to it.
   */
  async routedCopy(id: string): Promise<RoutedComplaint | null> {
    return readRoutedCopy(this.redis, this.prefix, id);
  }

  /**
   * Takes the lock held while one decision on a complaint is made and published (an admin's
   * assignment, an OPD's return): two at once would both publish revision n+1, one lost on
   * `routed` (same jobId) but not on an OPD's queue or in triage. A token to release it with, or
   * null while someone else holds it. It expires after `ms` (a holder that died).
   */
  async lockDecision(id: string, ms: number): Promise<string | null> {
    const token = randomUUID();
    return (await this.redis.set(this.key('triage', 'assigning', id), token, 'PX', ms, 'NX')) ? token : null;
  }

  async unlockDecision(id: string, token: string): Promise<void> {
    await this.redis.eval(RELEASE_LUA, 1, this.key('triage', 'assigning', id), token).catch(() => 0);
  }

  /**
   * Whether an event (a dedupeKey, e.g. "status.<updateId>") was recorded on the complaint: by
   * transition(), or by markSeen() for one that is not a step of its own (an OPD's return, whose
   * step is its triage revision's).
   */
  async seen(id: string, event: string): Promise<boolean> {
    return (await this.redis.sismember(this.key('complaint', id, 'seen'), event)) === 1;
  }

  /**
   * Counts one status notice to the complaint's citizen, of progress or of an outcome, while the
   * complaint is with one OPD by one decision (`decision`: a re-assignment starts afresh, its
   * OPD's notices not held against the last one's), and records the state it tells (lastTold).
   * Not told once STATUS_NOTICES_PER_DAY[kind] were counted in the 24 hours since the first of
   * that kind, except for an outcome when the last notice told was progress: the citizen's last message must not say "in progress" about a
   * complaint that was resolved or rejected since. (Bounded all the same: each such outcome
   * follows a progress notice told, and those are limited.)
   */
  async takeNotice(id: string, state: ReportedStep, decision: string): Promise<{ told: true } | { told: false; windowEndsInMs: number }> {
    const kind = state === 'in_progress' ? 'progress' : 'outcome';
    const counter = this.key('complaint', id, 'notices', decision, kind);
    const [told, ms] = (await TAKE_NOTICE.run(this.redis, [counter, this.toldKey(id)], [kind, STATUS_NOTICES_PER_DAY[kind], 86_400, KEEP_SECONDS, state])) as [number, number];
    return Number(told) === 1 ? { told: true } : { told: false, windowEndsInMs: Math.max(0, Number(ms)) };
  }

  /**
   * A status notice held back by the daily limit (takeNotice): the complaint is looked at again
   * at `dueMs` (StatusStore.takeDueHeld), and its citizen told where it stands then if their last
   * notice says otherwise. One entry per complaint: the latest hold's time.
   */
  async holdNotice(id: string, dueMs: number): Promise<void> {
    await this.redis.zadd(this.key('notices', 'held'), dueMs, id);
  }

  /** The complaints whose held notices are due at `nowMs`, taken off the list (each returned to one caller). */
  async takeDueHeld(nowMs: number, limit = 100): Promise<string[]> {
    return (await TAKE_DUE_HELD.run(this.redis, [this.key('notices', 'held')], [nowMs, limit])) as string[];
  }

  private toldKey(id: string): string {
    return this.key('complaint', id, 'notices', 'told');
  }

  /** Records the state a status notice told outside takeNotice (a held one's, told later). */
  async rememberTold(id: string, state: ComplaintState): Promise<void> {
    await this.redis.set(this.toldKey(id), state, 'EX', KEEP_SECONDS);
  }

  /** The state the citizen's last status notice told (takeNotice, rememberTold), if any was. */
  async lastTold(id: string): Promise<ComplaintState | null> {
    return (await this.redis.get(this.toldKey(id))) as ComplaintState | null;
  }

  /**
   * The citizen of a web form or radio complaint follows it in a WhatsApp chat (they sent `cek
   * <ticket>` there from the number they gave): from now on its status news goes there, as a
   * WhatsApp complaint's does. The latest chat wins. 'followed' when that is new, 'already' when
   * it was so, 'not_followable' for a chat complaint (its news goes where it came from) or a record gone.
   */
  async follow(id: string, chat: { channel: 'whatsapp'; account: string; to: string }): Promise<'followed' | 'already' | 'not_followable'> {
    const r = Number(await FOLLOW.run(this.redis, [this.key('complaint', id)], [chat.channel, chat.account, chat.to]));
    return r === 1 ? 'followed' : r === 0 ? 'already' : 'not_followable';
  }

  /** Where the status news of a complaint goes (noticeAddress), read from its record alone. */
  async noticeAddress(id: string): Promise<ReturnType<typeof noticeAddress>> {
    const [channel, replyChannel, replyAccount, replyTo] = await this.redis.hmget(this.key('complaint', id), 'channel', 'replyChannel', 'replyAccount', 'replyTo');
    return channel ? noticeAddress({ channel: channel as Channel, ...(replyChannel === 'whatsapp' ? { replyChannel } : {}), ...(replyAccount ? { replyAccount } : {}), ...(replyTo ? { replyTo } : {}) }) : undefined;
  }

  /** How many of the record's fields lead to its citizen (REPORTER_FIELDS): what eraseReporter() removes. */
  async reporterFieldCount(id: string): Promise<number> {
    return (await this.redis.hmget(this.key('complaint', id), ...REPORTER_FIELDS)).filter((v) => v !== null).length;
  }

  /**
   * Removes the fields that lead to the complaint's citizen (their hashes, where news goes) and
   * notes when (`erasedAt`, the first time only): the status page keeps working, `cek <ticket>`
   * on WhatsApp no longer answers anyone, and no status news is sent. Returns the fields removed.
   */
  async eraseReporter(id: string, at: string): Promise<number> {
    const k = this.key('complaint', id);
    const res = await this.redis.multi().hdel(k, ...REPORTER_FIELDS).hsetnx(k, 'erasedAt', at).exec();
    return Number(res?.[0]?.[1] ?? 0);
  }

  /** When the citizen's data was erased (eraseReporter), if it was. */
  async erasedAt(id: string): Promise<string | null> {
    return this.redis.hget(this.key('complaint', id), 'erasedAt');
  }

  /**
   * Rewrites the history entries whose message `mask` changes (an OPD that named the citizen in
   * its note); with `apply` false only counts them. Returns how many (would) change.
   */
  async maskHistory(id: string, mask: (message: string) => string, apply: boolean): Promise<number> {
    const key = this.key('complaint', id, 'history');
    const args: string[] = [];
    (await this.redis.lrange(key, 0, -1)).forEach((raw, i) => {
      const entry = JSON.parse(raw) as HistoryEntry;
      if (entry.message === undefined || mask(entry.message) === entry.message) return;
      args.push(String(i), raw, JSON.stringify({ ...entry, message: mask(entry.message) }));
    });
    if (!apply || args.length === 0) return args.length / 3;
    return Number(await REPLACE_HISTORY.run(this.redis, [key], args));
  }

  /**
   * Links an addition (a photo the same citizen sent soon after `id` was acknowledged, filed as a
   * complaint of its own) to the complaint it adds to, so that it follows that complaint when an
   * admin assigns it elsewhere. Kept as long as the complaint's record; a second call changes nothing.
   */
  async linkAddition(id: string, additionId: string): Promise<void> {
    const k = this.key('complaint', id, 'additions');
    await this.redis.multi().sadd(k, additionId).expire(k, KEEP_SECONDS).exec();
  }

  /** The additions linked to complaint `id` (linkAddition), oldest id first. */
  async additions(id: string): Promise<string[]> {
    return (await this.redis.smembers(this.key('complaint', id, 'additions'))).sort();
  }

  /** Records an event as done (see seen()); kept as long as the complaint's record. */
  async markSeen(id: string, event: string): Promise<void> {
    await this.markSeenIn(this.redis.multi(), id, event).exec();
  }

  /** markSeen's writes added to `multi`, for a caller whose own writes must land with them, or not at all. */
  markSeenIn(multi: ChainableCommander, id: string, event: string): ChainableCommander {
    const k = this.key('complaint', id, 'seen');
    return multi.sadd(k, event).expire(k, KEEP_SECONDS);
  }

  private opdInboxKey(opd: string): string {
    return this.key('opd', opd, 'inbox');
  }

  /**
   * The complaints routed to `opd` after the cursor (an entry's score, about its routing time in
   * ms, then complaint id), oldest first: the OPD API's feed. A cursor names the last item a
   * reader saw; entries written later always score higher (TRANSITION_LUA).
   */
  async opdInbox(opd: string, after: { ms: number; id: string }, limit: number): Promise<{ id: string; ms: number }[]> {
    // Entries routed in the cursor's own millisecond come back too and are skipped by id (ids
    // sort as strings); a page holds `limit` more than any millisecond's share in practice.
    const raw = await this.redis.zrangebyscore(this.opdInboxKey(opd), after.ms, '+inf', 'WITHSCORES', 'LIMIT', 0, limit + 100);
    const out: { id: string; ms: number }[] = [];
    for (let i = 0; i < raw.length && out.length < limit; i += 2) {
      const id = raw[i] as string;
      const ms = Number(raw[i + 1]);
      if (ms === after.ms && id <= after.id) continue;
      out.push({ id, ms });
    }
    return out;
  }

  /**
   * The complaints routed to `opd` in its inbox's 30 days, the most recently routed first (a
   * re-assignment back moves one up): the OPD inbox page's recent list. Some may have been
   * re-assigned away since; the caller checks each record.
   */
  async opdRecent(opd: string, limit: number): Promise<{ id: string; ms: number }[]> {
    const raw = await this.redis.zrevrange(this.opdInboxKey(opd), 0, limit - 1, 'WITHSCORES');
    const out: { id: string; ms: number }[] = [];
    for (let i = 0; i < raw.length; i += 2) out.push({ id: raw[i] as string, ms: Number(raw[i + 1]) });
    return out;
  }

  /**
   * The `limit` complaints `opd` reported in progress and has not closed, the earliest routed
   * first, and how many there are in all (TRANSITION_LUA keeps the index; none from before it).
   */
  async inProgressOf(opd: string, nowMs: number, limit: number): Promise<{ items: { id: string; routedMs: number }[]; total: number }> {
    const key = this.key('opd', opd, 'progress');
    const from = nowMs - KEEP_SECONDS * 1000;
    const [raw, total] = await Promise.all([this.redis.zrangebyscore(key, from, '+inf', 'WITHSCORES', 'LIMIT', 0, limit), this.redis.zcount(key, from, '+inf')]);
    const items: { id: string; routedMs: number }[] = [];
    for (let i = 0; i < raw.length; i += 2) items.push({ id: raw[i] as string, routedMs: Number(raw[i + 1]) });
    return { items, total };
  }

  /** The state, OPD and last change of each complaint (null for one without a record), in one round trip: for lists that filter before they read more. */
  async statesOf(ids: string[]): Promise<({ id: string; state: ComplaintState; opd?: string; updatedAt: string } | null)[]> {
    if (ids.length === 0) return [];
    const multi = this.redis.multi();
    for (const id of ids) multi.hmget(this.key('complaint', id), 'state', 'opd', 'updatedAt');
    const rows = (await multi.exec()) ?? [];
    return ids.map((id, i) => {
      const [state, opd, updatedAt] = (rows[i]?.[1] ?? []) as (string | null)[];
      if (!state) return null;
      return { id, state: state as ComplaintState, ...(opd ? { opd } : {}), updatedAt: updatedAt ?? '' };
    });
  }

  /** The `limit` oldest complaints `opd` has not answered yet (routed, no report), and how many there are in all. */
  async awaitingOf(opd: string, nowMs: number, limit: number): Promise<{ items: { id: string; routedMs: number }[]; total: number }> {
    const [items, total] = await Promise.all([this.overdueOf(opd, Number.MAX_SAFE_INTEGER, nowMs, limit), this.redis.zcount(this.awaitingKey(opd), nowMs - KEEP_SECONDS * 1000, '+inf')]);
    return { items, total };
  }

  /** The complaints routed to `opd` and not answered yet, scored by routing time (ms): TRANSITION_LUA keeps it. */
  private awaitingKey(opd: string): string {
    return this.key('opd', opd, 'awaiting');
  }

  /** Every OPD that has had an awaiting index: what overdueCounts() reads. */
  private awaitingOpdsKey(): string {
    return this.key('opd-awaiting');
  }

  /**
   * How many complaints each OPD has left unanswered that were routed before `routedBeforeMs`
   * (ResponseDeadline.overdueBefore), for every OPD that ever had one waiting: one SMEMBERS and
   * one ZCOUNT per OPD, whatever the number of complaints. Entries older than a status record's
   * life (`nowMs` back) name records gone, and are not counted.
   */
  async overdueCounts(routedBeforeMs: number, nowMs: number): Promise<Map<string, number>> {
    const opds = (await this.redis.smembers(this.awaitingOpdsKey())).sort();
    const multi = this.redis.multi();
    for (const opd of opds) multi.zcount(this.awaitingKey(opd), nowMs - KEEP_SECONDS * 1000, `(${routedBeforeMs}`);
    const counts = (await multi.exec()) ?? [];
    return new Map(opds.map((opd, i) => [opd, Number(counts[i]?.[1] ?? 0)]));
  }

  /** The `limit` oldest complaints `opd` has left unanswered that were routed before `routedBeforeMs`, with their routing time (ms). */
  async overdueOf(opd: string, routedBeforeMs: number, nowMs: number, limit: number): Promise<{ id: string; routedMs: number }[]> {
    const raw = await this.redis.zrangebyscore(this.awaitingKey(opd), nowMs - KEEP_SECONDS * 1000, `(${routedBeforeMs}`, 'WITHSCORES', 'LIMIT', 0, limit);
    const out: { id: string; routedMs: number }[] = [];
    for (let i = 0; i < raw.length; i += 2) out.push({ id: raw[i] as string, routedMs: Number(raw[i + 1]) });
    return out;
  }

  /**
   * Fills the awaiting indexes from the OPD inboxes, for complaints routed before the indexes
   * existed (an upgrade): each inbox entry whose record is still "routed" to that inbox's OPD,
   * scored by its inbox score (its routing time). Idempotent, and checked against the record in
   * one script per complaint, so a report applied meanwhile is never undone. Runs once: a marker
   * key says it is done ('done': nothing to do; else how many were added). Inboxes keep 30 days,
   * so a complaint routed earlier than that and never answered is not found.
   */
  async backfillAwaiting(): Promise<number | 'done'> {
    const marker = this.key('opd-awaiting', 'backfilled');
    if (await this.redis.exists(marker)) return 'done';
    const head = this.key('opd', '');
    let added = 0;
    for await (const key of keysMatching(this.redis, this.prefix, 'opd:*:inbox')) added += await this.backfillInbox(key, key.slice(head.length, -':inbox'.length));
    await this.redis.set(marker, new Date().toISOString());
    return added;
  }

  private async backfillInbox(inboxKey: string, opd: string): Promise<number> {
    let added = 0;
    for (let start = 0; ; start += 1000) {
      const raw = await this.redis.zrange(inboxKey, String(start), String(start + 999), 'WITHSCORES');
      const runs: Promise<unknown>[] = [];
      for (let i = 0; i < raw.length; i += 2) {
        const id = raw[i] as string;
        runs.push(BACKFILL_AWAITING.runBatched(this.redis, [this.key('complaint', id), this.awaitingKey(opd), this.awaitingOpdsKey()], [id, opd, raw[i + 1] as string]));
      }
      for (const n of await Promise.all(runs)) added += Number(n);
      if (raw.length < 2000) return added;
    }
  }

  private receivedKey(): string {
    return this.key('received');
  }

  /**
   * Puts complaint `id` in the index of complaints by the time they were received (the monthly
   * report's, StatusStore.receivedIn), once: a second call changes nothing. The router calls it
   * with a complaint's first decision; additions (a photo sent after the complaint) are not put
   * in. Entries older than a record's life are dropped as new ones come.
   */
  async indexReceived(id: string, receivedMs: number): Promise<void> {
    // Two commands, not a transaction: both are idempotent, and the trim may come any time.
    await Promise.all([this.redis.zadd(this.receivedKey(), 'NX', receivedMs, id), this.redis.zremrangebyscore(this.receivedKey(), '-inf', `(${receivedMs - KEEP_SECONDS * 1000}`)]);
  }

  /** The complaints received in [fromMs, toMs) (indexReceived), oldest first. */
  async receivedIn(fromMs: number, toMs: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.receivedKey(), fromMs, `(${toMs}`);
  }

  /**
   * What the monthly report needs of each complaint of `ids` (ReportEntry), null for one no longer
   * kept: read 500 at a time, each 500 in one round trip (a shorter hold of the event loop per
   * reply), only the record's fields the report uses (HGETALL's whole records took twice as long).
   * A record written before it kept `routedAt` and `answeredAt` (TRANSITION_LUA) has them read
   * from its history, in a second round trip for those only.
   */
  async reportEntries(ids: string[]): Promise<(ReportEntry | null)[]> {
    const out: (ReportEntry | null)[] = [];
    for (let start = 0; start < ids.length; start += 500) {
      const chunk = ids.slice(start, start + 500);
      const pipe = this.redis.pipeline();
      for (const id of chunk) pipe.hmget(this.key('complaint', id), 'id', 'channel', 'state', 'opd', 'opdName', 'receivedAt', 'routedAt', 'answeredAt');
      const entries = ((await pipe.exec()) ?? []).map(([err, h]): ReportEntry | null => {
        if (err) throw err;
        const [id, channel, state, opd, opdName, receivedAt, routedAt, answeredAt] = h as (string | null)[];
        if (!id) return null;
        const record = { id, channel: channel as Channel, state: (state ?? 'received') as ComplaintState, receivedAt: receivedAt ?? '', ...(opd ? { opd } : {}), ...(opdName ? { opdName } : {}) };
        return { record, ...(routedAt ? { routedMs: Number(routedAt) } : {}), ...(answeredAt ? { answeredMs: Number(answeredAt) } : {}) };
      });
      const older = entries.filter((e): e is ReportEntry => !!e?.record.opd && e.routedMs === undefined);
      if (older.length > 0) {
        const histories = this.redis.pipeline();
        for (const e of older) histories.lrange(this.key('complaint', e.record.id, 'history'), 0, -1);
        ((await histories.exec()) ?? []).forEach(([err, items], i) => {
          if (err) throw err;
          Object.assign(older[i]!, assignmentFromHistory(older[i]!.record.opd!, (items as string[]).map((s) => JSON.parse(s) as HistoryEntry)));
        });
      }
      out.push(...entries);
    }
    return out;
  }

  /**
   * Fills the received index (indexReceived) from the status records, for complaints routed
   * before it existed (an upgrade): every record under the prefix the router took, but the
   * additions linked to a complaint. Idempotent; runs once (a marker key says it is done: 'done', else how many were
   * added).
   */
  async backfillReceived(): Promise<number | 'done'> {
    const marker = this.key('received', 'backfilled');
    if (await this.redis.exists(marker)) return 'done';
    const additions = new Set<string>();
    const records: string[] = [];
    const head = this.key('complaint', '');
    for await (const key of keysMatching(this.redis, this.prefix, 'complaint:*')) {
      const rest = key.slice(head.length);
      if (/^[0-9A-Z]{26}$/.test(rest)) records.push(rest);
      else if (/^[0-9A-Z]{26}:additions$/.test(rest)) for (const id of await this.redis.smembers(key)) additions.add(id);
    }
    let added = 0;
    const ids = records.filter((id) => !additions.has(id));
    for (let start = 0; start < ids.length; start += 1000) {
      const chunk = ids.slice(start, start + 1000);
      const pipe = this.redis.pipeline();
      for (const id of chunk) pipe.hmget(this.key('complaint', id), 'receivedAt', 'state');
      const res = (await pipe.exec()) ?? [];
      const add = this.redis.pipeline();
      let n = 0;
      chunk.forEach((id, i) => {
        const [receivedAt, state] = (res[i]?.[1] ?? []) as (string | null)[];
        const ms = Date.parse(receivedAt ?? '');
        // One the router never took (its intake job failed for good) is indexed once it does.
        if (Number.isFinite(ms) && state !== 'received') {
          add.zadd(this.receivedKey(), 'NX', ms, id);
          n++;
        }
      });
      if (n > 0) for (const [err, r] of (await add.exec()) ?? []) {
        if (err) throw err;
        added += Number(r);
      }
    }
    await this.redis.set(marker, new Date().toISOString());
    return added;
  }

  private stationKey(station: string): string {
    return this.key('station', encodeURIComponent(station.trim().toLowerCase()));
  }

  /**
   * A station's complaints received, and callers it linked, in [fromMs, toMs), newest first (the
   * desk's board of the day): a day of more than `limit` shows its latest, not its first.
   */
  async stationEntries(station: string, fromMs: number, toMs: number, limit = 500): Promise<StationEntry[]> {
    const members = await this.redis.zrevrangebyscore(this.stationKey(station), `(${toMs}`, fromMs, 'LIMIT', 0, limit);
    const entries = await Promise.all(members.map((m) => this.stationEntry(m)));
    return entries.filter((e): e is StationEntry => e !== null);
  }

  private async stationEntry(member: string): Promise<StationEntry | null> {
    if (!member.startsWith(LINK_MEMBER)) {
      const record = await this.get(member);
      return record && { kind: 'complaint', record };
    }
    const rest = member.slice(LINK_MEMBER.length);
    const cut = rest.indexOf(':');
    const id = rest.slice(0, cut);
    const [record, supporter] = await Promise.all([this.get(id), this.redis.hget(this.key('complaint', id, 'supporters'), rest.slice(cut + 1))]);
    return record && supporter ? { kind: 'link', record, supporter: JSON.parse(supporter) as SupporterEntry } : null;
  }

  /**
   * Links one more reporter to a complaint. `supporterKey` identifies the link (the desk entry's
   * idempotency key): recording the same key twice changes nothing. Returns the new count. A
   * link taken at a station (`entry.station`) is listed on that station's board at `entry.at`.
   */
  async addSupporter(id: string, supporterKey: string, entry: SupporterEntry): Promise<{ added: boolean; supporters: number }> {
    const keys = [this.key('complaint', id, 'supporters'), this.key('complaint', id)];
    const args: (string | number)[] = [supporterKey, JSON.stringify(entry), KEEP_SECONDS];
    const at = Date.parse(entry.at);
    if (entry.station && Number.isFinite(at)) {
      keys.push(this.stationKey(entry.station));
      args.push(at, linkMember(id, supporterKey), at - STATION_INDEX_SECONDS * 1000, STATION_INDEX_SECONDS);
    }
    const res = (await ADD_SUPPORTER.run(this.redis, keys, args)) as [number, number];
    return { added: res[0] === 1, supporters: res[1] };
  }

  async supporters(id: string): Promise<SupporterEntry[]> {
    const h = await this.redis.hgetall(this.key('complaint', id, 'supporters'));
    return Object.values(h).map((v) => JSON.parse(v) as SupporterEntry);
  }

  async idForTicket(ticket: string): Promise<string | null> {
    return this.redis.get(this.key('ticket', ticket));
  }

  async get(id: string): Promise<StatusRecord | null> {
    const h = await this.redis.hgetall(this.key('complaint', id));
    if (!h.id) return null;
    return {
      id: h.id,
      ticket: h.ticket ?? '',
      channel: h.channel as Channel,
      state: (h.state ?? 'received') as ComplaintState,
      receivedAt: h.receivedAt ?? '',
      updatedAt: h.updatedAt ?? h.receivedAt ?? '',
      ...(h.opd ? { opd: h.opd } : {}),
      ...(h.opdName ? { opdName: h.opdName } : {}),
      ...(h.senderHash ? { senderHash: h.senderHash } : {}),
      ...(h.phoneHash ? { phoneHash: h.phoneHash } : {}),
      ...(h.station ? { station: h.station } : {}),
      ...(h.supporters ? { supporters: Number(h.supporters) } : {}),
      ...(h.replyAccount ? { replyAccount: h.replyAccount } : {}),
      ...(h.replyTo ? { replyTo: h.replyTo } : {}),
      ...(h.replyChannel === 'whatsapp' ? { replyChannel: h.replyChannel } : {}),
      ...(h.reportedAt ? { reportedAt: Number(h.reportedAt) } : {}),
      ...(h.reopens ? { reopens: Number(h.reopens) } : {}),
    };
  }

  /**
   * The complaint's steps, oldest first, starting with "received" at its receivedAt. The list in
   * Redis holds the steps after it (records written by earlier versions also hold "received").
   */
  async history(id: string): Promise<HistoryEntry[]> {
    const [receivedAt, items] = await Promise.all([this.redis.hget(this.key('complaint', id), 'receivedAt'), this.historyList(id)]);
    return withReceived(items, receivedAt ?? undefined);
  }

  private async historyList(id: string): Promise<HistoryEntry[]> {
    return (await this.redis.lrange(this.key('complaint', id, 'history'), 0, -1)).map((s) => JSON.parse(s) as HistoryEntry);
  }

  async view(id: string): Promise<StatusView | null> {
    return (await this.read(id))?.view ?? null;
  }

  /** The record and its citizen's view, in one round trip (staff pages show both). */
  async read(id: string): Promise<{ record: StatusRecord; view: StatusView } | null> {
    // Both reads at once: one round trip (the list read is wasted only for an unknown id).
    const [rec, items] = await Promise.all([this.get(id), this.historyList(id)]);
    if (!rec) return null;
    return { record: rec, view: viewOf(rec, items) };
  }
}

function viewOf(rec: StatusRecord, items: HistoryEntry[]): StatusView {
  const history = withReceived(items, rec.receivedAt);
  return {
    ticket: rec.ticket,
    state: rec.state,
    channel: rec.channel,
    receivedAt: rec.receivedAt,
    updatedAt: rec.updatedAt,
    ...(rec.opd ? { opd: { code: rec.opd, name: rec.opdName ?? rec.opd } } : {}),
    history: history.map((e) => ({ state: e.state, at: e.at, ...(e.message ? { message: e.message } : {}) })),
  };
}
