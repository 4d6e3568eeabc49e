import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AccountRepositoryLoginResponseLogged_in_user, DirectInboxFeedResponse, DirectInboxFeedResponseThreadsItem, DirectThreadFeedResponse, DirectThreadFeedResponseItemsItem } from 'instagram-private-api';

export interface RecordedRequest {
  method: string;
  path: string;
  form: URLSearchParams;
}

/**
 * A loopback stand-in for i.instagram.com, reached by the REAL IgApiClient through its
 * `state.proxyUrl` (a plain forward proxy: `request.defaults.tunnel = false`), so the
 * library's own feeds, repositories and error mapping run unchanged. Response bodies are
 * typed with the library's response types. Only loopback traffic; nothing leaves the host.
 */
export class FakeInstagramServer {
  pending: DirectInboxFeedResponseThreadsItem[] = [];
  inbox: DirectInboxFeedResponseThreadsItem[] = [];
  threadItems = new Map<string, DirectThreadFeedResponseItemsItem[]>();
  /** The next responses for paths matching a pattern: status and JSON body (e.g. challenge_required). */
  readonly failures: { match: RegExp; status: number; body: object }[] = [];
  readonly requests: RecordedRequest[] = [];
  /** Paths that get no answer at all, the connection left open (Instagram or a proxy hanging). */
  readonly stalls: RegExp[] = [];
  /** Answer to a password login (POST /api/v1/accounts/login/). */
  loggedInUser: AccountRepositoryLoginResponseLogged_in_user | undefined;
  private server: Server | undefined;
  // The library encrypts the password with the RSA key Instagram announces in a header.
  private readonly publicKeyPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

  get proxyUrl(): string {
    const addr = this.server?.address();
    return `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return this;
  }

  async stop(): Promise<void> {
    // Connections left hanging (stalls) would keep close() waiting.
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'https://i.instagram.com');
      const rec: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, form: new URLSearchParams(raw) };
      this.requests.push(rec);
      const send = (status: number, body: object, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      if (this.stalls.some((m) => m.test(url.pathname))) return;
      const fail = this.failures.findIndex((f) => f.match.test(url.pathname));
      if (fail >= 0) {
        const [f] = this.failures.splice(fail, 1);
        return send(f!.status, f!.body);
      }
      const p = url.pathname;
      if (p === '/api/v1/qe/sync/') {
        return send(200, { status: 'ok', experiments: [] }, { 'ig-set-password-encryption-key-id': '41', 'ig-set-password-encryption-pub-key': Buffer.from(this.publicKeyPem).toString('base64') });
      }
      if (p === '/api/v1/accounts/login/' && this.loggedInUser) {
        return send(200, { logged_in_user: this.loggedInUser, status: 'ok' }, { 'ig-set-authorization': 'Bearer IGT:2:eyJkc191c2VyX2lkIjoiNDAxMTIyMzM0NCIsInNlc3Npb25pZCI6IjQwMTEyMjMzNDQlM0FhYmMifQ==' });
      }
      if (p === '/api/v1/direct_v2/inbox/' || p === '/api/v1/direct_v2/pending_inbox/') {
        const threads = p.includes('pending') ? this.pending : this.inbox;
        const body: DirectInboxFeedResponse = {
          inbox: { threads, has_older: false, unseen_count: threads.length, unseen_count_ts: '0', oldest_cursor: '', blended_inbox_enabled: false },
          seq_id: 1,
          snapshot_at_ms: Date.now(),
          pending_requests_total: this.pending.length,
          most_recent_inviter: { pk: 1, username: '', full_name: '', is_private: false, profile_pic_url: '', profile_pic_id: '', is_verified: false, has_anonymous_profile_picture: false },
          status: 'ok',
        };
        return send(200, body);
      }
      const approve = /^\/api\/v1\/direct_v2\/threads\/([^/]+)\/approve\/$/.exec(p);
      if (approve) {
        const i = this.pending.findIndex((t) => t.thread_id === approve[1]);
        if (i >= 0) this.inbox.unshift(...this.pending.splice(i, 1).map((t) => ({ ...t, pending: false })));
        return send(200, { status: 'ok' });
      }
      if (p === '/api/v1/direct_v2/threads/broadcast/text/' || p === '/api/v1/direct_v2/threads/broadcast/link/') return send(200, { status: 'ok', action: 'item_ack', status_code: '200' });
      const thread = /^\/api\/v1\/direct_v2\/threads\/([^/]+)\/$/.exec(p);
      if (thread) {
        const t = [...this.inbox, ...this.pending].find((x) => x.thread_id === thread[1]);
        if (!t) return send(404, { message: 'Thread not found', status: 'fail' });
        const items = this.threadItems.get(t.thread_id) ?? [];
        const body = { thread: { ...t, items, has_older: false, oldest_cursor: '', prev_cursor: '', last_seen_at: {} }, status: 'ok' } as unknown as DirectThreadFeedResponse;
        return send(200, body);
      }
      return send(404, { message: `not emulated: ${p}`, status: 'fail' });
    });
  }

  /** Texts the client sent with broadcast/text, with their thread ids. */
  sentTexts(): { threadIds: string[]; text: string }[] {
    return this.requests
      .filter((r) => r.path === '/api/v1/direct_v2/threads/broadcast/text/')
      .map((r) => ({ threadIds: JSON.parse(r.form.get('thread_ids') ?? '[]') as string[], text: r.form.get('text') ?? '' }));
  }

  /** Texts the client sent as link items (broadcast/link), with the links it named. */
  sentLinks(): { threadIds: string[]; text: string; urls: string[] }[] {
    return this.requests
      .filter((r) => r.path === '/api/v1/direct_v2/threads/broadcast/link/')
      .map((r) => ({ threadIds: JSON.parse(r.form.get('thread_ids') ?? '[]') as string[], text: r.form.get('link_text') ?? '', urls: JSON.parse(r.form.get('link_urls') ?? '[]') as string[] }));
  }
}
