import type { ReopenRequest } from '@aduan/schema';
import { QueueNames } from './names.ts';
import type { DurableProducer } from './producer.ts';
import type { StatusRecord } from './status-store.ts';

/**
 * How long after a resolution its citizen may still say it is not solved, and how often per
 * complaint (REOPEN_DAYS, REOPEN_MAX: the gateway's and the chat adapters' config; ADR 0014).
 */
export interface ReopenPolicy {
  days: number;
  max: number;
}

/** Why a reopen is refused: the stable codes of the API's 409 and of the chat's answers. */
export type ReopenRefusal = 'not_resolved' | 'reopen_window_closed' | 'reopen_limit_reached';

/** The last moment (ms) the complaint may be reopened, or undefined when it is not resolved. */
export function reopenUntil(rec: Pick<StatusRecord, 'state' | 'updatedAt'>, policy: ReopenPolicy): number | undefined {
  if (rec.state !== 'resolved') return undefined;
  return Date.parse(rec.updatedAt) + policy.days * 86_400_000;
}

/**
 * Why the citizen may not reopen the complaint now, or null when they may: it is resolved (its
 * record's `updatedAt` is the resolution's time), less than `policy.days` ago, and was reopened
 * fewer than `policy.max` times.
 */
export function reopenRefusal(rec: Pick<StatusRecord, 'state' | 'updatedAt' | 'reopens'>, policy: ReopenPolicy, nowMs: number): ReopenRefusal | null {
  const until = reopenUntil(rec, policy);
  if (until === undefined) return 'not_resolved';
  if ((rec.reopens ?? 0) >= policy.max) return 'reopen_limit_reached';
  if (!(nowMs <= until)) return 'reopen_window_closed';
  return null;
}

/** The reopen job's id: one per resolution, so a form sent twice (or a "belum" repeated) is one job. */
export const reopenJobId = (rec: Pick<StatusRecord, 'id' | 'updatedAt'>) => `reopen.${rec.id}.${Date.parse(rec.updatedAt)}`;

/**
 * The citizen of `rec` says its resolution did not solve the problem: refused (why), or a job on
 * `reopen` for the router, which routes the complaint again to its OPD under the decision lock
 * and tells the citizen. `reason` must be checked already (ReopenReason).
 */
export async function requestReopen(
  producer: DurableProducer,
  rec: StatusRecord,
  input: { reason: string; via: ReopenRequest['via'] },
  policy: ReopenPolicy,
  nowMs = Date.now(),
): Promise<{ refused: ReopenRefusal } | { refused: null }> {
  const refused = reopenRefusal(rec, policy, nowMs);
  if (refused) return { refused };
  const job: ReopenRequest = { schemaVersion: 1, complaintId: rec.id, resolvedAt: rec.updatedAt, reason: input.reason, at: new Date(nowMs).toISOString(), via: input.via };
  await producer.add(QueueNames.reopen, reopenJobId(rec), job);
  return { refused: null };
}
