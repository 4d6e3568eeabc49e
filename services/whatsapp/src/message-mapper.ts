import { isLidUser, isPnUser, jidNormalizedUser, normalizeMessageContent, proto, type WAMessage, type WAMessageKey } from '@whiskeysockets/baileys';
import { truncateText, type ChatMessageInput, type ContactCard } from '@aduan/conversation';
import { ignoredChat, phoneFromJid } from './jid.ts';

export type MediaKind = 'image' | 'video' | 'audio' | 'document';

/** A media part of a message, to be downloaded and stored before the message goes on. */
export interface MediaRef {
  kind: MediaKind;
  mimeType: string;
  fileName?: string;
  declaredBytes?: number;
}

export type Mapped =
  | { type: 'ignore'; reason: string }
  | { type: 'message'; draft: Omit<ChatMessageInput, 'attachments'>; media: MediaRef | null };

const MEDIA: Record<string, MediaKind> = { imageMessage: 'image', videoMessage: 'video', audioMessage: 'audio', documentMessage: 'document', ptvMessage: 'video' };
/** Content types we deliberately drop without complaint. */
const SILENT: Record<string, string> = {
  reactionMessage: 'reaction',
  encReactionMessage: 'reaction',
  stickerMessage: 'sticker',
  // An animated sticker: the sticker inside a wrapper Baileys does not unwrap.
  lottieStickerMessage: 'sticker',
  // Announces an album; its photos and videos come as messages of their own.
  albumMessage: 'album',
  senderKeyDistributionMessage: 'protocol',
  messageContextInfo: 'protocol',
  pollUpdateMessage: 'poll',
  keepInChatMessage: 'protocol',
  pinInChatMessage: 'protocol',
};

/**
 * A photo or video sent in HD comes twice: first in standard quality, then the HD copy as a child
 * of it (associatedChildMessage, its association naming the first as parent).
 */
const HD_COPY = new Set<number>([proto.MessageAssociation.AssociationType.HD_IMAGE_DUAL_UPLOAD, proto.MessageAssociation.AssociationType.HD_VIDEO_DUAL_UPLOAD]);

function toNumber(v: number | { toNumber(): number } | null | undefined): number | undefined {
  if (v === null || v === undefined) return undefined;
  return typeof v === 'number' ? v : v.toNumber();
}

/**
 * When the message was sent, in ms. The timestamp is the sender's claim (a uint64: -1 arrives as
 * 1.8e19): missing, zero or more than a day ahead of our clock means "now".
 */
function sentAtMs(seconds: number | undefined): number {
  const now = Date.now();
  return seconds && seconds > 0 && seconds * 1000 <= now + 86_400_000 ? seconds * 1000 : now;
}

/** The text a message shows: body or caption. */
export function textOf(m: proto.IMessage | null | undefined): string | undefined {
  const c = normalizeMessageContent(m);
  if (!c) return undefined;
  const t =
    c.conversation ??
    c.extendedTextMessage?.text ??
    c.imageMessage?.caption ??
    c.videoMessage?.caption ??
    c.documentMessage?.caption ??
    c.liveLocationMessage?.caption ??
    c.locationMessage?.comment ??
    undefined;
  return t?.trim() ? t : undefined;
}

function contextOf(c: proto.IMessage): proto.IContextInfo | null | undefined {
  return (
    c.extendedTextMessage?.contextInfo ??
    c.imageMessage?.contextInfo ??
    c.videoMessage?.contextInfo ??
    c.audioMessage?.contextInfo ??
    c.documentMessage?.contextInfo ??
    c.locationMessage?.contextInfo ??
    c.contactMessage?.contextInfo
  );
}

/** "BEGIN:VCARD … TEL;type=CELL;waid=6281…:+62 81…" -> { name, phone: "+6281…" }; undefined when it has neither. */
function contactCard(c: proto.Message.IContactMessage): ContactCard | undefined {
  const waid = /waid=(\d{8,15})/.exec(c.vcard ?? '')?.[1];
  const tel = waid ? `+${waid}` : /TEL[^:]*:([+\d][\d\s-]{6,20})/.exec(c.vcard ?? '')?.[1]?.replace(/[\s-]/g, '');
  const phone = tel && /^\+?[0-9]{6,20}$/.test(tel) ? tel : undefined;
  const name = truncateText(c.displayName?.trim(), 120)?.trim();
  if (!name && !phone) return undefined;
  return { ...(name ? { name } : {}), ...(phone ? { phone } : {}) };
}

/** A ticket as our notices write it ("*ADU-7K3M-9Q2X*"): any prefix, so one from before TICKET_PREFIX changed too. */
const TICKET = /\b[A-Z]{2,5}-[0-9A-Z]{4}-[0-9A-Z]{4}\b/g;

/** Whether `jid` (a quote's author) is one of ours: the account's number, or the socket's own ids (its LID). */
function isOurs(jid: string | null | undefined, account: string, ownJids: readonly (string | null | undefined)[]): boolean {
  if (!jid) return false;
  const user = (j: string | null | undefined) => (j ? jidNormalizedUser(j).split('@')[0] : undefined);
  const who = user(jid);
  return who === account.replace(/^\+/, '') || ownJids.some((j) => j && user(j) === who);
}

/**
 * What a reply quotes. A quote of one of our own notices (the guide, an acknowledgement, a status
 * notice: citizens reply to them with a swipe) is not the citizen's words: only the ticket it
 * names is kept, so the OPD does not read our boilerplate as part of the complaint.
 */
function quoteOf(ctx: proto.IContextInfo | null | undefined, account: string, ownJids: readonly (string | null | undefined)[]): ChatMessageInput['quoted'] {
  const text = ctx?.quotedMessage ? textOf(ctx.quotedMessage) : undefined;
  const kept = text && isOurs(ctx?.participant, account, ownJids) ? [...new Set(text.match(TICKET) ?? [])].join(', ') || undefined : text;
  if (!ctx?.stanzaId && !kept) return undefined;
  return { ...(ctx?.stanzaId ? { messageId: ctx.stanzaId } : {}), ...(kept ? { text: truncateText(kept, 2000) } : {}) };
}

function keyType(c: proto.IMessage): string | undefined {
  return Object.keys(c).find((k) => (c as Record<string, unknown>)[k] != null && k !== 'messageContextInfo' && k !== 'senderKeyDistributionMessage');
}

/**
 * Who sent a message in a private chat. Baileys 7 names a person by phone-number JID
 * (…@s.whatsapp.net) or by LID (…@lid), and gives the other form, when WhatsApp sends it, in
 * `key.remoteJidAlt` (`participantAlt` is for groups, which we ignore); one person's burst can come
 * both ways. The sender is keyed on the LID whenever the message gives one, with the phone-number
 * JID as its alternate (the engine links them, so a later message under the number alone finds the
 * same conversation); a message that gives only the number is keyed on it, as before. Replies go to
 * the chat as Baileys gave it.
 */
function sender(key: WAMessageKey): { chat: string; senderId: string; senderAlt?: string; pn?: string } {
  const chat = jidNormalizedUser(key.remoteJid!);
  const ids = [chat, key.remoteJidAlt ? jidNormalizedUser(key.remoteJidAlt) : ''];
  const lid = ids.find((j) => isLidUser(j));
  const pn = ids.find((j) => isPnUser(j));
  return { chat, senderId: lid ?? chat, ...(lid && pn ? { senderAlt: pn } : {}), ...(pn ? { pn } : {}) };
}

/**
 * Maps one Baileys message to the channel-neutral draft, or says why it is ignored. Pure: no
 * I/O, no throwing on odd shapes (the caller logs the reason, never the content). `ownJids`: the
 * socket's own ids (`sock.user`), to know a quote of our own message when it names our LID.
 */
export function mapMessage(msg: WAMessage, account: string, ownJids: readonly (string | null | undefined)[] = []): Mapped {
  const key = msg.key;
  if (!key) return { type: 'ignore', reason: 'no-key' };
  if (key.fromMe) return { type: 'ignore', reason: 'own' };
  const ignored = ignoredChat(key.remoteJid);
  if (ignored) return { type: 'ignore', reason: ignored };
  if (!key.id) return { type: 'ignore', reason: 'no-id' };
  const content = normalizeMessageContent(msg.message);
  // A photo or video sent "sekali lihat": WhatsApp gives a linked device only this empty shell.
  if (!content) return { type: 'ignore', reason: key.isViewOnce ? 'view-once' : msg.messageStubType ? 'stub' : 'empty' };

  // The first copy is already taken: the HD one would put the photo (and its caption) in the complaint twice.
  const association = msg.message?.messageContextInfo?.messageAssociation ?? content.messageContextInfo?.messageAssociation;
  if (HD_COPY.has(association?.associationType ?? -1)) return { type: 'ignore', reason: 'hd-copy' };

  const { chat, senderId, senderAlt, pn } = sender(key);
  const seconds = toNumber(msg.messageTimestamp as number | { toNumber(): number } | null | undefined);
  const at = new Date(sentAtMs(seconds)).toISOString();
  const phone = phoneFromJid(pn);
  const name = truncateText(msg.pushName?.trim(), 120);
  const base = {
    channel: 'whatsapp' as const,
    account,
    senderId,
    ...(senderAlt ? { senderAlt } : {}),
    threadId: chat,
    messageId: key.id,
    at,
    reporter: { ...(name ? { name } : {}), ...(phone ? { phone } : {}) },
  };

  const proto_ = content.protocolMessage;
  if (proto_) {
    const target = proto_.key?.id;
    if (proto_.type === proto.Message.ProtocolMessage.Type.REVOKE && target) return { type: 'message', draft: { ...base, revokes: target }, media: null };
    if (proto_.type === proto.Message.ProtocolMessage.Type.MESSAGE_EDIT && target) {
      const text = truncateText(textOf(proto_.editedMessage), 5000);
      return text ? { type: 'message', draft: { ...base, edits: target, text }, media: null } : { type: 'ignore', reason: 'edit-without-text' };
    }
    return { type: 'ignore', reason: 'protocol' };
  }

  const type = keyType(content);
  if (!type) return { type: 'ignore', reason: 'empty' };
  const silent = SILENT[type];
  if (silent) return { type: 'ignore', reason: silent };

  const quoted = quoteOf(contextOf(content), account, ownJids);
  const text = truncateText(textOf(content), 5000);
  const withText = { ...base, ...(text ? { text } : {}), ...(quoted ? { quoted } : {}) };

  if (type === 'conversation' || type === 'extendedTextMessage') {
    return text ? { type: 'message', draft: withText, media: null } : { type: 'ignore', reason: 'empty-text' };
  }
  const kind = MEDIA[type];
  if (kind) {
    const m = (content as Record<string, proto.Message.IImageMessage & proto.Message.IDocumentMessage>)[type]!;
    const ref: MediaRef = { kind, mimeType: m.mimetype ?? 'application/octet-stream' };
    if (m.fileName) ref.fileName = truncateText(m.fileName, 255);
    const declared = toNumber(m.fileLength as number | { toNumber(): number } | null | undefined);
    if (declared !== undefined) ref.declaredBytes = declared;
    return { type: 'message', draft: withText, media: ref };
  }
  if (type === 'locationMessage' || type === 'liveLocationMessage') {
    const l = content.locationMessage ?? content.liveLocationMessage!;
    const lat = l.degreesLatitude ?? Number.NaN;
    const lon = l.degreesLongitude ?? Number.NaN;
    // Written so that NaN (and a missing value) fails: NaN passed `Math.abs(x) > 90`.
    if (!(Math.abs(lat) <= 90 && Math.abs(lon) <= 180)) return { type: 'ignore', reason: 'bad-location' };
    const loc = content.locationMessage;
    const place = [loc?.name, loc?.address].filter((s): s is string => !!s?.trim()).join(', ');
    const description = truncateText(place, 500);
    return { type: 'message', draft: { ...withText, location: { lat, lon, ...(description ? { description } : {}) } }, media: null };
  }
  if (type === 'contactMessage' || type === 'contactsArrayMessage') {
    const cards = content.contactMessage ? [content.contactMessage] : (content.contactsArrayMessage?.contacts ?? []);
    const contacts = cards.map(contactCard).filter((c): c is ContactCard => !!c).slice(0, 20);
    if (contacts.length === 0) return { type: 'ignore', reason: 'empty-contact' };
    // The engine tells cards from words: cards alone make no complaint (a number, and nothing to act on).
    return { type: 'message', draft: { ...withText, contacts }, media: null };
  }
  return { type: 'ignore', reason: `unsupported:${type}` };
}
