import type { Redis } from 'ioredis';
import { eraseSenderTraces, type SenderAddress } from '@aduan/conversation/sender-erasure';
import { contentWords, type DeskEntry } from '@aduan/hints';
import { keysMatching, noticeAddress, Queue, rewriteRoutedCopy, specFor, StatusStore, type StatusRecord, type SpoolRecord } from '@aduan/queue';
import type { Attachment, Complaint, Notification, RoutedComplaint, StatusUpdate } from '@aduan/schema';
import type { AttachmentStorage } from '@aduan/storage';
import { attachmentMentions } from './attachment-mentions.ts';
import { retainedJobs } from './retained-jobs.ts';
import { differs, emptyIdentity, ERASED, erasedComplaint, erasedNotification, gatherIdentity, maskIdentity, type Identity } from './scrub.ts';
import { readSpoolFiles, recordOf, rewriteSpoolFile, spoolInUse, type SpoolFile } from './spool-files.ts';

/** Where Aduan holds a complaint's citizen, in the order the report lists them. */
export const ERASURE_PLACES = ['status_record', 'status_history', 'routed_copy', 'jobs_intake', 'jobs_routed', 'jobs_triage', 'jobs_opd', 'jobs_status', 'jobs_notify', 'idempotency_claim', 'desk_entry', 'chat_memory', 'chat_links', 'spool_records', 'photos'] as const;
export type ErasurePlace = (typeof ERASURE_PLACES)[number];

export interface ErasureReport {
  id: string;
  ticket: string;
  /** Per place, how many items hold the citizen's data (a dry run) or were rewritten. 0 everywhere: nothing (left) to erase. */
  counts: Record<ErasurePlace, number>;
  /** OPDs the complaint was published to: their own systems keep copies Aduan cannot reach. */
  opds: { code: string; name: string }[];
  /** Records in the spool file a running gateway appends to, left as they are: erase again once it drained them. */
  spoolBusy: number;
  /** Photos kept because another complaint (or an open chat) uses the same file. */
  photosShared: number;
  /** The complaint's photos not in ATTACHMENT_DIR: deleted before, or the directory is not the gateway's. */
  photosMissing: number;
  /** Links between the sender's chat ids kept, to expire within a day: a conversation of theirs open now uses them. */
  chatLinksKept: number;
  /** When an earlier run finished erasing this complaint, if one did. */
  erasedBefore: string | null;
}

/** No complaint has this ticket (or its record expired, STATUS_KEEP_DAYS after its last change). */
export class UnknownTicketError extends Error {
  readonly code = 'unknown_ticket';
  constructor(ticket: string) {
    super(`no complaint has the ticket "${ticket}" (check it, e.g. ADU-7K3M-9Q2X; a complaint's record is deleted 400 days after its last change)`);
    this.name = 'UnknownTicketError';
  }
}

export interface ErasureDeps {
  redis: Redis;
  prefix: string;
  /** The gateway's SPOOL_DIR: complaints spooled while Redis was away, until drained. */
  spoolDir: string;
  storage: AttachmentStorage;
}

/** What the Idempotency-Key claim keeps in place of the request's hash. */
const ERASED_BODY_HASH = 'erased';
/** Notices not sent yet are taken off their queue: nobody can be told any more, and the address is gone. */
const UNSENT = new Set(['waiting', 'delayed', 'prioritized', 'paused', 'failed', 'waiting-children']);
const COMPLAINT_QUEUES = /^(intake|routed|triage|opd\..+)$/;

interface OwnJob {
  queue: string;
  jobId: string;
  data: Record<string, unknown>;
  /** A notice into the citizen's chat that names no complaint (the 112 notice, a guide): see isChatNotice. */
  chatNotice?: true;
}

const placeOf = (queue: string): ErasurePlace => (queue.startsWith('opd.') ? 'jobs_opd' : queue.startsWith('notify.') ? 'jobs_notify' : (`jobs_${queue}` as ErasurePlace));

/** Whether job or spool data is about this complaint: its own data, an OPD's report on it, or a notice about it. */
function isOwn(data: unknown, id: string, ticket: string): data is Record<string, unknown> {
  const d = data as Record<string, unknown> | null;
  return typeof d === 'object' && d !== null && (d.id === id || d.complaintId === id || (typeof d.complaintId !== 'string' && d.ticket === ticket));
}

/**
 * Whether a job is a notice into one of `chats` that names no complaint: the 112 notice and the
 * guides the burst got before it was filed, an answer to "cek" of a ticket that is not theirs.
 * Only its address names the citizen.
 */
function isChatNotice(queue: string, data: unknown, chats: string[]): data is Record<string, unknown> {
  const n = data as Partial<Notification> | null;
  return queue.startsWith('notify.') && typeof n === 'object' && n !== null && !n.complaintId && !n.ticket && typeof n.to === 'string' && chats.includes(n.to);
}

/** The data of a job of `queue` (or a spooled one) without the citizen; the same data when there is nothing left to erase. */
function erasedData(queue: string, data: Record<string, unknown>, who: Identity): Record<string, unknown> {
  if (COMPLAINT_QUEUES.test(queue)) return erasedComplaint(data as unknown as Complaint | RoutedComplaint, who) as unknown as Record<string, unknown>;
  if (queue.startsWith('notify.')) return erasedNotification(data as unknown as Notification, who) as unknown as Record<string, unknown>;
  const u = data as unknown as StatusUpdate;
  return (u.message ? { ...u, message: maskIdentity(u.message, who) } : u) as unknown as Record<string, unknown>;
}

/**
 * Erases the personal data of one complaint's citizen everywhere Aduan holds it (UU No. 27/2022,
 * docs/operations.md "Personal data requests"), or, with `apply` false, counts what it would
 * erase and changes nothing. Everything that names the citizen is read first, from every copy,
 * then each place is rewritten; each step rewrites only what still names them, so a run that
 * stopped half-way is finished by running it again, and a second run changes nothing. The status
 * record is done last: its `erasedAt` says a run got to the end.
 */
export async function eraseComplaint(deps: ErasureDeps, ticketArg: string, opts: { apply: boolean; photos: boolean; now?: Date }): Promise<ErasureReport> {
  const ticket = ticketArg.trim().toUpperCase();
  const status = new StatusStore(deps.redis, deps.prefix);
  const spool = await readSpoolFiles(deps.spoolDir);
  const id = (await status.idForTicket(ticket)) ?? spooledComplaintId(spool, ticket);
  const record = id ? await status.get(id) : null;
  const spooled = id ? spool.flatMap((f) => f.lines.map(recordOf)).filter((r): r is SpoolRecord => r !== undefined && isOwn(r.data, id, ticket)) : [];
  if (!id || (!record && spooled.length === 0)) throw new UnknownTicketError(ticketArg);

  // The chat its news goes to: notices into it that name no complaint are the citizen's too.
  const chats = record?.replyTo ? [record.replyTo] : [];
  const jobs = await ownJobs(deps, id, ticket, chats);
  // An open complaint routed long ago: its routed copy may be all that still names the citizen.
  const copy = await status.routedCopy(id);
  /** Every copy of the complaint's data, read before any is rewritten. */
  const held = [...jobs.map((j) => j.data), ...spooled.map((r) => r.data as Record<string, unknown>), ...(copy ? [copy as unknown as Record<string, unknown>] : [])];

  const who = emptyIdentity();
  for (const d of held) {
    gatherIdentity(who, d);
    if (typeof d.to === 'string' && d.to !== ERASED && !who.chatIds.includes(d.to)) who.chatIds.push(d.to);
  }
  if (record?.replyTo && !who.chatIds.includes(record.replyTo)) who.chatIds.push(record.replyTo);

  const counts = Object.fromEntries(ERASURE_PLACES.map((p) => [p, 0])) as Record<ErasurePlace, number>;
  const report: ErasureReport = { id, ticket: record?.ticket ?? ticket, counts, opds: opdsReached(jobs, record ?? {}, copy), spoolBusy: 0, photosShared: 0, photosMissing: 0, chatLinksKept: 0, erasedBefore: await status.erasedAt(id) };
  const { apply } = opts;

  // Free text is masked before the copies the identity was read from are rewritten.
  Object.assign(report, await eraseSpool(deps.spoolDir, spool, id, ticket, who, apply, counts));
  counts.status_history = await status.maskHistory(id, (s) => maskIdentity(s, who), apply);
  counts.desk_entry = await eraseDeskEntry(deps, id, who, held.flatMap(complaintTexts), apply);
  const queues = new Map<string, Queue>();
  const queue = (name: string) => queues.get(name) ?? queues.set(name, openQueue(name, deps)).get(name)!;
  try {
    const byOrder = [...jobs].sort((a, b) => Number(COMPLAINT_QUEUES.test(a.queue)) - Number(COMPLAINT_QUEUES.test(b.queue)));
    for (const j of byOrder.filter((x) => !COMPLAINT_QUEUES.test(x.queue))) counts[placeOf(j.queue)] += await eraseJob(queue(j.queue), j, who, apply);
    counts.chat_memory = await eraseChatMemory(deps, report.ticket, apply);
    // Before the complaint's copies are rewritten: their sender and number are what the links are found by.
    for (const at of chatAddresses(held, record)) {
      const traces = await eraseSenderTraces(deps.redis, deps.prefix, at, senderIds(who), apply);
      counts.chat_memory += traces.markers;
      counts.chat_links += traces.links;
      report.chatLinksKept += traces.linksKept;
    }
    counts.idempotency_claim = await eraseClaims(deps, held, apply);
    for (const j of byOrder.filter((x) => COMPLAINT_QUEUES.test(x.queue))) counts[placeOf(j.queue)] += await eraseJob(queue(j.queue), j, who, apply);
    if (apply) {
      // The router may have published a copy since the jobs were listed (it read the complaint
      // before it was rewritten): one more sweep finds it, and names its OPD.
      const listed = new Set(jobs.map((j) => `${j.queue}:${j.jobId}`));
      const late = (await ownJobs(deps, id, ticket, chats)).filter((j) => !listed.has(`${j.queue}:${j.jobId}`));
      for (const j of late) counts[placeOf(j.queue)] += await eraseJob(queue(j.queue), j, who, apply);
      if (late.length > 0) report.opds = opdsReached([...jobs, ...late], record ?? {}, copy);
    }
  } finally {
    await Promise.all([...queues.values()].map((q) => q.close()));
  }
  // After the jobs, as the complaint's other copies: read again, so one a routing step wrote meanwhile is the one rewritten.
  counts.routed_copy = await rewriteRoutedCopy(deps.redis, deps.prefix, id, (c) => erasedComplaint(c, who), apply);
  if (opts.photos) {
    const photos = await erasePhotos(deps, id, ticket, held, apply);
    counts.photos = photos.deleted;
    report.photosShared = photos.shared;
    report.photosMissing = photos.missing;
  }
  // A complaint only spooled has no record yet (the gateway writes it when adding the complaint to Redis, from the rewritten guard).
  if (record) counts.status_record = apply ? await status.eraseReporter(id, (opts.now ?? new Date()).toISOString()) : await status.reporterFieldCount(id);
  return report;
}

/**
 * The id of a complaint Redis does not know yet: filed while Redis was away, it waits in the
 * gateway's spool, and its status record is written when the gateway adds it to Redis.
 */
function spooledComplaintId(files: SpoolFile[], ticket: string): string | undefined {
  for (const f of files) {
    for (const line of f.lines) {
      const data = recordOf(line)?.data as Partial<Complaint> | undefined;
      if (data?.ticket === ticket && typeof data.id === 'string') return data.id;
    }
  }
  return undefined;
}

/**
 * A queue on the command's connection. A lost connection fails the command that needed it, which
 * ends the run; BullMQ also emits it as an `error` event, which it would print with a stack
 * trace on stderr (the operator's report says it once).
 */
function openQueue(name: string, deps: ErasureDeps): Queue {
  const q = new Queue(name, { connection: deps.redis, prefix: deps.prefix });
  q.on('error', () => {});
  return q;
}

/** The retained jobs of the complaint, and the notices into `chats` that name no complaint, with their data as stored. */
async function ownJobs(deps: ErasureDeps, id: string, ticket: string, chats: string[]): Promise<OwnJob[]> {
  const jobs: OwnJob[] = [];
  for await (const j of retainedJobs(deps.redis, deps.prefix, [id, ticket, ...chats])) {
    const data = JSON.parse(j.raw) as unknown;
    if (isOwn(data, id, ticket)) jobs.push({ queue: j.queue, jobId: j.jobId, data });
    else if (isChatNotice(j.queue, data, chats)) jobs.push({ queue: j.queue, jobId: j.jobId, data, chatNotice: true });
  }
  return jobs;
}

/**
 * The OPDs a complaint was published to: each `opd.<code>` job, each decision on `routed` (not
 * triage, not external), the record's OPD, and the OPD its routed copy names (the one that
 * returned it, for a return).
 */
function opdsReached(jobs: OwnJob[], record: { opd?: string; opdName?: string }, copy: RoutedComplaint | null): { code: string; name: string }[] {
  const opds = new Map<string, string>();
  for (const j of jobs) {
    const routing = (j.data as Partial<RoutedComplaint>).routing;
    if (!routing) continue;
    if (j.queue.startsWith('opd.') || (j.queue === 'routed' && !routing.triage && routing.opd !== 'external')) opds.set(routing.opd, routing.opdName);
  }
  const kept = copy?.routing;
  if (kept && kept.opd !== 'external' && (!kept.triage || kept.decidedBy === 'opd')) opds.set(kept.opd, kept.opdName);
  if (record.opd && record.opd !== 'external' && !opds.has(record.opd)) opds.set(record.opd, record.opdName ?? record.opd);
  return [...opds].map(([code, name]) => ({ code, name })).sort((a, b) => a.code.localeCompare(b.code));
}

/**
 * One retained job: its data rewritten in place (job.updateData), still valid against its
 * queue's contract schema; a notice of the complaint not sent yet is removed instead. 1 when it
 * held the citizen's data.
 */
async function eraseJob(queue: Queue, j: OwnJob, who: Identity, apply: boolean): Promise<number> {
  const next = erasedData(j.queue, j.data, who);
  if (!differs(next, j.data)) return 0;
  const schema = specFor(j.queue).schema;
  if (schema.safeParse(j.data).success && !schema.safeParse(next).success) throw new Error(`erasing job ${j.jobId} of ${j.queue} would break its queue contract`);
  // A notice that names no complaint and is not sent yet is for a chat of theirs open now: it stays.
  if (j.chatNotice && (await queue.getJobState(j.jobId)) !== 'completed') return 0;
  if (!apply) return 1;
  const job = await queue.getJob(j.jobId);
  if (!job) return 1;
  const removed = j.queue.startsWith('notify.') && UNSENT.has(await job.getState()) && (await job.remove().then(() => true, () => false));
  if (!removed) await job.updateData(next);
  return 1;
}

/** Spooled records of the complaint rewritten in their files (the one a running gateway appends to is left: `spoolBusy`). */
async function eraseSpool(dir: string, files: SpoolFile[], id: string, ticket: string, who: Identity, apply: boolean, counts: Record<ErasurePlace, number>): Promise<{ spoolBusy: number }> {
  let busy = 0;
  const inUse = await spoolInUse(dir);
  for (const file of files) {
    let changed = 0;
    const lines = file.lines.map((line) => {
      const rec = recordOf(line);
      if (!rec || !isOwn(rec.data, id, ticket)) return line;
      const next: SpoolRecord = { ...rec, data: erasedData(rec.queue, rec.data, who), ...(rec.guard ? { guard: StatusStore.withoutReporter(rec.guard, erasedClaim) } : {}) };
      if (!differs(next, rec)) return line;
      changed++;
      return JSON.stringify(next);
    });
    if (changed === 0) continue;
    counts.spool_records += changed;
    if (inUse && file.name.endsWith('.jsonl')) busy += changed;
    else if (apply) await rewriteSpoolFile(dir, file.name, lines);
  }
  return { spoolBusy: busy };
}

/** An Idempotency-Key claim's value without the hash of the request (which held the citizen's data); its complaint's id and ticket stay, so a retry still files nothing twice. */
function erasedClaim(value: string): string {
  return JSON.stringify({ ...(JSON.parse(value) as object), bodyHash: ERASED_BODY_HASH });
}

/** The complaint's Idempotency-Key claim (it lives 24 hours), found by the key's hash the complaint carries. */
async function eraseClaims(deps: ErasureDeps, data: Record<string, unknown>[], apply: boolean): Promise<number> {
  const hashes = new Set(data.map((d) => (d.intake as Complaint['intake'] | undefined)?.idempotencyKeyHash).filter((h): h is string => !!h));
  let n = 0;
  for (const h of hashes) {
    const key = `${deps.prefix}:idem:${h}`;
    const value = await deps.redis.get(key);
    if (!value || (JSON.parse(value) as { bodyHash?: string }).bodyHash === ERASED_BODY_HASH) continue;
    n++;
    if (apply) await deps.redis.call('SET', key, erasedClaim(value), 'KEEPTTL', 'XX');
  }
  return n;
}

/**
 * The radio desk's entry of the complaint (its board and duplicate hints): the snippet of its
 * text and its landmark (the place description) masked, and the content words the masking takes
 * out of the complaint's text and place dropped from its duplicate-hint words (a name there is
 * `budi`, `santoso`). `texts`: the complaint's text and place, from each copy read before any
 * was rewritten.
 */
async function eraseDeskEntry(deps: ErasureDeps, id: string, who: Identity, texts: string[], apply: boolean): Promise<number> {
  const key = `${deps.prefix}:desk:entry:${id}`;
  const raw = await deps.redis.get(key);
  if (!raw) return 0;
  const entry = JSON.parse(raw) as DeskEntry;
  const masked = new Set(texts.flatMap((t) => contentWords(maskIdentity(t, who))));
  const identityWords = new Set(texts.flatMap((t) => contentWords(t)).filter((w) => !masked.has(w)));
  const next: DeskEntry = {
    ...entry,
    ...(entry.snippet ? { snippet: maskIdentity(entry.snippet, who) } : {}),
    ...(entry.landmark ? { landmark: maskIdentity(entry.landmark, who) } : {}),
    words: entry.words.filter((w) => !identityWords.has(w)),
  };
  if (!differs(next, entry)) return 0;
  if (apply) await deps.redis.call('SET', key, JSON.stringify(next), 'KEEPTTL', 'XX');
  return 1;
}

/** The free text of a complaint's copy (job or spooled data) that the desk's words are made of. */
function complaintTexts(d: Record<string, unknown>): string[] {
  const c = d as Partial<Complaint>;
  return [...(typeof c.text === 'string' ? [c.text] : []), ...(c.location?.description ? [c.location.description] : [])];
}

/**
 * What the chat adapters remember of a sender that links them to this ticket: the last
 * acknowledgement (`conv:acked:<sender>`) and the tickets kept to answer "sudah ada kabar?"
 * (`conv:tickets:<sender>`). Found by the ticket, so a run that erased the chat ids already still finds them.
 */
async function eraseChatMemory(deps: ErasureDeps, ticket: string, apply: boolean): Promise<number> {
  let n = 0;
  for await (const key of keysMatching(deps.redis, deps.prefix, 'conv:acked:*')) {
    const v = await deps.redis.get(key);
    if (v?.split(':')[1] !== ticket) continue;
    n++;
    if (apply) await deps.redis.del(key);
  }
  for await (const key of keysMatching(deps.redis, deps.prefix, 'conv:tickets:*')) {
    if (!(await deps.redis.lrange(key, 0, -1)).includes(ticket)) continue;
    n++;
    if (apply) await deps.redis.lrem(key, 0, ticket);
  }
  return n;
}

/**
 * The chat accounts the complaint's citizen wrote to about it: the one a chat complaint came in
 * on, the one its news went to (notices, a web form complaint followed on WhatsApp).
 */
function chatAddresses(data: Record<string, unknown>[], record: StatusRecord | null): SenderAddress[] {
  const found = new Map<string, SenderAddress>();
  const add = (channel: unknown, account: unknown) => {
    if ((channel === 'whatsapp' || channel === 'instagram') && typeof account === 'string') found.set(`${channel}\u0000${account}`, { channel, account });
  };
  for (const d of data) {
    add(d.channel, (d.source as { account?: unknown } | undefined)?.account);
    add(d.channel, d.account);
  }
  const news = record ? noticeAddress(record) : undefined;
  if (news) add(news.channel, news.account);
  return [...found.values()];
}

/**
 * The ids the chat adapters know the citizen by: their chat ids, and the WhatsApp JID of each
 * number they gave (as services/whatsapp/src/jid.ts jidForPhone makes it): a LID chat's complaint
 * names the number only as the reporter's phone, and the link to the LID is keyed by the number's JID.
 */
function senderIds(who: Identity): string[] {
  const jids = who.reporters.flatMap((r) => (r.phone ? [`${r.phone.replace(/^\+/, '')}@s.whatsapp.net`] : []));
  return [...new Set([...who.chatIds, ...jids])];
}

/**
 * The complaint's photo files (content-addressed), deleted unless another complaint's retained
 * job, a spooled complaint or an open chat conversation names the same file.
 */
async function erasePhotos(deps: ErasureDeps, id: string, ticket: string, data: Record<string, unknown>[], apply: boolean): Promise<{ deleted: number; shared: number; missing: number }> {
  const mine = new Map<string, string>();
  for (const d of data) for (const a of (d.attachments as Attachment[] | undefined) ?? []) mine.set(a.sha256, a.storageKey);
  if (mine.size === 0) return { deleted: 0, shared: 0, missing: 0 };
  const shared = new Set<string>();
  const shas = [...mine.keys()];
  for await (const m of attachmentMentions(deps.redis, deps.prefix, [deps.spoolDir], shas)) {
    if (!isOwn(m.data, id, ticket)) for (const s of shas) if (m.text.includes(s)) shared.add(s);
  }
  let deleted = 0;
  let missing = 0;
  for (const [sha, storageKey] of mine) {
    if (shared.has(sha)) continue;
    // Not there: an earlier run deleted it, or ATTACHMENT_DIR is not the gateway's (a relative
    // default taken from another directory), which the operator must hear rather than "0 deleted".
    if (!(await deps.storage.has(storageKey))) {
      missing++;
      continue;
    }
    deleted++;
    if (apply) await deps.storage.delete(storageKey);
  }
  return { deleted, shared: [...shared].length, missing };
}
