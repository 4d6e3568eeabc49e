export type { IgClientLike, InboxFeedLike, ThreadFeedLike } from './client/ig-client-like.ts';
export type { IgThreadItem, IgThread, IgUser } from './client/ig-item.ts';
export { classifyIgError, withJitter, type IgFailure } from './client/classify-error.ts';
export { normalizeItem, type Normalized } from './polling/normalize.ts';
export { InstagramEnv, InstagramCommonEnv } from './env.ts';
export { runReplay, ReplayLine } from './replay.ts';
