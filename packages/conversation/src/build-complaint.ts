import { Complaint, SCHEMA_VERSION, deterministicComplaintId, ticketFor, type Attachment, type Location } from '@aduan/schema';
import type { ChatMessage, FailedMedia, MessageKind } from './chat-message.ts';
import { asksConfidential, isConfidentialOnly, isGreetingOnly } from './classify.ts';
import { additionText } from './addition-text.ts';
import { KIND_WORDS, failedMediaNotes } from './failed-media.ts';
import { truncateText } from './truncate-text.ts';

/** A message as kept in an open conversation. */
export type StoredMessage = ChatMessage & { kind: MessageKind };

export interface ConversationSnapshot {
  channel: ChatMessage['channel'];
  account: string;
  senderId: string;
  threadId: string;
  firstMessageId: string;
  firstAt: string;
  messages: StoredMessage[];
}

export interface BuildOptions {
  transport: Complaint['intake']['transport'];
  ticketPrefix: string;
  submittedAt: Date;
  /**
   * 0 normally. 1, 2...: the ticket of the id before was already taken by another complaint;
   * the id is derived again with this number, still the same for the same conversation.
   */
  idAttempt?: number;
  /**
   * The complaint acknowledged to this sender moments ago. A burst with no words of its own (a
   * photo taken after walking over to the place) is told as an addition to it, and goes without
   * the identity when that one did: linked to it, the identity would tell who filed it.
   */
  addendumTo?: { ticket: string; confidential: boolean };
}

const MAX_TEXT = 5000;
/** Complaint.attachments holds at most this many; a burst's later ones are left out, and the complaint says so. */
export const MAX_ATTACHMENTS = 20;

/** Attachments a burst had past MAX_ATTACHMENTS: how many, and what they are ("foto", or "lampiran" for several kinds). */
export interface LeftOut {
  count: number;
  what: string;
  limit: number;
}

/** Applies edits and deletions, in order, to the messages they target within this conversation. */
export function effectiveMessages(messages: StoredMessage[]): StoredMessage[] {
  const ordered = messages.map((m, i) => ({ m, i })).sort((a, b) => Date.parse(a.m.at) - Date.parse(b.m.at) || a.i - b.i);
  const live: StoredMessage[] = [];
  for (const { m } of ordered) {
    if (m.kind === 'revoke') {
      const idx = live.findIndex((x) => x.messageId === m.revokes);
      if (idx >= 0) live.splice(idx, 1);
    } else if (m.kind === 'edit') {
      const target = live.find((x) => x.messageId === m.edits);
      if (target && m.text !== undefined) {
        target.text = m.text;
        // The adapter fills the attachment's caption from the old text; drop it, so the build below
        // takes the new text (what the citizen removed must not reach the OPD through the photo).
        target.attachments = target.attachments.map(({ caption: _old, ...a }) => a);
        if (target.kind === 'greeting' && !isGreetingOnly(m.text)) target.kind = 'content';
      }
    } else {
      live.push({ ...m });
    }
  }
  return live;
}

function hasSubstance(m: StoredMessage): boolean {
  if (m.kind !== 'content') return false;
  return m.attachments.length > 0 || m.location !== undefined || (m.contacts?.length ?? 0) > 0 || (m.text?.trim() ?? '') !== '';
}

/** "Kontak: Pak RT (+6285700000001)", one line a card. `contacts` is absent in messages stored before cards were their own field. */
function cardLines(m: StoredMessage): string[] {
  return (m.contacts ?? []).map((c) => `Kontak: ${[c.name, c.phone ? `(${c.phone})` : undefined].filter(Boolean).join(' ')}`);
}

/** The message's own words: "rahasia" alone asks something of us; it says nothing about the problem. */
function ownWords(m: StoredMessage): string | undefined {
  return m.text && isConfidentialOnly(m.text) ? undefined : m.text?.trim() || undefined;
}

/**
 * Whether the burst holds no words of the citizen's own (only photos, videos, voice notes,
 * documents, a location, files that could not be stored): its complaint's text is then written by us.
 */
export function isWordless(conv: ConversationSnapshot): boolean {
  return !effectiveMessages(conv.messages).some((m) => (m.kind === 'content' || m.kind === 'greeting') && ownWords(m));
}

/**
 * Whether the burst's only substance is contact cards: a phone number with no word of what is
 * wrong or where, nothing an OPD can act on. Small talk with them ("halo") adds no substance,
 * as everywhere else.
 */
export function isCardsOnly(conv: ConversationSnapshot): boolean {
  const substance = effectiveMessages(conv.messages).filter(hasSubstance);
  return substance.length > 0 && substance.every((m) => m.attachments.length === 0 && m.location === undefined && !ownWords(m));
}

const kindWord = (a: Attachment) => KIND_WORDS[a.kind];

function fallbackText(attachments: Attachment[], location: Location | undefined, cards: boolean, addendumTo: string | undefined): string {
  const parts = [...new Set(attachments.map(kindWord))];
  if (location) parts.push('lokasi');
  if (cards) parts.push('kontak');
  const what = parts.join(', ') || 'lampiran';
  // Only the ticket: the admin and the OPD find the rest (or, for a confidential one, nothing more) by it.
  return addendumTo ? additionText(what, addendumTo) : `(laporan berupa ${what} tanpa keterangan)`;
}


/**
 * The burst's lines in at most `max` units. When they are too long, what came last (citizens
 * end with where it is: "di depan Pasar Legi", the RT) stays whole, as many of the last
 * messages as fit in half the room; the earlier ones are cut where their room ends, marked "…".
 */
function joinWithin(lines: string[], max: number): string {
  const whole = lines.join('\n');
  if (whole.length <= max || lines.length === 1) return truncateText(whole, max);
  const half = Math.floor(max / 2);
  let first = lines.length;
  let kept = 0; // units the whole last lines take, a newline each
  while (first > 1 && kept + lines[first - 1]!.length + 1 <= half) kept += lines[--first]!.length + 1;
  if (first < lines.length) return `${truncateText(lines.slice(0, first).join('\n'), max - kept)}\n${lines.slice(first).join('\n')}`;
  // The last message alone takes more than half the room: the earlier ones keep up to half, it the rest.
  const earlier = lines.slice(0, -1).join('\n');
  const earlierRoom = Math.min(earlier.length, max - half - 1);
  return `${truncateText(earlier, earlierRoom)}\n${truncateText(lines.at(-1)!, max - earlierRoom - 1)}`;
}

/**
 * Every string of `value` well-formed: half an emoji (a lone surrogate, as a careless `.slice()`
 * in an adapter leaves) becomes U+FFFD. JSON with one is refused by other systems' decoders
 * (PHP's json_decode), which would lose the whole complaint to that OPD.
 */
function wellFormed<T>(value: T): T {
  if (typeof value === 'string') return value.toWellFormed() as T;
  if (Array.isArray(value)) return value.map(wellFormed) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wellFormed(v)])) as T;
  return value;
}

/** The messages still standing that may go into the complaint (edits and deletions applied). */
function liveMessages(conv: ConversationSnapshot): StoredMessage[] {
  return effectiveMessages(conv.messages).filter((m) => m.kind === 'content' || m.kind === 'greeting');
}

function leftOutOf(attachments: Attachment[]): LeftOut | null {
  const rest = attachments.slice(MAX_ATTACHMENTS);
  if (rest.length === 0) return null;
  const kinds = new Set(rest.map(kindWord));
  return { count: rest.length, what: kinds.size === 1 ? [...kinds][0]! : 'lampiran', limit: MAX_ATTACHMENTS };
}

/**
 * The media of this burst its adapter could not store (too big, not downloaded...), deleted
 * messages left out. The complaint notes them; the citizen is asked to send them again.
 */
export function failedMediaOf(conv: ConversationSnapshot): FailedMedia[] {
  return effectiveMessages(conv.messages).flatMap((m) => m.failedMedia ?? []);
}

/**
 * What buildComplaint leaves out of this burst: the attachments past MAX_ATTACHMENTS (the last
 * ones sent), or null. The acknowledgement tells the citizen, who otherwise believes the OPD sees them all.
 */
export function leftOutAttachments(conv: ConversationSnapshot): LeftOut | null {
  return leftOutOf(liveMessages(conv).flatMap((m) => m.attachments));
}

/**
 * Turns a closed conversation into one complaint, or null when it holds nothing to act on
 * (only greetings, a lone "kirim", or everything deleted).
 */
export function buildComplaint(conv: ConversationSnapshot, opts: BuildOptions): Complaint | null {
  const live = liveMessages(conv);
  if (!live.some(hasSubstance)) return null;

  const lines: string[] = [];
  const attachments: Attachment[] = [];
  let location: Location | undefined;
  let worded = false;
  let cards = false;
  for (const m of live) {
    const text = ownWords(m);
    const card = cardLines(m);
    const said = [...(text ? [text] : []), ...card].join('\n');
    if (said) {
      const quoted = m.quoted?.text?.trim();
      lines.push(quoted ? `${said} (membalas: "${truncateText(quoted, 200)}")` : said);
    }
    worded ||= text !== undefined;
    cards ||= card.length > 0;
    for (const a of m.attachments) attachments.push(text && !a.caption ? { ...a, caption: truncateText(text, 2000) } : a);
    if (m.location) location = { ...location, ...m.location };
  }
  // No words of the citizen's own: ours say what it is (and what it adds to), and the cards follow,
  // cut at their end when too long: the first line, which the router reads an addition's ticket from, stays whole.
  const head = worded ? '' : fallbackText(attachments, location, cards, opts.addendumTo?.ticket);
  // Files that were not stored, and attachments past the limit (dropped): the OPD reads that some
  // are missing (these lines last, whole).
  const leftOut = leftOutOf(attachments);
  const note = [...failedMediaNotes(failedMediaOf(conv)), ...(leftOut ? [`(${leftOut.count} ${leftOut.what} lain tidak disertakan: batas ${leftOut.limit} lampiran per aduan)`] : [])].join('\n');
  const room = MAX_TEXT - (note ? note.length + 1 : 0);
  const body = worded ? joinWithin(lines, room) : lines.length ? `${head}\n${truncateText(lines.join('\n'), room - head.length - 1)}` : head;
  const text = note ? `${body}\n${note}` : body;

  const name = [...live].reverse().find((m) => m.reporter.name)?.reporter.name;
  const phone = live.find((m) => m.reporter.phone)?.reporter.phone;
  const handle = [...live].reverse().find((m) => m.reporter.handle)?.reporter.handle;
  // Asked in any message still standing (an edit that takes "rahasia" out takes the request back).
  const confidential = live.some((m) => asksConfidential(m.text ?? '')) || (!worded && opts.addendumTo?.confidential === true);
  const firstAt = new Date(conv.firstAt);
  const id = deterministicComplaintId(firstAt, conv.channel, conv.account, conv.firstMessageId, ...(opts.idAttempt ? [`ticket-retry-${opts.idAttempt}`] : []));
  const submittedAt = opts.submittedAt.getTime() < firstAt.getTime() ? firstAt : opts.submittedAt;

  return Complaint.parse(wellFormed({
    schemaVersion: SCHEMA_VERSION,
    id,
    ticket: ticketFor(id, opts.ticketPrefix),
    channel: conv.channel,
    source: {
      account: conv.account,
      senderId: conv.senderId,
      messageIds: [...new Set(conv.messages.map((m) => m.messageId))].slice(0, 500),
      threadId: conv.threadId,
    },
    receivedAt: firstAt.toISOString(),
    submittedAt: submittedAt.toISOString(),
    reporter: {
      ...(name ? { name } : {}),
      ...(phone ? { phone } : {}),
      ...(handle ? { handle } : {}),
      ...(confidential ? { confidential } : {}),
    },
    text,
    ...(location ? { location } : {}),
    attachments: attachments.slice(0, MAX_ATTACHMENTS),
    language: 'id',
    intake: { transport: opts.transport },
  }));
}
