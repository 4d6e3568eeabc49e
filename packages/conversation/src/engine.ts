import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { QueueNames, STATUS_KEEP_DAYS, isSameSender, requestReopen, senderFields, type DurableProducer, type ReopenPolicy, type StatusRecord, type StatusStore } from '@aduan/queue';
import { ReopenReason, type Complaint, type Notification, type StatusView } from '@aduan/schema';
import { mentionsEmergency } from '@aduan/routing/emergency';
import type { Logger } from '@aduan/telemetry';
import { ChatMessage, type ChatChannel, type ChatMessageInput, type MessageKind } from './chat-message.ts';
import { asksConfidential, classifyMessage, isConfidentialOnly, isSecretRequestOnly, isThanksOnly, parseLookup, parseReopen, ticketIn } from './classify.ts';
import { buildComplaint, effectiveMessages, failedMediaOf, isCardsOnly, isWordless, leftOutAttachments, type ConversationSnapshot, type StoredMessage } from './build-complaint.ts';
import { ConversationStore, conversationMember, type IngestOutcome, type LastAck } from './conversation-store.ts';
import { ConversationUnavailableError, InvalidChatMessageError } from './errors.ts';
import { createTexts, type ConversationTexts } from './texts.ts';

export interface ConversationEngineOptions {
  /** A connection created with role 'client' (fail fast; DurableInbox spools on failure). */
  redis: Redis;
  /** Same prefix as the queues (QUEUE_PREFIX); conversation keys live under `<prefix>:conv:`. */
  prefix: string;
  producer: DurableProducer;
  statusStore: StatusStore;
  logger: Logger;
  /** Written into Complaint.intake.transport: 'baileys', 'instagram-private-api' or 'replay'. */
  transport: Complaint['intake']['transport'];
  /**
   * The channel this engine serves: sweep() closes only its conversations (the other channel's
   * service has its own transport and texts). Default: from `transport` ('baileys' -> whatsapp,
   * 'instagram-private-api' -> instagram); a 'replay' engine must name it to sweep.
   */
  channel?: ChatChannel;
  ticketPrefix?: string;
  /** Quiet period after the last message before the conversation closes (default 3 minutes). */
  quietMs?: number;
  /** A conversation closes at the latest this long after it opened (default 30 minutes). */
  maxOpenMs?: number;
  /** A conversation closes when it holds this many messages (default 60). */
  maxMessages?: number;
  /** How long a message id is remembered for dedupe (default 7 days, like completed jobs). */
  seenTtlSeconds?: number;
  texts?: ConversationTexts;
  /**
   * How long after an acknowledgement the sender gets no guide, and a late "kirim" is answered
   * with the ticket instead (default 15 minutes). After any other notice (a "cek" answer, the
   * router's notices the adapter reports with rememberNotice()) small talk gets no guide either.
   */
  ackMemoryMs?: number;
  /** How often start() sweeps for due conversations (default 1 s). */
  sweepIntervalMs?: number;
  clock?: () => number;
  /** When "belum <ticket> <reason>" may reopen a resolved complaint (REOPEN_DAYS, REOPEN_MAX; default 14 days, twice). */
  reopen?: ReopenPolicy;
  /** Called for each complaint queued (metrics, replay output). */
  onComplaint?: (c: Complaint, outcome: 'queued' | 'spooled') => void;
  onNotification?: (n: Notification) => void;
}

export interface IngestResult {
  kind: MessageKind;
  outcome: IngestOutcome | 'lookup' | 'closed';
  /** The conversation this message belongs to (opaque; pass it to close()). */
  conversation?: string;
  complaint?: Complaint;
}

/** How long a sender's last ticket is remembered, to answer a late request for confidentiality. */
const SECRET_REPLY_MEMORY_MS = 7 * 86_400_000;
/** A sender's tickets answered by "sudah ada kabar?": the last few, as long as status records last (400 days). */
const FOLLOW_UP_TICKETS = 3;
const FOLLOW_UP_MEMORY_SECONDS = STATUS_KEEP_DAYS * 86_400;
/** How long contact cards sent alone wait for the complaint they belong to (the citizen was told they go with it). */
const CARD_MEMORY_MS = 86_400_000;

/** REOPEN_DAYS and REOPEN_MAX's defaults (the gateway's too). */
const DEFAULT_REOPEN: ReopenPolicy = { days: 14, max: 2 };

const TRANSPORT_CHANNEL: Partial<Record<Complaint['intake']['transport'], ChatChannel>> = { baileys: 'whatsapp', 'instagram-private-api': 'instagram' };

/** `<kind>-<hash>`: deterministic, no personal data, and no ':' (BullMQ rejects most ids with one). */
function jobHash(kind: string, ...parts: string[]): string {
  return `${kind}-${createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 40)}`;
}

/**
 * Gathers a sender's chat messages into one complaint. Channel adapters call ingest() for every
 * message; the engine answers greetings with a guide, "cek <ticket>" with the status, and on a
 * quiet period, a close word ("kirim", "selesai") or close()/closeAll() queues ONE complaint on
 * `intake` and ONE acknowledgement on `notify.<channel>`. State is in Redis; ids are deterministic,
 * so redelivery and crashes at any step make no second complaint or acknowledgement.
 */
export class ConversationEngine {
  readonly store: ConversationStore;
  private readonly texts: ConversationTexts;
  private readonly clock: () => number;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;

  private readonly opts: ConversationEngineOptions;
  /** Undefined for a replay engine not told its channel: it closes conversations only by close()/closeAll(). */
  readonly channel: ChatChannel | undefined;
  private readonly ticketPrefix: string;
  private readonly ackMemoryMs: number;

  constructor(opts: ConversationEngineOptions) {
    this.opts = opts;
    this.store = new ConversationStore(opts.redis, {
      prefix: opts.prefix,
      quietMs: opts.quietMs ?? 180_000,
      maxOpenMs: opts.maxOpenMs ?? 1_800_000,
      maxMessages: opts.maxMessages ?? 60,
      seenTtlSeconds: opts.seenTtlSeconds ?? 7 * 86_400,
    });
    this.texts = opts.texts ?? createTexts();
    this.clock = opts.clock ?? Date.now;
    this.channel = opts.channel ?? TRANSPORT_CHANNEL[opts.transport];
    this.ticketPrefix = opts.ticketPrefix ?? 'ADU';
    this.ackMemoryMs = opts.ackMemoryMs ?? 900_000;
  }

  /** Validates and takes one message. Throws ConversationUnavailableError when Redis is unreachable. */
  async ingest(input: ChatMessageInput): Promise<IngestResult> {
    const parsed = ChatMessage.safeParse(input);
    if (!parsed.success) throw new InvalidChatMessageError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const msg = parsed.data;
    const kind = classifyMessage(msg, this.ticketPrefix);
    try {
      const { keyed, altHash } = await this.keyedSender(msg);
      if (kind === 'check' && !(await this.continuesComplaint(keyed))) return await this.answerCheck(keyed, altHash);
      return await this.append({ ...keyed, kind: kind === 'check' ? 'content' : kind });
    } catch (err) {
      if (err instanceof InvalidChatMessageError) throw err;
      throw new ConversationUnavailableError(err);
    }
  }

  /**
   * A question about progress that names no ticket ("kapan diperbaiki pak?", "dari bulan lalu
   * belum diperbaiki") in the middle of a complaint being written: it tells how long the problem
   * has gone unfixed, which the OPD should read, and is not a look-up of an older complaint.
   */
  private async continuesComplaint(msg: ChatMessage): Promise<boolean> {
    if (parseLookup(msg.text ?? '', this.ticketPrefix) !== null || parseReopen(msg.text ?? '', this.ticketPrefix) !== null) return false;
    return this.store.isWritingComplaint(conversationMember(msg.channel, msg.account, msg.senderId), Date.parse(msg.at));
  }

  /**
   * The message with the sender id it is keyed on. WhatsApp names one citizen by phone number and
   * by LID, even within one burst: keyed on the id each message gave, the burst became two
   * complaints, and a follow-up or a photo after the acknowledgement found only one of them. A
   * message that names both (senderAlt) links them: what was kept under the alternate moves over
   * (a conversation open under each: the alternate's is closed as it is, not lost); a message that
   * names a linked alternate alone is keyed on the sender id it was linked to. `altHash`: the
   * status store's hash of the other id of the pair, when linked (a complaint filed under it
   * before the link is the sender's too); only the hash is kept, as the status store keeps it.
   */
  private async keyedSender(msg: ChatMessage): Promise<{ keyed: ChatMessage; altHash?: string }> {
    const { channel, account, senderId, senderAlt } = msg;
    const hashOf = (id: string) => senderFields(channel, id, undefined).senderHash!;
    if (senderAlt && senderAlt !== senderId) {
      const altHash = hashOf(senderAlt);
      const linked = await this.store.linkSender(channel, account, senderId, senderAlt, this.clock(), { ttlSeconds: FOLLOW_UP_MEMORY_SECONDS, keepTickets: FOLLOW_UP_TICKETS, altHash });
      if (linked === 'both-open') await this.close(conversationMember(channel, account, senderAlt));
      return { keyed: msg, altHash };
    }
    const { linkedTo, altHash } = await this.store.links(channel, account, senderId);
    if (linkedTo) return { keyed: { ...msg, senderId: linkedTo }, altHash: hashOf(senderId) };
    return altHash ? { keyed: msg, altHash } : { keyed: msg };
  }

  /**
   * The conversation a message of `senderId` goes into: its own, or that of the sender id it was
   * linked to as an alternate (see ChatMessage.senderAlt). For close().
   */
  async conversationOf(channel: ChatChannel, account: string, senderId: string): Promise<string> {
    return conversationMember(channel, account, (await this.store.links(channel, account, senderId)).linkedTo ?? senderId);
  }

  private async append(msg: StoredMessage): Promise<IngestResult> {
    const mode = msg.kind === 'edit' || msg.kind === 'revoke' ? 'amend' : 'append';
    let reply = await this.store.ingest(msg, mode, this.clock());
    if (reply.outcome === 'split') {
      // The previous burst ended (quiet period by message time, or too many messages): close it first.
      await this.close(reply.member);
      reply = await this.store.ingest(msg, mode, this.clock());
    }
    const result: IngestResult = { kind: msg.kind, outcome: reply.outcome, conversation: reply.member };
    if (reply.outcome === 'orphan-amend') await this.answerLateAmend(msg, reply.member);
    if (reply.outcome !== 'appended') return result;
    // A fire, an accident, violence happening now: 112 is told at once, not after the quiet
    // period's acknowledgement, and once a burst (a second such message adds nothing). Urgent:
    // the number sends it next, ahead of whatever a flood has queued for it.
    if (mode === 'append' && msg.text && mentionsEmergency(msg.text) && (await this.store.claimEmergencyNotice(reply.member, this.ackMemoryMs))) {
      await this.notify(msg, 'guide', this.texts.emergency(), jobHash('emergency', msg.channel, msg.account, msg.messageId), { urgent: true });
    }
    if (msg.kind === 'greeting' && reply.count === 1 && (await this.wantsGuide(msg, reply.member))) {
      await this.notify(msg, 'guide', this.texts.guide(), jobHash('guide', msg.channel, msg.account, msg.messageId));
    }
    if (msg.kind === 'close') {
      const complaint = await this.close(reply.member);
      return { ...result, outcome: 'closed', ...(complaint ? { complaint } : {}) };
    }
    return result;
  }

  /**
   * Thanks, or small talk right after an acknowledgement or any other notice ("Aamiin", "🙏",
   * "Pak?" under a "selesai" notice), would read as if the complaint got lost.
   */
  private async wantsGuide(msg: StoredMessage, member: string): Promise<boolean> {
    if (isThanksOnly(msg.text ?? '')) return false;
    // "rahasia" about a complaint of the last week is answered about it when the conversation closes.
    if (isConfidentialOnly(msg.text ?? '')) return !(await this.store.recentAck(member, this.clock(), SECRET_REPLY_MEMORY_MS));
    return !(await this.recentTicket(member)) && !(await this.store.recentNotice(msg, this.clock(), this.ackMemoryMs));
  }

  /**
   * Remembers a notice sent into a chat, so that the citizen's small talk in reply ("Aamiin", "🙏",
   * "ok") gets no guide for `ackMemoryMs`. The engine records its own; an adapter calls this for
   * each notice of the router it sends (`routed`, `status`). Guides do not count: they are no
   * answer about a complaint. Another channel's notice is not this engine's.
   */
  async rememberNotice(n: Notification): Promise<void> {
    if (n.kind === 'guide' || (this.channel && n.channel !== this.channel)) return;
    await this.store.rememberNotice({ channel: n.channel, account: n.account, threadId: n.to }, this.clock(), this.ackMemoryMs);
  }

  private async recentTicket(member: string): Promise<string | null> {
    return (await this.store.recentAck(member, this.clock(), this.ackMemoryMs))?.ticket ?? null;
  }

  /**
   * A request for confidentiality that came after the complaint was filed (its own message, or
   * an edit of a filed one): answered, never left as if granted. Already confidential: said so;
   * otherwise too late for that complaint. Nothing to answer about when the sender had no
   * complaint acknowledged in the last week (the guide then tells how).
   */
  private async answerLateSecret(to: Pick<ChatMessage, 'channel' | 'account' | 'threadId' | 'senderId' | 'messageId'>): Promise<boolean> {
    const last = await this.store.recentAck(conversationMember(to.channel, to.account, to.senderId), this.clock(), SECRET_REPLY_MEMORY_MS);
    if (!last) return false;
    const text = last.confidential ? this.texts.alreadyConfidential(last.ticket) : this.texts.tooLateConfidential(last.ticket);
    await this.notify(to, 'lookup', text, jobHash('lookup', to.channel, to.account, to.messageId), { ticket: last.ticket });
    return true;
  }

  /**
   * An edit or a deletion that comes late: no conversation is open, or the message it targets was
   * filed already (the store tells, so one in a conversation that small talk after the
   * acknowledgement opened is not lost there). An edit asking for
   * confidentiality is answered as such. Otherwise, when the message was filed in a complaint
   * (markFiled), the complaint keeps it as it was, and the citizen is told so and how to correct
   * it, instead of believing the corrected address, or the deletion, reached the OPD. A deletion
   * is answered once per complaint (however many of its messages go); one of a message kept for
   * the next complaint (contact cards alone) takes it out of there.
   */
  private async answerLateAmend(msg: StoredMessage, member: string): Promise<void> {
    if (msg.kind === 'edit' && asksConfidential(msg.text ?? '')) return void (await this.answerLateSecret(msg));
    const target = msg.edits ?? msg.revokes;
    if (!target) return;
    if (msg.kind === 'revoke') await this.store.releaseMessages(member, [target]);
    const ticket = await this.store.filedTicket(msg.channel, msg.account, target);
    if (!ticket) return;
    const [text, jobId] =
      msg.kind === 'edit'
        ? [this.texts.editTooLate(ticket), jobHash('lookup', msg.channel, msg.account, msg.messageId)]
        : [this.texts.deletedTooLate(ticket), jobHash('lookup', msg.channel, msg.account, 'deleted', ticket)];
    await this.notify(msg, 'lookup', text, jobId, { ticket });
  }

  /**
   * A conversation that made no complaint. Right after an acknowledgement: a late "kirim" is told
   * the ticket it already has, thanks get nothing. Right after another notice: nothing either.
   * Otherwise the guide, unless it was only thanks.
   */
  private async answerEmpty(snap: ConversationSnapshot): Promise<void> {
    // A photo or video that could not be stored is asked for again: no guide, no "tidak perlu dikirim ulang" beside that.
    const failed = await this.answerFailedMedia(snap);
    const secret = snap.messages.find((m) => m.kind !== 'revoke' && m.kind !== 'edit' && asksConfidential(m.text ?? ''));
    if (secret && (await this.answerLateSecret({ ...snap, messageId: secret.messageId }))) return;
    if (failed) return;
    const ticket = await this.recentTicket(conversationMember(snap.channel, snap.account, snap.senderId));
    if (ticket) {
      const late = snap.messages.find((m) => m.kind === 'close');
      if (late) await this.notify({ ...snap, messageId: late.messageId }, 'lookup', this.texts.alreadyReceived(ticket), jobHash('lookup', snap.channel, snap.account, late.messageId), { ticket });
      return;
    }
    if (await this.store.recentNotice(snap, this.clock(), this.ackMemoryMs)) return;
    if (snap.messages.every((m) => m.kind === 'greeting' && isThanksOnly(m.text ?? ''))) return;
    // Same jobId as the guide sent on the greeting, so at most one.
    await this.notify(snap, 'guide', this.texts.guide(), jobHash('guide', snap.channel, snap.account, snap.firstMessageId));
  }

  private async answerCheck(msg: ChatMessage, altHash?: string): Promise<IngestResult> {
    const reopen = parseReopen(msg.text ?? '', this.ticketPrefix);
    if (reopen) return this.answerReopen(msg, reopen, altHash);
    const lookup = parseLookup(msg.text ?? '', this.ticketPrefix);
    // No ticket named: "sudah ada kabar?" (classifyMessage) is about the sender's latest complaints.
    if (lookup === null) return this.answerFollowUp(msg, altHash);
    // "cek" alone, sent as a reply to the acknowledgement (or any message naming the ticket): that ticket.
    const ticket = lookup || (ticketIn(msg.quoted?.text ?? '', this.ticketPrefix) ?? '');
    const jobId = jobHash('lookup', msg.channel, msg.account, msg.messageId);
    let text = this.texts.checkUsage();
    if (ticket) {
      const own = await this.ownComplaint(msg, ticket, altHash);
      text = own ? this.texts.checkStatus(own.view) : this.texts.checkNotFound(ticket, msg.channel);
      // A web form or radio citizen asking on WhatsApp hears its news here from now on, and
      // "sudah ada kabar?" here answers about it too. Said with every answer, not only the first:
      // a message taken again after a failure part-way finds the chat following already.
      const followed = own && msg.channel === 'whatsapp' ? await this.opts.statusStore.follow(own.id, { channel: 'whatsapp', account: msg.account, to: msg.threadId }) : 'not_followable';
      if (own && followed !== 'not_followable') {
        await this.store.rememberTicket(conversationMember(msg.channel, msg.account, msg.senderId), own.view.ticket, FOLLOW_UP_TICKETS, FOLLOW_UP_MEMORY_SECONDS);
        text = `${text}\n\n${this.texts.following()}`;
      }
    }
    await this.notify(msg, 'lookup', text, jobId, { ticket: ticket || undefined });
    return { kind: 'check', outcome: 'lookup' };
  }

  /**
   * "belum <ticket> <reason>" (ADR 0014): the sender says their resolved complaint is not solved.
   * Only from the chat that filed it, as a "cek" (another's ticket is answered as unknown); the
   * reopen goes to the router (`reopen`), whose notice tells them it went back to the OPD.
   */
  private async answerReopen(msg: ChatMessage, asked: { ticket: string; reason: string }, altHash?: string): Promise<IngestResult> {
    const own = await this.ownComplaint(msg, asked.ticket, altHash);
    const ticket = own?.view.ticket ?? asked.ticket;
    let text: string;
    if (!own) text = this.texts.checkNotFound(asked.ticket, msg.channel);
    else if (!asked.reason) text = this.texts.reopenUsage(ticket);
    else {
      const reason = ReopenReason.safeParse(asked.reason);
      const refused = reason.success ? (await requestReopen(this.opts.producer, own.record, { reason: reason.data, via: msg.channel }, this.opts.reopen ?? DEFAULT_REOPEN, this.clock())).refused : 'too_long';
      this.opts.logger.info({ complaintId: own.id, via: msg.channel, ...(refused ? { refused } : {}) }, refused ? 'reopen refused' : 'reopen requested by the citizen');
      text = refused ? this.texts.reopenRefused(ticket, refused) : this.texts.reopenTaken(ticket);
    }
    await this.notify(msg, 'lookup', text, jobHash('lookup', msg.channel, msg.account, msg.messageId), { ticket });
    return { kind: 'check', outcome: 'lookup' };
  }

  /** The complaint and its status when `msg`'s sender filed it; null for a ticket unknown or not theirs (a stranger learns nothing). */
  private async ownComplaint(msg: ChatMessage, ticket: string, altHash?: string): Promise<{ id: string; view: StatusView; record: StatusRecord } | null> {
    const id = await this.opts.statusStore.idForTicket(ticket);
    // The record and its view in one round trip: the record says whose it is.
    const found = id ? await this.opts.statusStore.read(id) : null;
    if (!id || !found) return null;
    // Filed under the other id of a linked pair (before the link): the sender's too.
    if (!isSameSender(found.record, msg.channel, msg.senderId, msg.reporter.phone) && !(altHash && found.record.senderHash === altHash)) return null;
    return { id, view: found.view, record: found.record };
  }

  private async ownView(msg: ChatMessage, ticket: string, altHash?: string): Promise<StatusView | null> {
    return (await this.ownComplaint(msg, ticket, altHash))?.view ?? null;
  }

  /**
   * "sudah ada kabar?" without a ticket: the status of the sender's latest complaints (the last
   * FOLLOW_UP_TICKETS, newest first), each as "cek" would answer it; none known (older than this
   * memory, or filed elsewhere): how to ask with the ticket.
   */
  private async answerFollowUp(msg: ChatMessage, altHash?: string): Promise<IngestResult> {
    const member = conversationMember(msg.channel, msg.account, msg.senderId);
    const [kept, ack] = await Promise.all([this.store.recentTickets(member), this.store.recentAck(member, this.clock(), SECRET_REPLY_MEMORY_MS)]);
    // The acknowledgement's memory covers complaints filed before the list was kept.
    const tickets = [...new Set([...kept, ...(ack ? [ack.ticket] : [])])].slice(0, FOLLOW_UP_TICKETS);
    const views = (await Promise.all(tickets.map((t) => this.ownView(msg, t, altHash)))).filter((v): v is StatusView => v !== null);
    const text = views.length ? views.map((v) => this.texts.checkStatus(v)).join('\n\n') : this.texts.checkUsage();
    await this.notify(msg, 'lookup', text, jobHash('lookup', msg.channel, msg.account, msg.messageId), { ticket: views[0]?.ticket });
    return { kind: 'check', outcome: 'lookup' };
  }

  private async notify(to: Pick<ChatMessage, 'channel' | 'account' | 'threadId'> & { messageId?: string }, kind: Notification['kind'], text: string, jobId: string, more: { ticket?: string | undefined; complaintId?: string; urgent?: true } = {}): Promise<void> {
    const { ticket, complaintId, urgent } = more;
    const n: Notification = {
      schemaVersion: 1,
      channel: to.channel,
      account: to.account,
      to: to.threadId,
      kind,
      text,
      createdAt: new Date(this.clock()).toISOString(),
      ...(ticket ? { ticket } : {}),
      ...(complaintId ? { complaintId } : {}),
      ...(kind === 'lookup' && to.messageId ? { replyTo: to.messageId } : {}),
      // Sent before whatever its number has queued (a flood's acknowledgements): see jobOrder in @aduan/queue.
      ...(urgent ? { urgent } : {}),
    };
    await this.opts.producer.add(QueueNames.notify(to.channel), jobId, n);
    this.opts.onNotification?.(n);
    // Only spares a guide later: a Redis failure here must not fail the answer already queued.
    await this.rememberNotice(n).catch((err: Error) => this.opts.logger.warn({ err: err.message }, 'notice not remembered; small talk in reply may get the guide'));
  }

  /** Closes one conversation now (quiet period or not); returns its complaint, if it made one. */
  async close(conversation: string): Promise<Complaint | null> {
    const token = await this.store.claim(conversation, this.clock(), true);
    return token ? this.finish(token) : null;
  }

  /**
   * Right after an acknowledgement, words that only ask for confidentiality ("tolong rahasiakan
   * nomor saya karena saya takut") are about the complaint just filed, not a new one: filed, it
   * would be told "tanpa identitas Anda" while the first went to the OPD with it.
   */
  private async isLateSecretRequest(snap: ConversationSnapshot): Promise<boolean> {
    const live = effectiveMessages(snap.messages).filter((m) => m.kind === 'content');
    if (!live.length || !live.every((m) => !m.attachments.length && !m.location && isSecretRequestOnly(m.text ?? '') && (m.text ?? '').length <= 300)) return false;
    return (await this.recentTicket(conversationMember(snap.channel, snap.account, snap.senderId))) !== null;
  }

  /**
   * The complaint a burst without words (a photo taken after walking over, minutes after the
   * acknowledgement) adds to: the sender's last acknowledged within `ackMemoryMs`. Filed on its
   * own, it got a second ticket the citizen could not place and reached the OPD as a photo of
   * nothing. Not linked when it asks for confidentiality and that one went with the identity:
   * the link would tell the OPD who sent it.
   */
  private async addendumOf(snap: ConversationSnapshot, complaint: Complaint): Promise<LastAck | null> {
    if (!isWordless(snap)) return null;
    const last = await this.store.recentAck(conversationMember(snap.channel, snap.account, snap.senderId), this.clock(), this.ackMemoryMs);
    // Its own acknowledgement, when a close is taken again after a crash that followed it: no addition.
    if (!last || last.ticket === complaint.ticket) return null;
    return last.confidential || !complaint.reporter.confidential ? last : null;
  }

  /**
   * Photos, videos... of the burst that its adapter could not store (too big, download failed):
   * the citizen is told which and what to do, once a burst, after its acknowledgement. Untold,
   * they believed the file went with the complaint. `ticket`: the complaint filed from this burst;
   * none: the one acknowledged in the last `ackMemoryMs`, which a resend without words adds to.
   * Whether there were any.
   */
  private async answerFailedMedia(snap: ConversationSnapshot, ticket?: string): Promise<boolean> {
    const failed = failedMediaOf(snap);
    if (!failed.length) return false;
    const addsTo = ticket ?? (await this.store.recentAck(conversationMember(snap.channel, snap.account, snap.senderId), this.clock(), this.ackMemoryMs))?.ticket;
    await this.notify(snap, 'guide', this.texts.failedMedia(failed, addsTo), jobHash('guide', snap.channel, snap.account, 'failed-media', snap.firstMessageId));
    return true;
  }

  /** Whether `complaint` is the one last acknowledged to this sender: a close taken again after a crash that followed its acknowledgement. */
  private async wasAcknowledged(member: string, complaint: Complaint): Promise<boolean> {
    return (await this.store.recentAck(member, this.clock(), SECRET_REPLY_MEMORY_MS))?.ticket === complaint.ticket;
  }

  /**
   * Contact cards alone (the RT head's number, and no word of what is wrong or where): nothing an
   * OPD can act on, and not an addition (none acknowledged in the last `ackMemoryMs`). No ticket;
   * the burst is kept for the sender's next complaint (CARD_MEMORY_MS), and the sender is asked
   * what it is, once: not again for more cards while earlier ones are kept.
   */
  private async holdCards(snap: ConversationSnapshot, member: string): Promise<void> {
    const earlier = await this.store.holdMessages(member, snap.messages, CARD_MEMORY_MS);
    if (earlier === 0) await this.notify(snap, 'guide', this.texts.cardsAlone(), jobHash('guide', snap.channel, snap.account, 'cards', snap.firstMessageId));
  }

  /** Turns a claimed conversation into a complaint + acknowledgement; idempotent, so recover() may repeat it. */
  private async finish(token: string): Promise<Complaint | null> {
    const read = await this.store.readClosing(token);
    if (!read) {
      await this.store.finishClosing(token);
      return null;
    }
    // Its sender linked as an alternate while it was open (being closed, it was not moved; one the
    // previous version keyed on a phone-number JID): filed, acknowledged and remembered as the
    // sender it was linked to, where their next message looks.
    const { linkedTo } = await this.store.links(read.channel, read.account, read.senderId);
    const snap = linkedTo ? { ...read, senderId: linkedTo } : read;
    const build = (conv: ConversationSnapshot, idAttempt: number, addendumTo?: LastAck | null) => buildComplaint(conv, { transport: this.opts.transport, ticketPrefix: this.ticketPrefix, submittedAt: new Date(this.clock()), idAttempt, ...(addendumTo ? { addendumTo } : {}) });
    let complaint = build(snap, 0);
    if (!complaint || (await this.isLateSecretRequest(snap))) {
      // Only greetings, thanks, a lone "kirim" or a request for confidentiality.
      await this.answerEmpty(snap);
      await this.store.finishClosing(token);
      return null;
    }
    const member = conversationMember(snap.channel, snap.account, snap.senderId);
    const addendumTo = await this.addendumOf(snap, complaint);
    if (!addendumTo && isCardsOnly(snap) && !(await this.wasAcknowledged(member, complaint))) {
      await this.holdCards(snap, member);
      await this.answerFailedMedia(snap);
      await this.store.finishClosing(token);
      return null;
    }
    // Contact cards sent alone before go with this complaint, as the citizen was told.
    const held = addendumTo ? [] : await this.store.heldMessages(member, snap.messages);
    const filed: ConversationSnapshot = held.length ? { ...snap, messages: [...held, ...snap.messages] } : snap;
    if (addendumTo || held.length) complaint = build(filed, 0, addendumTo) as Complaint;
    const received = (c: Complaint) => ({
      id: c.id,
      ticket: c.ticket,
      channel: c.channel,
      receivedAt: c.receivedAt,
      ...senderFields(snap.channel, snap.senderId, c.reporter.phone),
      replyAccount: snap.account,
      replyTo: snap.threadId,
    });
    // Tickets are 40 bits of the id's hash, so another complaint may already hold this one: then
    // the id is derived again (deterministically, so a replayed close finds the same one).
    for (let attempt = 1; (await this.opts.statusStore.recordNew(received(complaint))).outcome === 'ticket_taken'; attempt++) {
      this.opts.logger.warn({ complaintId: complaint.id, attempt }, 'ticket already taken by another complaint; new id');
      if (attempt === 3) {
        // Three clashes in a row: keep the status by id; the ticket look-up will not find it.
        await this.opts.statusStore.recordReceived(received(complaint));
        break;
      }
      complaint = build(filed, attempt, addendumTo) as Complaint;
    }
    const { outcome } = await this.opts.producer.add(QueueNames.intake, complaint.id, complaint);
    const leftOut = leftOutAttachments(filed);
    const ackText = addendumTo ? this.texts.addendumAck(complaint.ticket, addendumTo.ticket, complaint.reporter.confidential, leftOut) : this.texts.ack(complaint.ticket, complaint.reporter.confidential, leftOut);
    await this.notify(snap, 'ack', ackText, `ack-${complaint.id}`, { ticket: complaint.ticket, complaintId: complaint.id });
    await this.answerFailedMedia(snap, complaint.ticket);
    await this.store.rememberAck(member, { ticket: complaint.ticket, confidential: complaint.reporter.confidential }, this.clock(), Math.max(this.ackMemoryMs, SECRET_REPLY_MEMORY_MS));
    await this.store.rememberTicket(member, complaint.ticket, FOLLOW_UP_TICKETS, FOLLOW_UP_MEMORY_SECONDS);
    await this.store.markFiled(snap.channel, snap.account, filed.messages.map((m) => m.messageId), complaint.ticket);
    await this.store.releaseMessages(member, held.map((m) => m.messageId));
    await this.store.finishClosing(token);
    this.opts.onComplaint?.(complaint, outcome);
    this.opts.logger.info({ complaintId: complaint.id, channel: complaint.channel, messages: snap.messages.length, attachments: complaint.attachments.length, outcome }, 'conversation closed into a complaint');
    return complaint;
  }

  /** The channel sweep() works on; a replay engine that was not told it must not guess. */
  private sweptChannel(): ChatChannel {
    if (!this.channel) throw new Error(`ConversationEngine: transport '${this.opts.transport}' needs the 'channel' option to sweep`);
    return this.channel;
  }

  /**
   * Closes every conversation of this engine's channel whose quiet period is over, and finishes
   * closes a crashed process left. The other channel's conversations are its own service's.
   */
  async sweep(): Promise<number> {
    const channel = this.sweptChannel();
    this.sweeping ??= (async () => {
      let closed = 0;
      try {
        await this.store.adoptLegacy(channel);
        for (const token of await this.store.staleClosings(channel, this.clock(), 60_000, 100)) if (await this.finish(token)) closed++;
        for (;;) {
          const due = await this.store.dueMembers(channel, this.clock(), 200);
          if (due.length === 0) break;
          for (const member of due) {
            const token = await this.store.claim(member, this.clock(), false);
            if (token && (await this.finish(token))) closed++;
          }
          if (due.length < 200) break;
        }
      } finally {
        this.sweeping = undefined;
      }
      return closed;
    })();
    return this.sweeping;
  }

  /**
   * Closes every open conversation now (replay end, tests, shutdown of a one-shot run). `scope`
   * limits it to one channel/account, so a replay does not close the live service's conversations;
   * without a scope channel it is this engine's channel (all channels only when it has none).
   */
  async closeAll(scope: { channel?: ChatChannel; account?: string } = {}): Promise<Complaint[]> {
    const channel = scope.channel ?? this.channel;
    const head = channel ? `${channel}:${scope.account !== undefined ? `${scope.account}:` : ''}` : '';
    const out: Complaint[] = [];
    for (;;) {
      const members = (await this.store.openMembers(-1, channel)).filter((m) => m.startsWith(head));
      if (members.length === 0) return out;
      for (const m of members) {
        const c = await this.close(m);
        if (c) out.push(c);
      }
    }
  }

  /**
   * The adapter has handed over every message to `account` sent up to `untilMs` (message time;
   * Instagram's poller reports the start of each poll that read everything, the WhatsApp adapter
   * an instant its socket was caught up, or just before its oldest message still in hand if that is
   * earlier). From then on this account's
   * conversations close by the quiet period only once delivery has passed their last message
   * plus the quiet period (and at the latest maxOpenMs after they opened), so a late message (a
   * poll held back by a back-off, a reconnect, a slow photo) does not split a burst in two
   * complaints. See ConversationStore.markDelivered.
   */
  async markDelivered(account: string, untilMs: number): Promise<void> {
    await this.store.markDelivered(this.sweptChannel(), account, untilMs);
  }

  async openConversations(): Promise<number> {
    return this.store.openCount(this.channel);
  }

  /** Sweeps every sweepIntervalMs until stop(). */
  start(): void {
    this.sweptChannel(); // fail at start-up, not once a second in the log
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.sweep().catch((err: Error) => this.opts.logger.warn({ err: err.message }, 'conversation sweep failed; retrying'));
    }, this.opts.sweepIntervalMs ?? 1_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping?.catch(() => 0);
  }
}
