import type { z } from 'zod';
import { Complaint, Notification, ReopenRequest, RoutedComplaint, StatusUpdate } from '@aduan/schema';

/** Queue names of the public queue contract (README.md, "The queue contract"). */
export const QueueNames = {
  intake: 'intake',
  routed: 'routed',
  triage: 'triage',
  status: 'status',
  /** Aduan's own, not for OPD systems: a citizen reopens a resolved complaint (ReopenRequest; ADR 0014). */
  reopen: 'reopen',
  opd: (code: string) => `opd.${code}`,
  notify: (channel: 'whatsapp' | 'instagram') => `notify.${channel}`,
} as const;

const DAY = 86_400;

/**
 * Job catalog: what each queue carries and how long jobs are kept. Completed jobs are kept
 * for a week because BullMQ dedupes a jobId only while the job still exists: a chat message
 * redelivered days later must still not make a second complaint.
 */
export interface QueueSpec {
  schema: z.ZodType;
  attempts: number;
  keepCompletedSeconds: number;
  keepFailedSeconds: number;
}

const complaintQueue: QueueSpec = { schema: Complaint, attempts: 10, keepCompletedSeconds: 7 * DAY, keepFailedSeconds: 30 * DAY };
const routedQueue: QueueSpec = { schema: RoutedComplaint, attempts: 5, keepCompletedSeconds: 30 * DAY, keepFailedSeconds: 30 * DAY };

export function specFor(queueName: string): QueueSpec {
  if (queueName === QueueNames.intake) return complaintQueue;
  if (queueName === QueueNames.routed || queueName === QueueNames.triage || queueName.startsWith('opd.')) return routedQueue;
  if (queueName === QueueNames.status) return { schema: StatusUpdate, attempts: 10, keepCompletedSeconds: 7 * DAY, keepFailedSeconds: 30 * DAY };
  if (queueName === QueueNames.reopen) return { schema: ReopenRequest, attempts: 10, keepCompletedSeconds: 7 * DAY, keepFailedSeconds: 30 * DAY };
  if (queueName.startsWith('notify.')) return { schema: Notification, attempts: 8, keepCompletedSeconds: 7 * DAY, keepFailedSeconds: 30 * DAY };
  throw new Error(`unknown queue "${queueName}": not in the queue contract`);
}

/**
 * The BullMQ priority of a `notify.whatsapp` job, by its kind. BullMQ hands out every job without
 * a priority before any job with one, then the lowest priority first; within one, in the order
 * added. So the acknowledgement (the citizen's ticket) goes first and, as before, in the fast
 * plain add; then the answers to a citizen who just wrote (guide, lookup: `cek ADU-…`); then the
 * router's notices (routed, status), which no one waits for in the chat; last the gateway's digests
 * to OPD staff (staff, 3), after every citizen's notice. A citizen's notices keep
 * their order: a complaint's acknowledgement is queued before its routed and status notices and
 * ranks before them. Each WhatsApp number sends at most SEND_PER_MINUTE: in a flood, in the order
 * added, the acknowledgements of the last complaints waited hours behind everything else.
 * (notify.instagram keeps the order added: its sender has its own put-back rules.)
 */
export function notifyPriority(kind: Notification['kind']): number | undefined {
  if (kind === 'ack') return undefined;
  if (kind === 'staff') return 3;
  return kind === 'routed' || kind === 'status' ? 2 : 1;
}

/**
 * Where a job goes in its queue: `priority`, the prioritized set (see notifyPriority); `lifo`, the
 * head of the wait list, taken next. Undefined: the tail of the wait list, in the order added.
 */
export interface JobOrder {
  priority?: number;
  lifo?: true;
}

/**
 * Where a job goes in its queue, from its data alone (so a spooled job drains with it too). An
 * urgent notice (the 112 notice of an emergency happening now) is a plain job at the head of the
 * wait list: taken before every acknowledgement queued (plain jobs, behind it) and every
 * prioritized notice. In a flood a number sends SEND_PER_MINUTE: as a guide it waited behind
 * every acknowledgement queued before it, a thousand of them 50 minutes. The others: see
 * notifyPriority (notify.whatsapp only; every other queue keeps the order added).
 */
export function jobOrder(queueName: string, data: unknown): JobOrder | undefined {
  if (!queueName.startsWith('notify.')) return undefined;
  const d = data as { kind?: unknown; urgent?: unknown } | null;
  if (d?.urgent === true) return { lifo: true };
  if (queueName !== QueueNames.notify('whatsapp') || typeof d?.kind !== 'string') return undefined;
  const priority = notifyPriority(d.kind as Notification['kind']);
  return priority ? { priority } : undefined;
}

export function defaultJobOptions(queueName: string) {
  const spec = specFor(queueName);
  return {
    attempts: spec.attempts,
    backoff: { type: 'exponential', delay: 1_000 },
    removeOnComplete: { age: spec.keepCompletedSeconds },
    removeOnFail: { age: spec.keepFailedSeconds },
  } as const;
}

/** Key the router refreshes every few seconds; /readyz reads it to know a router is alive. */
export const routerHeartbeatKey = (prefix: string) => `${prefix}:router:heartbeat`;

/**
 * A WhatsApp number's lock: held by the one WhatsApp service that runs the number (one of its
 * WA_NUMBERS, E.164), from its start to its stop, with a 30 s TTL it renews every 10 s. So it
 * also says that some running service serves the number: the gateway reads it to know that
 * WHATSAPP_PUBLIC_NUMBER, which citizens are told to write to and the OPD digests go from, is one.
 */
export const whatsappNumberKey = (prefix: string, account: string) => `${prefix}:wa:lock:${account}`;

/**
 * The longest any contract queue keeps a job, completed or failed: a copy of a complaint (and so
 * the photos it names) is gone from every queue this long after its last job ended.
 */
export const LONGEST_JOB_RETENTION_SECONDS = Math.max(
  ...[QueueNames.intake, QueueNames.routed, QueueNames.triage, QueueNames.status, QueueNames.reopen, QueueNames.opd('any'), QueueNames.notify('whatsapp'), QueueNames.notify('instagram')].map(specFor).flatMap((s) => [s.keepCompletedSeconds, s.keepFailedSeconds]),
);
