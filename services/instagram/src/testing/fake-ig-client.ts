import {
  IgApiClient,
  type AccountRepositoryLoginResponseLogged_in_user,
  type AccountTwoFactorLoginOptions,
  type ChallengeStateResponse,
  type DirectInboxFeedResponseThreadsItem,
  type DirectThreadFeedResponseItemsItem,
  type StatusResponse,
} from 'instagram-private-api';
import type { IgClientLike, InboxFeedLike, ThreadFeedLike } from '../client/ig-client-like.ts';

export const loggedInUser: AccountRepositoryLoginResponseLogged_in_user = {
  pk: 4011223344,
  username: 'pemkotblitar',
  full_name: 'Pemerintah Kota Blitar',
  is_private: false,
  profile_pic_url: 'https://cdn.example.invalid/p.jpg',
  profile_pic_id: '1',
  is_verified: true,
  has_anonymous_profile_picture: false,
  can_boost_post: false,
  is_business: true,
  account_type: 2,
  is_call_to_action_enabled: null,
  can_see_organic_insights: true,
  show_insights_terms: false,
  reel_auto_archive: 'on',
  has_placed_orders: false,
  allowed_commenter_type: 'any',
  nametag: { mode: 0, gradient: '0', emoji: '', selfie_sticker: '0' },
  allow_contacts_sync: false,
  phone_number: '',
  country_code: 62,
  national_number: 0,
};

const challengeState: ChallengeStateResponse = {
  step_name: 'verify_email',
  step_data: { choice: '1', fb_access_token: '', big_blue_token: '', google_oauth_token: '', email: 'k***@b***.go.id', security_code: '', resend_delay: 60, contact_point: '', form_type: 'email' },
  user_id: 4011223344,
  nonce_code: 'n',
  action: 'close',
  status: 'ok',
};

/**
 * The client seam filled with library-typed data. `state` is the library's REAL State
 * (cookie jar, device ids, serialize/deserialize); feeds and thread calls serve what the
 * test put in and record what the adapter did.
 */
export class FakeIgClient implements IgClientLike {
  readonly state = new IgApiClient().state;
  inboxPages: DirectInboxFeedResponseThreadsItem[][] = [[]];
  pendingPages: DirectInboxFeedResponseThreadsItem[][] = [[]];
  threadPages = new Map<string, DirectThreadFeedResponseItemsItem[][]>();
  /** Thrown, one per call, by the next feed/thread calls. */
  failures: Error[] = [];
  sendFailures: Error[] = [];
  loginBehaviour: () => Promise<AccountRepositoryLoginResponseLogged_in_user> = async () => loggedInUser;
  readonly calls = { inbox: 0, pending: 0, thread: 0, login: 0, twoFactor: [] as AccountTwoFactorLoginOptions[], securityCodes: [] as string[], challengeAuto: 0 };
  readonly approved: string[] = [];
  /** `links`: sent as a link item naming them. */
  readonly sent: { threadId: string; text: string; links?: string[] }[] = [];

  private stalledFeeds: Promise<void>[] = [];
  private stalledSends: Promise<void>[] = [];

  /** The next feed page call gets no answer until the returned function is called (a connection that hangs). */
  stallNextFeed(): () => void {
    let release = () => {};
    this.stalledFeeds.push(new Promise<void>((r) => (release = r)));
    return release;
  }

  /** The next send gets no answer until the returned function is called; then it is sent. */
  stallNextSend(): () => void {
    let release = () => {};
    this.stalledSends.push(new Promise<void>((r) => (release = r)));
    return release;
  }

  private failNext(): void {
    const f = this.failures.shift();
    if (f) throw f;
  }

  private pagedFeed<T>(pages: T[][], count: () => void): { items(): Promise<T[]>; isMoreAvailable(): boolean } {
    let page = 0;
    return {
      items: async () => {
        count();
        const stall = this.stalledFeeds.shift();
        if (stall) await stall;
        this.failNext();
        return pages[page++] ?? [];
      },
      isMoreAvailable: () => page < pages.length,
    };
  }

  readonly account = {
    login: async (_u: string, _p: string) => {
      this.calls.login++;
      return this.loginBehaviour();
    },
    twoFactorLogin: async (o: AccountTwoFactorLoginOptions) => {
      this.calls.twoFactor.push(o);
      return loggedInUser;
    },
  };

  readonly challenge = {
    auto: async (_reset?: boolean) => {
      this.calls.challengeAuto++;
      return challengeState;
    },
    sendSecurityCode: async (code: string | number) => {
      this.calls.securityCodes.push(String(code));
      return { ...challengeState, logged_in_user: loggedInUser };
    },
  };

  readonly feed = {
    directInbox: (): InboxFeedLike => this.pagedFeed(this.inboxPages, () => this.calls.inbox++),
    directPending: (): InboxFeedLike => this.pagedFeed(this.pendingPages, () => this.calls.pending++),
    directThread: (o: Pick<DirectInboxFeedResponseThreadsItem, 'thread_id' | 'oldest_cursor'>): ThreadFeedLike =>
      this.pagedFeed(this.threadPages.get(o.thread_id) ?? [], () => this.calls.thread++),
  };

  readonly directThread = {
    approve: async (threadId: string | number): Promise<StatusResponse> => {
      this.approved.push(String(threadId));
      // An approved request moves to the inbox.
      for (const page of this.pendingPages) {
        const i = page.findIndex((t) => t.thread_id === String(threadId));
        if (i >= 0) this.inboxPages[0]?.unshift(...page.splice(i, 1).map((t) => ({ ...t, pending: false })));
      }
      return { status: 'ok' };
    },
  };

  readonly entity = {
    directThread: (threadId: string) => ({
      broadcastText: async (text: string, _skipLinkCheck?: boolean) => {
        const stall = this.stalledSends.shift();
        if (stall) await stall;
        const f = this.sendFailures.shift();
        if (f) throw f;
        this.sent.push({ threadId, text });
        return { status: 'ok' };
      },
      broadcastLink: async (text: string, links: string[]) => {
        const f = this.sendFailures.shift();
        if (f) throw f;
        this.sent.push({ threadId, text, links });
        return { status: 'ok' };
      },
    }),
  };
}
