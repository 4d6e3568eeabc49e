import type { AuthenticationState, BaileysEventMap } from '@whiskeysockets/baileys';
import type { Redis } from 'ioredis';
import type { Logger } from '@aduan/telemetry';
import type { WhatsAppAdapter } from './adapter.ts';
import { backoffMs, classifyDisconnect } from './disconnect.ts';
import { waMetrics } from './metrics.ts';
import { NumberLock } from './number-lock.ts';
import { useRedisAuthState, type RedisAuthState } from './redis-auth-state.ts';
import type { WaSocketLike } from './socket.ts';

export type SessionState = 'starting' | 'pairing' | 'connecting' | 'connected' | 'reconnecting' | 'logged_out' | 'fatal' | 'stopped';
const STATES: SessionState[] = ['starting', 'pairing', 'connecting', 'connected', 'reconnecting', 'logged_out', 'fatal', 'stopped'];

export interface SessionStatus {
  account: string;
  state: SessionState;
  lastMessageAt?: string;
  lastDisconnect?: string;
  reconnects: number;
  /** A linked session exists (creds registered): no QR/pairing code needed. */
  paired: boolean;
}

export interface SessionOptions {
  account: string;
  prefix: string;
  /** Connection for the auth state and the lock (role 'worker': waits through Redis blips). */
  redis: Redis;
  /** Builds a socket for the given auth state: makeWASocket in production, a seam in tests. */
  makeSocket: (auth: AuthenticationState) => WaSocketLike;
  adapter: WhatsAppAdapter;
  pairing: 'qr' | 'code';
  logger: Logger;
  /** Shows the operator a QR code or pairing code (stdout, not the log). */
  display: (what: { qr: string } | { pairingCode: string }) => void;
  backoff?: { baseMs?: number; maxMs?: number };
  lockTtlMs?: number;
}

/**
 * One WhatsApp number: lock, durable auth state, socket, and a calm reconnect loop. At most one
 * socket exists at a time; before a new one opens, the old one's listeners are removed and it
 * is ended. At most one reconnect is scheduled at a time, with exponential back-off and jitter.
 */
export class WhatsAppSession {
  private auth: RedisAuthState | undefined;
  private sock: WaSocketLike | undefined;
  private detach: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private stopped = false;
  private pairingRequested = false;
  private locked = false;
  /** When (our clock) the current socket said it had handed over what waited while we were offline; 0: not (yet). */
  private caughtUp = 0;
  private readonly lock: NumberLock;
  readonly status: SessionStatus;

  private readonly opts: SessionOptions;

  constructor(opts: SessionOptions) {
    this.opts = opts;
    this.status = { account: opts.account, state: 'starting', reconnects: 0, paired: false };
    this.lock = new NumberLock(opts.redis, opts.prefix, opts.account, {
      ...(opts.lockTtlMs ? { ttlMs: opts.lockTtlMs } : {}),
      onLost: () => {
        this.opts.logger.error({ account: opts.account }, 'lost the number lock to another process; stopping this session');
        void this.halt('fatal');
      },
    });
    this.setState('starting');
  }

  private setState(state: SessionState): void {
    this.status.state = state;
    // A session that never got the lock must not overwrite the metrics of the one that has it.
    if (!this.locked) return;
    const g = waMetrics().state;
    for (const s of STATES) g.set({ account: this.opts.account, state: s }, s === state ? 1 : 0);
  }

  noteMessage(at: Date): void {
    this.status.lastMessageAt = at.toISOString();
    waMetrics().lastMessage.set({ account: this.opts.account }, at.getTime() / 1000);
  }

  /** The socket, when it is connected and may send. */
  get socket(): WaSocketLike | undefined {
    return this.status.state === 'connected' ? this.sock : undefined;
  }

  /**
   * Since when (our clock, ms) the socket is open and has finished its offline catch-up
   * (Baileys: connection.update with receivedPendingNotifications: true): from then on WhatsApp
   * pushes messages live. Undefined while connecting, reconnecting or still catching up.
   */
  get caughtUpSince(): number | undefined {
    return this.status.state === 'connected' && this.caughtUp > 0 ? this.caughtUp : undefined;
  }

  /** acquire(), then connect(). */
  async start(): Promise<void> {
    await this.acquire();
    await this.connect();
  }

  /** Takes the number's lock: throws NumberLockedError when another process runs this number. */
  async acquire(): Promise<void> {
    if (this.locked) return;
    await this.lock.acquire();
    this.locked = true;
  }

  /** Opens the socket (after acquire()): from now on messages arrive. */
  async connect(): Promise<void> {
    await this.open();
  }

  private async open(): Promise<void> {
    if (this.stopped) return;
    const auth = await useRedisAuthState(this.opts.redis, this.opts.prefix, this.opts.account);
    // Stopped while the auth state was read (it waits for Redis while Redis is away): no socket
    // now, or it would take messages after the journal and the inbox closed.
    if (this.stopped) return;
    this.auth = auth;
    this.pairingRequested = false;
    this.status.paired = this.auth.registered;
    this.setState(this.auth.registered ? 'connecting' : 'pairing');
    this.caughtUp = 0;
    const sock = this.opts.makeSocket(auth.state);
    this.sock = sock;
    const onCreds = (update: BaileysEventMap['creds.update']) => {
      // makeWASocket merges the update into creds itself; merging again is harmless and keeps
      // the saved creds right whatever the order of listeners.
      Object.assign(auth.state.creds, update);
      auth.saveCreds().catch((err: Error) => this.opts.logger.error({ err: err.message }, 'could not persist WhatsApp creds'));
    };
    const onConnection = (u: BaileysEventMap['connection.update']) => void this.onConnection(sock, u);
    sock.ev.on('creds.update', onCreds);
    sock.ev.on('connection.update', onConnection);
    const detachAdapter = this.opts.adapter.attach(sock);
    this.detach = () => {
      sock.ev.off('creds.update', onCreds);
      sock.ev.off('connection.update', onConnection);
      detachAdapter();
    };
  }

  private async onConnection(sock: WaSocketLike, u: BaileysEventMap['connection.update']): Promise<void> {
    if (sock !== this.sock) return; // a late event from a socket already replaced
    if (u.qr) {
      this.setState('pairing');
      if (this.opts.pairing === 'code' && sock.requestPairingCode && !this.pairingRequested) {
        this.pairingRequested = true;
        try {
          const pairingCode = await sock.requestPairingCode(this.opts.account.replace(/^\+/, ''));
          this.opts.display({ pairingCode });
        } catch (err) {
          this.opts.logger.warn({ err: (err as Error).message }, 'pairing code request failed; scan the QR code instead');
          this.opts.display({ qr: u.qr });
        }
      } else if (this.opts.pairing === 'qr') {
        this.opts.display({ qr: u.qr });
      }
    }
    // Baileys: { connection: 'connecting', receivedPendingNotifications: false } when a socket
    // starts, { receivedPendingNotifications: true } once the offline messages are handed over.
    if (u.receivedPendingNotifications === false) this.caughtUp = 0;
    if (u.receivedPendingNotifications === true && this.caughtUp === 0) this.caughtUp = Date.now();
    if (u.connection === 'open') {
      this.attempt = 0;
      this.status.paired = true;
      this.setState('connected');
      this.opts.logger.info({ account: this.opts.account }, 'WhatsApp connected');
    }
    if (u.connection === 'close') {
      const decision = classifyDisconnect(u.lastDisconnect?.error);
      this.status.lastDisconnect = decision.reason;
      waMetrics().reconnects.inc({ account: this.opts.account, reason: decision.reason });
      this.opts.logger.warn({ account: this.opts.account, reason: decision.reason, action: decision.action }, 'WhatsApp connection closed');
      await this.teardown();
      if (this.stopped) return;
      if (decision.action === 'fatal') return void (await this.halt('fatal'));
      if (decision.action === 'relogin') {
        // A real logout: the session is dead on WhatsApp's side, so forget it and pair again.
        await this.auth?.clear();
        this.status.paired = false;
        this.setState('logged_out');
        this.schedule(backoffMs(0, this.opts.backoff));
        return;
      }
      this.setState('reconnecting');
      this.schedule(decision.immediate ? 0 : backoffMs(this.attempt++, this.opts.backoff));
    }
  }

  /** One reconnect at a time: a second request while one is pending is dropped. */
  private schedule(delayMs: number): void {
    if (this.timer || this.stopped) return;
    this.status.reconnects++;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.open().catch((err: Error) => {
        this.opts.logger.error({ err: err.message }, 'could not open the WhatsApp socket; retrying');
        this.setState('reconnecting');
        this.schedule(backoffMs(this.attempt++, this.opts.backoff));
      });
    }, delayMs);
  }

  /**
   * Removes our listeners from the current socket and ends it. What Baileys' event buffer still
   * holds (messages of its offline catch-up) is flushed to our listeners first: Baileys' end()
   * destroys the emitter and its buffer, and WhatsApp, which has its receipts, never sends those
   * messages again. The adapter journals them as they come, before anything awaits.
   */
  private async teardown(): Promise<void> {
    const sock = this.sock;
    this.sock = undefined;
    this.caughtUp = 0;
    sock?.ev.flush();
    this.detach?.();
    this.detach = undefined;
    if (sock) await sock.end(undefined).catch(() => {});
  }

  private async halt(state: 'fatal' | 'stopped'): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.teardown();
    this.setState(state);
  }

  /** disconnect(), then release(). */
  async stop(): Promise<void> {
    await this.disconnect();
    await this.release();
  }

  /** Ends the socket for good (no new messages); the number stays locked. */
  async disconnect(): Promise<void> {
    await this.halt('stopped');
  }

  /**
   * Gives the number's lock back (after disconnect()), for the next process: false when Redis
   * was away and the lock is left to expire (NumberLock.release).
   */
  async release(): Promise<boolean> {
    const released = this.locked ? await this.lock.release() : true;
    this.locked = false;
    return released;
  }
}
