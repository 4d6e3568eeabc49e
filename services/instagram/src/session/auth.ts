import { IgCheckpointError, IgLoginTwoFactorRequiredError } from 'instagram-private-api';
import type { Logger } from '@aduan/telemetry';
import type { IgClientLike } from '../client/ig-client-like.ts';
import { safeErrMessage } from '../client/safe-error.ts';
import { CodeRequiredError, NoCredentialsError, NoPendingChallengeError } from '../errors.ts';
import type { SessionStore } from './session-store.ts';

export type AuthState = 'logged_out' | 'ready' | 'awaiting_code';

type Pending = { kind: 'two_factor'; identifier: string; method: '0' | '1' } | { kind: 'checkpoint' };

export interface AuthOptions {
  client: IgClientLike;
  store: SessionStore;
  username: string;
  password?: string;
  logger: Logger;
  /** How an operator submits a code, for the log line that asks for one. */
  codeHint: string;
  /** Save the session at most this often while polling (cookies roll over). */
  persistEveryMs?: number;
}

/**
 * The Instagram session's life: restore from Redis, log in only when there is no session or
 * Instagram says it is gone, and hold a two-factor or checkpoint challenge open until an
 * operator submits the code (admin endpoint or the `login` CLI).
 */
export class InstagramAuth {
  private pending: Pending | undefined;
  private lastPersist = 0;
  /** The client holds a session Instagram took last (restored, or logged in); not after it said it is gone. */
  private hasSession = false;
  state: AuthState = 'logged_out';

  private readonly opts: AuthOptions;

  constructor(opts: AuthOptions) {
    this.opts = opts;
    // A stable device per account: Instagram sees the same phone after every restart.
    opts.client.state.generateDevice(opts.username);
  }

  get pendingKind(): Pending['kind'] | undefined {
    return this.pending?.kind;
  }

  /**
   * A checkpoint met while polling may be cleared in the app ("This was me"): a poll tells. One
   * met at a login (or whose session went meanwhile) may not: without a session every poll is
   * answered login_required, and only the code (or a restart once it is cleared) ends it.
   */
  get canProbeCheckpoint(): boolean {
    return this.pending?.kind === 'checkpoint' && this.hasSession;
  }

  /** Restores the saved session, or logs in. Returns the state; 'awaiting_code' needs an operator. */
  async start(): Promise<AuthState> {
    if (await this.opts.store.restore(this.opts.client)) {
      this.opts.logger.info('instagram session restored from redis');
      this.state = 'ready';
      this.hasSession = true;
      return this.state;
    }
    return this.login();
  }

  /**
   * A fresh login with the password; a challenge leaves the state 'awaiting_code'. Never while a
   * code is awaited: Instagram would challenge that login too, and logins repeated during a
   * challenge get the account locked.
   */
  async login(): Promise<AuthState> {
    const { client, username, password, logger } = this.opts;
    if (this.pending) {
      this.state = 'awaiting_code';
      return this.state;
    }
    if (!password) throw new NoCredentialsError();
    this.hasSession = false;
    try {
      await client.account.login(username, password);
      await this.loggedIn();
    } catch (err) {
      if (err instanceof IgLoginTwoFactorRequiredError) {
        const info = err.response.body.two_factor_info;
        this.pending = { kind: 'two_factor', identifier: info.two_factor_identifier, method: info.totp_two_factor_on ? '0' : '1' };
        this.askForCode('two_factor', info.totp_two_factor_on ? 'authenticator app' : 'SMS');
      } else if (err instanceof IgCheckpointError) {
        await this.startCheckpoint();
      } else {
        logger.error({ err: safeErrMessage(err), errName: (err as Error).name }, 'instagram login failed');
        throw err;
      }
    }
    return this.state;
  }

  /** Instagram answered challenge_required: ask it to send a code, then wait. */
  async startCheckpoint(): Promise<void> {
    this.state = 'awaiting_code';
    // Already waiting: asking Instagram again would send the owner another code.
    if (this.pending?.kind === 'checkpoint') return;
    try {
      await this.opts.client.challenge.auto(true);
    } catch (err) {
      // The code can also be confirmed in the Instagram app ("This was me"); polling retries then.
      this.opts.logger.warn({ err: safeErrMessage(err) }, 'instagram did not start the challenge flow; confirm the login in the Instagram app');
    }
    this.pending = { kind: 'checkpoint' };
    this.askForCode('checkpoint', 'email or SMS');
  }

  /** A poll went through while a checkpoint waited: it was confirmed in the app ("This was me"). */
  async checkpointCleared(): Promise<void> {
    if (this.pending?.kind !== 'checkpoint') return;
    this.pending = undefined;
    this.opts.logger.info('instagram checkpoint cleared without a code');
    await this.loggedIn();
  }

  /**
   * The session is really gone (login_required, logged out): forget it and log in again. Not
   * while a code is awaited (see login), and not without a password: the saved session is then
   * kept (it may yet be taken again; deleted, only the login command could bring the service back).
   */
  async relogin(): Promise<AuthState> {
    const { logger, password, codeHint } = this.opts;
    if (this.pending) {
      this.hasSession = false;
      this.state = 'awaiting_code';
      logger.warn({ challenge: this.pending.kind }, `instagram session is gone while a code is awaited; no password login until it comes. Submit it: ${codeHint}`);
      return this.state;
    }
    if (!password) {
      const err = new NoCredentialsError(true);
      logger.error({ code: err.code }, err.message);
      throw err;
    }
    logger.warn('instagram session is gone; logging in again');
    await this.opts.store.clear();
    this.state = 'logged_out';
    return this.login();
  }
  async submitCode(code: string): Promise<AuthState> {
    const p = this.pending;
    if (!p) throw new NoPendingChallengeError();
    const clean = code.replace(/\s+/g, '');
    if (p.kind === 'two_factor') {
      await this.opts.client.account.twoFactorLogin({
        username: this.opts.username,
        verificationCode: clean,
        twoFactorIdentifier: p.identifier,
        verificationMethod: p.method,
        trustThisDevice: '1',
      });
    } else {
      await this.opts.client.challenge.sendSecurityCode(clean);
    }
    this.pending = undefined;
    await this.loggedIn();
    return this.state;
  }

  /** Saves the (rolling) session state; throttled unless forced. */
  async persist(force = false): Promise<void> {
    const every = this.opts.persistEveryMs ?? 300_000;
    if (!force && Date.now() - this.lastPersist < every) return;
    await this.opts.store.save(this.opts.client);
    this.lastPersist = Date.now();
  }

  private async loggedIn(): Promise<void> {
    this.state = 'ready';
    this.hasSession = true;
    await this.persist(true);
    this.opts.logger.info('instagram login succeeded; session saved to redis');
  }

  private askForCode(kind: Pending['kind'], via: string): void {
    this.state = 'awaiting_code';
    this.opts.logger.warn(
      { challenge: kind },
      `instagram needs a ${kind === 'two_factor' ? 'two-factor' : 'security (checkpoint)'} code sent by ${via}. Submit it: ${this.opts.codeHint}`,
    );
  }

  /** For callers that must not proceed without a session. */
  assertReady(): void {
    if (this.state === 'awaiting_code') throw new CodeRequiredError(this.pending?.kind ?? 'checkpoint');
  }
}
