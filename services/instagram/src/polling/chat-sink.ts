import type { FailedMedia } from '@aduan/conversation';
import type { Attachment } from '@aduan/schema';

/**
 * The message shape this adapter hands to the conversation engine (@aduan/conversation's
 * ChatMessage input), kept here as the subset the adapter fills so that the engine's
 * `ingest` fits `ChatSink` structurally and tests can see exactly what was handed over.
 */
export interface OutgoingChatMessage {
  channel: 'instagram';
  account: string;
  senderId: string;
  threadId: string;
  messageId: string;
  at: string;
  reporter: { name?: string; handle?: string };
  text?: string;
  attachments: Attachment[];
  /** Files not stored (too big, download failed...): see ChatMessage.failedMedia. */
  failedMedia?: FailedMedia[];
  location?: { description?: string; lat?: number; lon?: number };
  /** No complaint on its own (a story mention without words): see ChatMessage.incidental. */
  incidental?: boolean;
}

export interface ChatSink {
  /** Throws when the message could not be kept (Redis down): the cursor then stays put. */
  ingest(msg: OutgoingChatMessage): Promise<unknown>;
}
