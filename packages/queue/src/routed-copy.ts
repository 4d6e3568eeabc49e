import type { Redis } from 'ioredis';
import { RoutedComplaint, type ComplaintState } from '@aduan/schema';
import { LuaScript } from './lua.ts';
import { QueueNames, specFor } from './names.ts';
import { keyPages } from './scan-keys.ts';

/**
 * A complaint's routed copy (ADR 0013): its latest routing publication as the status record
 * names it, written by the status script with each routing step (StatusStore.transition), so
 * that what staff act on (its words, place, photos, reporter) outlives `routed`'s 30 days while
 * the complaint is open. latestRouted reads it once `routed` keeps none of its decisions.
 */
export const routedCopyKey = (prefix: string, id: string) => `${prefix}:complaint:${id}:routed`;

/**
 * The states after which nobody acts on a complaint: resolved, rejected, or outside the city's
 * remit (the citizen was told where to go). Its copy then lives as long as `routed` keeps a
 * consumed job; in any other state, as long as its status record (400 days from its last step).
 * A closed complaint an OPD re-opens ("in progress" after "resolved") is kept again.
 */
export const CLOSED_STATES: readonly ComplaintState[] = ['resolved', 'rejected', 'external'];
export const CLOSED_COPY_KEEP_SECONDS = specFor(QueueNames.routed).keepCompletedSeconds;

/** The routed copy of complaint `id`, or null (never routed, closed over 30 days ago, or routed before copies were kept). */
export async function readRoutedCopy(redis: Redis, prefix: string, id: string): Promise<RoutedComplaint | null> {
  const raw = await redis.get(routedCopyKey(prefix, id));
  return raw ? RoutedComplaint.parse(JSON.parse(raw)) : null;
}

/** KEYS: the copy. ARGV: the copy as read, the one to write. Replaces it, keeping its expiry, only while it is still the one read. */
const REPLACE_COPY = new LuaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1
`);

/**
 * Rewrites complaint `id`'s routed copy with `rewrite` (complaint:erase): 1 when it changed, 0
 * when there is none or `rewrite` leaves it as it is. A routing step that writes a new copy
 * meanwhile is never overwritten with the older one: the new copy is read and rewritten instead.
 * With `apply` false, only says whether it would change.
 */
export async function rewriteRoutedCopy(redis: Redis, prefix: string, id: string, rewrite: (c: RoutedComplaint) => RoutedComplaint, apply: boolean): Promise<number> {
  const key = routedCopyKey(prefix, id);
  for (;;) {
    const raw = await redis.get(key);
    if (!raw) return 0;
    const next = JSON.stringify(rewrite(JSON.parse(raw) as RoutedComplaint));
    if (next === raw) return 0;
    if (!apply || Number(await REPLACE_COPY.run(redis, [key], [raw, next])) === 1) return 1;
  }
}

/** The states of a complaint someone still has to act on, whose routing the upgrade copies. */
const OPEN_ROUTED = ['triage', 'routed', 'in_progress'] satisfies ComplaintState[];

/**
 * KEYS: the complaint's record, its copy. ARGV: the copy, '1' when it is a triage decision, its
 * OPD. Writes the copy of a complaint routed before copies were kept, only while none exists (a
 * routing step since wrote a newer one), the record is open and names what the copy says (in
 * triage, or with that OPD), and for as long as the record has left. 1 written, 0 not.
 */
const BACKFILL_COPY = new LuaScript(`
local rec = redis.call('HMGET', KEYS[1], 'state', 'opd')
local triage = rec[1] == 'triage'
if not (triage or rec[1] == 'routed' or rec[1] == 'in_progress') then return 0 end
if triage ~= (ARGV[2] == '1') or (not triage and rec[2] ~= ARGV[3]) then return 0 end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 1 then return 0 end
return redis.call('SET', KEYS[2], ARGV[1], 'EX', ttl, 'NX') and 1 or 0
`);

const RECORD_ID = /^[0-9A-Z]{26}$/;

/**
 * Gives every complaint open at an upgrade (in triage, routed, in progress) whose routing
 * `routed` still keeps a routed copy, read with `latest` (latestRouted): without one, its words
 * and photos would be gone from the OPD's and the admins' pages 30 days after it was routed.
 * Idempotent, and checked against the record in one script per complaint (BACKFILL_COPY), so a
 * routing step taken meanwhile is never undone. Runs once: a marker key says it is done ('done':
 * nothing to do; else how many were written). `stop` ends it early, unmarked (a router
 * stopping): the next start begins again. A complaint routed over 30 days before the upgrade
 * has no routing left to copy, and stays as it was.
 */
export async function backfillRoutedCopies(redis: Redis, prefix: string, latest: (id: string) => Promise<RoutedComplaint | null>, stop?: AbortSignal): Promise<number | 'done'> {
  const marker = `${prefix}:routed-copies:backfilled`;
  if (await redis.exists(marker)) return 'done';
  const head = `${prefix}:complaint:`;
  let written = 0;
  for await (const keys of keyPages(redis, prefix, 'complaint:*')) {
    if (stop?.aborted) return written;
    const ids = keys.map((k) => k.slice(head.length)).filter((id) => RECORD_ID.test(id));
    const read = redis.pipeline();
    for (const id of ids) read.hget(`${head}${id}`, 'state').exists(routedCopyKey(prefix, id));
    const rows = (await read.exec()) ?? [];
    const open = ids.filter((_, i) => (OPEN_ROUTED as string[]).includes(rows[2 * i]?.[1] as string) && rows[2 * i + 1]?.[1] === 0);
    for (const id of open) {
      const routed = await latest(id);
      if (!routed) continue;
      written += Number(await BACKFILL_COPY.run(redis, [`${head}${id}`, routedCopyKey(prefix, id)], [JSON.stringify(routed), routed.routing.triage ? '1' : '0', routed.routing.opd]));
    }
  }
  await redis.set(marker, new Date().toISOString());
  return written;
}
