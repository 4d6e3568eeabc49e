import { z } from 'zod';
import { IsoDateTime, Channel } from './complaint.ts';
import { OpdCode } from './routed.ts';

/** Life cycle of a complaint as the citizen sees it. */
export const ComplaintState = z
  .enum(['received', 'triage', 'routed', 'in_progress', 'resolved', 'rejected', 'external'])
  .meta({ id: 'ComplaintState' });
export type ComplaintState = z.infer<typeof ComplaintState>;

/**
 * How far ahead of the receiving clock a reported time may be (clocks differ) before it counts
 * as "now": a report dated in the future would make every later report on the complaint look
 * older than it, and be dropped.
 */
export const MAX_CLOCK_AHEAD_MS = 5 * 60_000;

/**
 * What an OPD may report. `returned`: not this OPD's complaint ("bukan kewenangan kami"): it goes
 * back to the city's admin (triage) for re-assignment, and the citizen is not told (their status
 * reads "triage" until the admin decides). Its `message`, for the admin, is required.
 */
export const ReportedState = z
  .enum(['in_progress', 'resolved', 'rejected', 'returned'])
  .meta({
    description:
      "in_progress, resolved, rejected: progress, told to the citizen. returned: not this OPD's complaint: back to the city's admin (triage) for re-assignment; `message` (required) tells the admin why, and the citizen is not shown it.",
  });
export type ReportedState = z.infer<typeof ReportedState>;

/** A `returned` report says why, for the admin who re-assigns it (StatusUpdate, the OPD API). */
export function requireReturnMessage(v: { state: string; message?: string | undefined }, ctx: z.core.$RefinementCtx): void {
  if (v.state === 'returned' && !v.message) {
    ctx.addIssue({ code: 'custom', path: ['message'], params: { code: 'required' }, input: v.message, message: 'message is required when state is "returned": tell the admin why the complaint is not yours (e.g. "bukan kewenangan kami, mungkin DLH")' });
  }
}

/** Job data of the `status` queue: a downstream system reports progress on a complaint. */
export const StatusUpdate = z
  .object({
    schemaVersion: z.literal(1),
    complaintId: z.string().regex(/^[0-9A-Z]{26}$/),
    state: ReportedState,
    /** Who reports: the OPD code whose system sent it. */
    opd: OpdCode,
    /** Message for the citizen, Bahasa Indonesia; for `returned` (required), the reason, for the city's admin only. */
    message: z.string().trim().min(1).max(1000).optional(),
    /** When it happened. More than MAX_CLOCK_AHEAD_MS ahead of the router's clock, it is taken as the moment the router applies it. */
    at: IsoDateTime,
    /** The downstream system's own id for this update (used as jobId). */
    updateId: z.string().min(1).max(200),
  })
  .superRefine(requireReturnMessage)
  .meta({ id: 'StatusUpdate' });
export type StatusUpdate = z.infer<typeof StatusUpdate>;

/** The citizen's words when they reopen a complaint ("belum selesai"): what is still wrong. */
export const ReopenReason = z.string().trim().min(1).max(1000);

/**
 * Job data of the `reopen` queue, Aduan's own (the gateway and the chat adapters add, the router
 * takes): the citizen of a resolved complaint says the problem is not solved. `resolvedAt` names
 * the resolution they answer (the record's time of it) and keys the job: a form sent twice is one
 * job, and a request for an earlier resolution than the record's is dropped.
 */
export const ReopenRequest = z
  .object({
    schemaVersion: z.literal(1),
    complaintId: z.string().regex(/^[0-9A-Z]{26}$/),
    resolvedAt: IsoDateTime,
    reason: ReopenReason,
    /** When the citizen said it. */
    at: IsoDateTime,
    /** Where they said it: the status page, the API, or their chat. */
    via: z.enum(['web', 'api', 'whatsapp', 'instagram']),
  })
  .meta({ id: 'ReopenRequest' });
export type ReopenRequest = z.infer<typeof ReopenRequest>;

/** Job data of `notify.whatsapp` and `notify.instagram`: something to tell a citizen. */
export const Notification = z
  .object({
    schemaVersion: z.literal(1),
    channel: Channel.exclude(['webform', 'radio']),
    /** Receiving account the message must be sent from. */
    account: z.string().min(1),
    /** Channel address: WhatsApp JID or Instagram thread id. Personal data. */
    to: z.string().min(1),
    complaintId: z.string().optional(),
    ticket: z.string().optional(),
    /** `staff`: not to a citizen but to an OPD's staff member (the gateway's morning digest of their inbox); absent a complaint and a ticket. */
    kind: z.enum(['ack', 'routed', 'status', 'guide', 'lookup', 'error', 'staff']),
    /** Text to send, Bahasa Indonesia. */
    text: z.string().min(1).max(4000),
    /** Reply to this channel message id when the channel supports it. */
    replyTo: z.string().optional(),
    /**
     * Sent before anything else queued for its number: the 112 notice to a citizen who tells of an
     * emergency happening now, which must not wait behind a flood's acknowledgements.
     */
    urgent: z.literal(true).optional().meta({ description: 'Send before every other notice queued for its number (the 112 notice of an emergency). Absent: the usual order.' }),
    createdAt: IsoDateTime,
  })
  .meta({ id: 'Notification' });
export type Notification = z.infer<typeof Notification>;

export const StatusView = z
  .object({
    ticket: z.string(),
    state: ComplaintState,
    opd: z.object({ code: OpdCode, name: z.string() }).optional(),
    channel: Channel,
    receivedAt: IsoDateTime,
    updatedAt: IsoDateTime,
    history: z.array(z.object({ state: ComplaintState, at: IsoDateTime, message: z.string().optional() })),
  })
  .meta({ id: 'StatusView', description: 'What a citizen with the status token may see.' });
export type StatusView = z.infer<typeof StatusView>;
