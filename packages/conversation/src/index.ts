export { CHAT_CHANNELS, ChatMessage, type ChatChannel, type ChatMessageInput, type MessageKind } from './chat-message.ts';
export { classifyMessage, isGreetingOnly, isThanksOnly, isCloseWord, parseCheck, parseLookup, normalizeWords } from './classify.ts';
export { buildComplaint, effectiveMessages, additionTicket, type ConversationSnapshot, type StoredMessage, type BuildOptions } from './build-complaint.ts';
export { ConversationStore, conversationMember, type IngestOutcome } from './conversation-store.ts';
export { ConversationEngine, type ConversationEngineOptions, type IngestResult } from './engine.ts';
export { DurableInbox, type DurableInboxOptions, type AcceptOutcome } from './durable-inbox.ts';
export { createTexts, type ConversationTexts } from './texts.ts';
export { truncateText } from './truncate-text.ts';
export { InvalidChatMessageError, ConversationUnavailableError } from './errors.ts';
