/** The adapter handed over something that is not a ChatMessage: a programming error in the adapter. */
export class InvalidChatMessageError extends Error {
  readonly code = 'ADUAN_ERR_CHAT_MESSAGE';
  constructor(detail: string) {
    super(`not a valid ChatMessage: ${detail}`);
    this.name = 'InvalidChatMessageError';
  }
}

/** The conversation engine could not reach Redis; the caller keeps the message (DurableInbox spools it). */
export class ConversationUnavailableError extends Error {
  readonly code = 'ADUAN_ERR_CONVERSATION_UNAVAILABLE';
  constructor(cause: unknown) {
    super(`conversation store unavailable: ${(cause as Error)?.message ?? cause}`, { cause });
    this.name = 'ConversationUnavailableError';
  }
}
