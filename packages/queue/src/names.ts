import type { z } from 'zod';
import { Complaint, Notification, RoutedComplaint, StatusUpdate } from '@aduan/schema';

/** Queue names of the public queue contract (README.md, "The queue contract"). */
export const QueueNames = {
  intake: 'intake',
  routed: 'routed',
  triage: 'triage',
  status: 'status',
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
  if (queueName.startsWith('notify.')) return { schema: Notification, attempts: 8, keepCompletedSeconds: 7 * DAY, keepFailedSeconds: 30 * DAY };
  throw new Error(`unknown queue "${queueName}": not in the queue contract`);
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
 * The longest any contract queue keeps a job, completed or failed: a copy of a complaint (and so
 * the photos it names) is gone from every queue this long after its last job ended.
 */
export const LONGEST_JOB_RETENTION_SECONDS = Math.max(
  ...[QueueNames.intake, QueueNames.routed, QueueNames.triage, QueueNames.status, QueueNames.opd('any'), QueueNames.notify('whatsapp'), QueueNames.notify('instagram')].map(specFor).flatMap((s) => [s.keepCompletedSeconds, s.keepFailedSeconds]),
);
