import type { Complaint, Notification, RoutedComplaint, Routing } from '@aduan/schema';
import { citizenMessages, noticeTicket } from './citizen-messages.ts';
import { QueueNames } from './names.ts';
import type { DurableProducer } from './producer.ts';
import type { StatusStore } from './status-store.ts';

export const EXTERNAL_OPD = 'external';

/** jobId of a routing publication: the complaint id, plus `.r<n>` after the n-th re-assignment. */
export function routedJobId(complaintId: string, revision: number): string {
  return revision === 0 ? complaintId : `${complaintId}.r${revision}`;
}

const HIDDEN = '[disembunyikan]';
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** What people put between the digit groups of a phone number: spaces, dots, commas, underscores, dashes (en and em too), slashes, brackets round the area code. */
const PHONE_SEPARATORS = '[\\s.,_()/\u2013\u2014-]*';

/**
 * What names a confidential reporter inside the words they sent: their Instagram handle, their
 * phone number however it is written, their e-mail address, their (WhatsApp) name, and a link to
 * their own story (Instagram writes one into the text when they mention our account in it).
 */
export function withoutIdentity(text: string, reporter: Pick<NonNullable<RoutedComplaint['reporter']>, 'handle' | 'phone' | 'name' | 'email'>): string {
  // The story's id leads to its author as surely as the name does: the whole path goes.
  let t = text.replace(/(instagram\.com\/stories\/)[^\s)"]+/gi, `$1${HIDDEN}`);
  if (reporter.handle) t = t.replace(new RegExp(`@?(?<![\\w.])${escapeRegExp(reporter.handle)}(?![\\w])`, 'gi'), HIDDEN);
  if (reporter.phone?.startsWith('+62')) {
    // 0812-3456-7890, +62 812 3456 7890, (0342) 801234, 62812...: the national digits, any separators between.
    const digits = reporter.phone.slice(3).split('').join(PHONE_SEPARATORS);
    t = t.replace(new RegExp(`\\(?(?:\\+?62|0)?${PHONE_SEPARATORS}${digits}(?!\\d)`, 'g'), HIDDEN);
  } else if (reporter.phone) {
    t = t.replace(new RegExp(reporter.phone.slice(1).split('').join(PHONE_SEPARATORS), 'g'), HIDDEN);
  }
  if (reporter.email) t = t.replace(new RegExp(`(?<![\\w.+-])${escapeRegExp(reporter.email)}(?![\\w-])`, 'gi'), HIDDEN);
  const name = reporter.name?.trim();
  if (name && name.length >= 4) t = t.replace(new RegExp(`(?<![\\p{L}\\d])${escapeRegExp(name)}(?![\\p{L}\\d])`, 'giu'), HIDDEN);
  return t;
}

/**
 * `opd.<code>` jobs of confidential complaints carry nothing that names the reporter: no
 * `reporter`, no chat sender or thread id (a WhatsApp JID is the citizen's phone number), and
 * their handle, number, name and own story link masked in what they typed: the text, the place
 * description, captions and file names. (What else
 * they wrote about themselves stays: the OPD may need "rumah saya di RT 3" to act.)
 */
export function forOpd(routed: RoutedComplaint): RoutedComplaint {
  if (!routed.reporter?.confidential) return routed;
  const { reporter, source, ...rest } = routed;
  const { senderId: _sender, threadId: _thread, ...anonymousSource } = source;
  const mask = (s: string) => withoutIdentity(s, reporter);
  return {
    ...rest,
    text: mask(rest.text),
    ...(rest.location?.description ? { location: { ...rest.location, description: mask(rest.location.description) } } : {}),
    attachments: rest.attachments.map((a) => ({ ...a, ...(a.caption ? { caption: mask(a.caption) } : {}), ...(a.fileName ? { fileName: mask(a.fileName) } : {}) })),
    // The citizen's words when they reopened it are theirs as the text is.
    ...(rest.routing.reopened ? { routing: { ...rest.routing, reopened: { ...rest.routing.reopened, reason: mask(rest.routing.reopened.reason) } } } : {}),
    source: anonymousSource,
  } as RoutedComplaint;
}

/**
 * Publishes one routing decision exactly as the queue contract says: `routed` always; then
 * `triage` when below the threshold, else `opd.<code>`; for a chat complaint (or a web form or
 * radio complaint its citizen follows on WhatsApp), a notice on `notify.<channel>`; then the
 * citizen's status. Every jobId is deterministic, so running this twice for the same decision
 * (a retried job) publishes nothing twice.
 */
export async function publishRouted(
  deps: { producer: DurableProducer; status: StatusStore },
  complaint: Complaint | RoutedComplaint,
  routing: Routing,
  supporters = 0,
  /** `addsTo`: the ticket of the complaint this one is an addition to, routed with it: its notice says so. */
  opts: { addsTo?: string } = {},
): Promise<RoutedComplaint> {
  const routed: RoutedComplaint = { ...complaint, routing, supporters } as RoutedComplaint;
  const jobId = routedJobId(complaint.id, routing.revision);
  const chat = complaint.channel === 'whatsapp' || complaint.channel === 'instagram' ? complaint.channel : undefined;
  // A chat complaint's news goes where it came from; a web form or radio complaint's to the
  // WhatsApp chat its citizen follows it in, if any (StatusStore.follow).
  const address = routing.triage ? undefined : chat ? (complaint.source.threadId ? { channel: chat, account: complaint.source.account, to: complaint.source.threadId } : undefined) : await deps.status.noticeAddress(complaint.id);
  const note: Notification | undefined = address
    ? {
        schemaVersion: 1,
        ...address,
        complaintId: complaint.id,
        ticket: complaint.ticket,
        kind: 'routed',
        text:
          routing.opd === EXTERNAL_OPD
            ? citizenMessages.external(noticeTicket(address.channel, complaint.ticket), routing.external?.advice)
            : routing.reopened
              ? citizenMessages.reopened(noticeTicket(address.channel, complaint.ticket), routing.opdName)
              : opts.addsTo
                ? citizenMessages.routedAddition(noticeTicket(address.channel, complaint.ticket), noticeTicket(address.channel, opts.addsTo), routing.opdName)
                : citizenMessages.routed(noticeTicket(address.channel, complaint.ticket), routing.opdName),
        createdAt: routing.routedAt,
      }
    : undefined;
  // The feed, the destination and the citizen's notice are independent: one round trip for all.
  // A failure of any fails the job, and BullMQ's retry adds them again (idempotent by jobId).
  // The notice goes before the status record: an OPD's report is applied only once the record
  // names it, so the citizen hears where the complaint went before any progress on it, also when
  // the router dies in between.
  await Promise.all([
    deps.producer.add(QueueNames.routed, jobId, routed),
    routing.triage ? deps.producer.add(QueueNames.triage, jobId, routed) : deps.producer.add(QueueNames.opd(routing.opd), jobId, forOpd(routed)),
    ...(note ? [deps.producer.add(QueueNames.notify(note.channel), `routed.${complaint.id}.r${routing.revision}`, note)] : []),
  ]);

  const state = routing.triage ? 'triage' : routing.opd === EXTERNAL_OPD ? 'external' : 'routed';
  await deps.status.transition(complaint.id, {
    state,
    at: routing.routedAt,
    dedupeKey: `decision:r${routing.revision}`,
    ...(routing.external ? { message: routing.external.advice } : {}),
    // A citizen's reopen: their words in the history (their status page, the OPD's), and counted.
    ...(routing.reopened ? { message: routing.reopened.reason, reopen: true } : {}),
    // In triage the record names no OPD (the status store removes the one it named: an OPD's return).
    ...(routing.triage ? {} : { opd: routing.opd, opdName: routing.opdName }),
    // Kept with the record for as long as the complaint is open: `routed` drops it after 30 days.
    routed,
  });
  return routed;
}

const UNTAKEN = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children']);

/**
 * Takes a decision's job (`routedJobId(complaintId, revision)`) off `opd.<opd>` while that OPD's
 * system has not taken it yet: a complaint re-assigned away, or returned, is no longer theirs,
 * and their reports on it are refused. A job already taken (active, or done) stays: that system
 * has seen the complaint, and the `routed` feed's newer revision says where it went. True when it
 * was withdrawn.
 */
export async function withdrawUntaken(producer: DurableProducer, opd: string, complaintId: string, revision: number): Promise<boolean> {
  const job = await producer.queue(QueueNames.opd(opd)).getJob(routedJobId(complaintId, revision));
  if (!job || !UNTAKEN.has(await job.getState())) return false;
  // A consumer may take it between the two calls: then it is locked, remove() refuses, and it stays.
  return job.remove().then(
    () => true,
    () => false,
  );
}
