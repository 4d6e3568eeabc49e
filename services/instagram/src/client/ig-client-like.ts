import type {
  AccountRepositoryLoginResponseLogged_in_user,
  AccountTwoFactorLoginOptions,
  ChallengeStateResponse,
  DirectInboxFeedResponseThreadsItem,
  DirectThreadFeedResponseItemsItem,
  IgApiClient,
  StatusResponse,
} from 'instagram-private-api';

/**
 * The seam at the library boundary: the few instagram-private-api calls this adapter makes.
 * Production passes a real `IgApiClient` (checked below at compile time); tests pass objects
 * typed with the library's own response types, so a library upgrade that changes those
 * shapes fails the typecheck instead of failing in production.
 */
export interface InboxFeedLike {
  items(): Promise<DirectInboxFeedResponseThreadsItem[]>;
  isMoreAvailable(): boolean;
}

export interface ThreadFeedLike {
  items(): Promise<DirectThreadFeedResponseItemsItem[]>;
  isMoreAvailable(): boolean;
}

export interface IgClientLike {
  state: {
    generateDevice(seed: string): void;
    serialize(): Promise<Record<string, unknown>>;
    deserialize(state: string | Record<string, unknown>): Promise<void>;
    proxyUrl: string;
  };
  account: {
    login(username: string, password: string): Promise<AccountRepositoryLoginResponseLogged_in_user>;
    twoFactorLogin(options: AccountTwoFactorLoginOptions): Promise<AccountRepositoryLoginResponseLogged_in_user>;
  };
  challenge: {
    auto(reset?: boolean): Promise<ChallengeStateResponse>;
    sendSecurityCode(code: string | number): Promise<ChallengeStateResponse>;
  };
  feed: {
    directInbox(): InboxFeedLike;
    directPending(): InboxFeedLike;
    directThread(options: Pick<DirectInboxFeedResponseThreadsItem, 'thread_id' | 'oldest_cursor'>, seqId?: number): ThreadFeedLike;
  };
  directThread: {
    approve(threadId: string | number): Promise<StatusResponse>;
  };
  entity: {
    /** `skipLinkCheck`: a text item, whatever in it looks like a domain; `broadcastLink`: a link item naming its links (notify/links.ts). */
    directThread(threadId: string): { broadcastText(text: string, skipLinkCheck?: boolean): Promise<unknown>; broadcastLink(linkText: string, linkUrls: string[]): Promise<unknown> };
  };
}

/** Compile-time proof that the real client fits the seam; breaks the typecheck on API drift. */
type RealClientFits = IgApiClient extends IgClientLike ? true : never;
export const realClientFitsSeam: RealClientFits = true;
