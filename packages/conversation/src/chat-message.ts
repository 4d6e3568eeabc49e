import { z } from 'zod';
import { Attachment, AttachmentKind, Location, PhoneE164 } from '@aduan/schema';

/** The chat channels an engine runs for; each engine sweeps only its own channel's conversations. */
export const CHAT_CHANNELS = ['whatsapp', 'instagram'] as const;
export type ChatChannel = (typeof CHAT_CHANNELS)[number];

/**
 * A contact card the citizen shared (the RT head's number, the shop owner's): someone the OPD
 * may call. Not the citizen's words: a burst of cards alone is no complaint (see the engine).
 */
export const ContactCard = z
  .object({
    name: z.string().trim().min(1).max(120).optional(),
    /** As the card gives it, digits with an optional "+": "+6285700000001", "0857000001". */
    phone: z.string().regex(/^\+?[0-9]{6,20}$/).optional(),
  })
  .refine((c) => c.name !== undefined || c.phone !== undefined, 'a contact card needs a name or a phone number');
export type ContactCard = z.infer<typeof ContactCard>;

/**
 * A photo, video... the citizen sent that the adapter could not store, and why: `too-big` (over
 * MAX_MEDIA_BYTES), `download-failed` (not fetched, or not kept), `unreadable` (a damaged file
 * whose metadata cannot be removed), `unsupported` (a format whose metadata cannot be removed, or
 * no media at all). What the citizen is asked to do depends on it.
 */
export const FailedMedia = z.object({
  kind: AttachmentKind,
  reason: z.enum(['too-big', 'download-failed', 'unreadable', 'unsupported']),
});
export type FailedMedia = z.infer<typeof FailedMedia>;

/**
 * One chat message as a channel adapter hands it to the conversation engine. Channel-neutral:
 * the WhatsApp adapter builds it from a Baileys WebMessageInfo, the Instagram adapter from a
 * direct-thread item. Attachments are already stored (storage key + sha256) by the adapter.
 * Personal data (senderId, threadId, reporter, text): never log it.
 */
export const ChatMessage = z
  .object({
    channel: z.enum(CHAT_CHANNELS),
    /** Our receiving account: WhatsApp number (E.164) or Instagram account id. */
    account: z.string().min(1).max(100),
    /**
     * Stable sender id: WhatsApp JID (the LID when the message gives one), Instagram user pk.
     * Conversations and what the engine remembers of a sender are keyed by it.
     */
    senderId: z.string().min(1).max(200),
    /**
     * Another id the channel also names this sender by, given with this message (WhatsApp: the
     * phone-number JID of a sender named by LID). The engine links it to `senderId`: what it kept
     * under it (an open conversation, the last acknowledgement, the tickets, held contact cards)
     * moves over, and a later message that names the sender by it alone is keyed on `senderId`.
     */
    senderAlt: z.string().min(1).max(200).optional(),
    /** Where replies go: the chat JID / Instagram thread id. Becomes `Notification.to`. */
    threadId: z.string().min(1).max(200),
    /** Channel message id, unique within (channel, account). Redeliveries carry the same id. */
    messageId: z.string().min(1).max(200),
    /** When the citizen sent it (ISO 8601). Quiet-period splitting uses this time. */
    at: z.iso.datetime({ offset: true }),
    reporter: z
      .object({
        name: z.string().trim().min(1).max(120).optional(),
        phone: PhoneE164.optional(),
        handle: z.string().trim().min(1).max(100).optional(),
      })
      .default({}),
    /** Text, or the caption of a media message. */
    text: z.string().max(5000).optional(),
    attachments: z.array(Attachment).max(20).default([]),
    /**
     * Media of this message the adapter could not store. Data, not words in `text`: a note there
     * counted as the citizen's own words, so a video too big, sent after the acknowledgement,
     * became a complaint of its own with nothing in it. The complaint's text notes them for the
     * staff; the citizen is asked to send them again.
     */
    failedMedia: z.array(FailedMedia).min(1).max(20).optional(),
    location: Location.optional(),
    /** Contact cards shared in this message; rendered into the complaint as "Kontak: Nama (+62…)". */
    contacts: z.array(ContactCard).min(1).max(20).optional(),
    /** The message this one replies to, as far as the channel tells us. */
    quoted: z.object({ messageId: z.string().max(200).optional(), text: z.string().max(2000).optional() }).optional(),
    /** This message edits an earlier one: `text` replaces that message's text. */
    edits: z.string().min(1).max(200).optional(),
    /** This message deletes an earlier one ("delete for everyone"). */
    revokes: z.string().min(1).max(200).optional(),
    /**
     * No complaint on its own, though part of one sent with it: an Instagram story mention without
     * words (the story is evidence when the citizen also writes what and where). Kept like small
     * talk: a conversation of only such messages files nothing, and the sender gets the guide.
     */
    incidental: z.boolean().optional(),
  })
  .meta({ id: 'ChatMessage', description: 'Input of @aduan/conversation: one chat message from any chat channel.' });
export type ChatMessage = z.infer<typeof ChatMessage>;
export type ChatMessageInput = z.input<typeof ChatMessage>;

/** What the engine does with a message, decided by classifyMessage. */
export type MessageKind = 'content' | 'greeting' | 'close' | 'check' | 'edit' | 'revoke';
