import type { Logger } from '@aduan/telemetry';
import { challengeFailure, classifyIgError, withJitter, type BackoffPolicy, type IgFailure } from '../client/classify-error.ts';
import { safeErrMessage } from '../client/safe-error.ts';
import { InstagramTimeoutError } from '../errors.ts';
import type { ConnectionState, IgMetrics } from '../metrics.ts';
import type { InstagramAuth } from '../session/auth.ts';
import type { Poller, PollReport } from './poller.ts';

/** Poll failures that hold the sends: Instagram throttling or flagging the whole account, or a session gone with no password. */
const HOLD_SENDS: ReadonlySet<string> = new Set(['rate_limited', 'spam', 'blocked', 'no_credentials']);

/** A poll cycle not over by then is given up (INSTAGRAM_POLL_TIMEOUT's default). */
export const DEFAULT_POLL_TIMEOUT_MS = 5 * 60_000;

/** Late by the poll timeout and this much more, a poll is overdue: the loop is stuck. */
const OVERDUE_SLACK_MS = 2 * 60_000;

export interface PollLoopOptions {
  poller: Poller;
  auth: InstagramAuth;
  logger: Logger;
  metrics: IgMetrics;
  intervalMs: number;
  /** +-fraction of random jitter on every wait. */
  jitter: number;
  backoff?: BackoffPolicy;
  /**
   * A poll not over by then is given up and backed off from like a network error. The request
   * timeout ends a call that goes silent, not one whose answer trickles in for ever.
   */
  pollTimeoutMs?: number;
  random?: () => number;
  now?: () => number;
}

export interface LoopStatus {
  state: ConnectionState;
  lastPollAt?: string;
  lastSuccessAt?: string;
  nextPollAt?: string;
  consecutiveFailures: number;
  lastFailure?: { action: IgFailure['action']; reason: string; at: string };
}

/**
 * Polls on an interval with jitter; after an error waits as the error's class says
 * (classifyIgError), relogs in only when Instagram says the session is gone, and pauses
 * while a challenge waits for an operator. One cycle at a time, never overlapping.
 */
export class PollLoop {
  readonly status: LoopStatus = { state: 'starting', consecutiveFailures: 0 };
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private challengeRetryAt = 0;
  /** Called after each cycle (tests, replay): report or the failure decision. */
  onCycle?: (r: { report?: PollReport; failure?: IgFailure; delayMs: number }) => void;

  private readonly opts: PollLoopOptions;

  constructor(opts: PollLoopOptions) {
    this.opts = opts;
  }

  /** `state`: what to report until the first cycle (e.g. 'backoff' after a failed login at start). */
  start(initialDelayMs = 0, state?: ConnectionState): void {
    this.stopped = false;
    if (state) this.setState(state);
    // The login at start ended waiting for a code (a checkpoint): counted as a failure like one a poll met.
    if (this.opts.auth.state === 'awaiting_code') this.awaitCode(false);
    this.schedule(initialDelayMs);
  }

  /**
   * Starts after the login at start failed: the first try waits as long as a poll failing the
   * same way would (a wrong password is not tried again for an hour: trying it soon gets the
   * account locked), and the status says why (`/healthz`'s `lastFailure`), not only the log.
   */
  startAfterFailure(err: unknown): void {
    const failure = this.noteFailure(err);
    this.start(withJitter(failure.delayMs, this.opts.jitter, this.opts.random), failure.action === 'challenge' ? 'awaiting_code' : 'backoff');
  }

  /** Counts a failure (a poll's, or the login's at start): what it calls for, kept in the status. */
  private noteFailure(err: unknown): IgFailure {
    this.status.consecutiveFailures++;
    return this.record(classifyIgError(err, this.status.consecutiveFailures, this.opts.backoff));
  }

  /** What the status says of the last failure (`/healthz`'s lastFailure) and the metrics count. */
  private record(failure: IgFailure): IgFailure {
    this.status.lastFailure = { action: failure.action, reason: failure.reason, at: new Date(this.now()).toISOString() };
    this.opts.metrics.backoffs.inc({ reason: failure.reason });
    return failure;
  }

  /**
   * A login ended waiting for a code. A checkpoint's back-off starts now, whichever login met
   * it: before, only a poll that met one set it, so a checkpoint met at a re-login was looked at
   * again at the next cycle, without a session, and every cycle after logged in with the password
   * again. Returns the wait before the next cycle.
   */
  private awaitCode(counted: boolean): number {
    this.setState('awaiting_code');
    const interval = withJitter(this.opts.intervalMs, this.opts.jitter, this.opts.random);
    if (this.opts.auth.pendingKind !== 'checkpoint') return interval;
    if (!counted) this.status.consecutiveFailures++;
    const failure = this.record(challengeFailure(Math.max(1, this.status.consecutiveFailures), this.opts.backoff));
    const delayMs = withJitter(failure.delayMs, this.opts.jitter, this.opts.random);
    this.challengeRetryAt = this.now() + delayMs;
    return delayMs;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private setState(s: ConnectionState): void {
    this.status.state = s;
    this.opts.metrics.setState(s);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.status.nextPollAt = new Date(this.now() + delayMs).toISOString();
    this.timer = setTimeout(() => {
      this.running = this.cycle()
        .then((next) => this.schedule(next))
        .finally(() => (this.running = undefined));
    }, delayMs);
  }

  /** Runs one cycle now and returns the wait before the next; the timer schedules it. */
  async cycle(): Promise<number> {
    const { auth, metrics, logger } = this.opts;
    let delayMs = withJitter(this.opts.intervalMs, this.opts.jitter, this.opts.random);
    const now = () => this.now();
    // A checkpoint met while polling may be cleared in the Instagram app: probe once its back-off
    // is over. One without a session, or a two-factor login, needs the code.
    const probe = auth.state === 'awaiting_code' && auth.canProbeCheckpoint && now() >= this.challengeRetryAt;
    if (auth.state === 'awaiting_code' && !probe) {
      this.setState('awaiting_code');
      return delayMs;
    }
    this.status.lastPollAt = new Date(now()).toISOString();
    try {
      if (auth.state === 'logged_out') {
        this.setState('relogin');
        if ((await auth.login()) !== 'ready') return this.awaitCode(false);
      }
      const report = await this.pollWithin();
      if (probe) await auth.checkpointCleared();
      this.status.consecutiveFailures = 0;
      this.status.lastSuccessAt = new Date().toISOString();
      this.setState('connected');
      metrics.polls.inc({ outcome: 'ok' });
      metrics.lastSuccess.set(Math.floor(now() / 1000));
      await auth.persist().catch((err: Error) => logger.warn({ err: err.message }, 'could not save the instagram session'));
      if (report.items.ingested > 0 || report.approved > 0) logger.info({ ...report.items, threads: report.threads, approved: report.approved }, 'instagram poll');
      this.onCycle?.({ report, delayMs });
    } catch (err) {
      const failure = this.noteFailure(err);
      delayMs = withJitter(failure.delayMs, this.opts.jitter, this.opts.random);
      metrics.polls.inc({ outcome: 'error' });
      logger.warn({ reason: failure.reason, action: failure.action, errName: (err as Error).name, err: safeErrMessage(err), retryInMs: delayMs }, 'instagram poll failed; backing off');
      if (failure.action === 'challenge') this.challengeRetryAt = now() + delayMs;
      this.setState(failure.action === 'challenge' || probe ? 'awaiting_code' : 'backoff');
      delayMs = await this.react(failure, delayMs);
      this.onCycle?.({ failure, delayMs });
    }
    return delayMs;
  }

  /**
   * The poll within its deadline. Given up, it is told to stop at its next step (it may be
   * waiting on a call that never ends): nothing it reads after that is taken.
   */
  private async pollWithin(): Promise<PollReport> {
    const ms = this.opts.pollTimeoutMs ?? DEFAULT_POLL_TIMEOUT_MS;
    const abort = new AbortController();
    const poll = this.opts.poller.pollOnce(abort.signal);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new InstagramTimeoutError('poll', ms)), ms);
    });
    try {
      return await Promise.race([poll, deadline]);
    } catch (err) {
      if (err instanceof InstagramTimeoutError) {
        abort.abort(err);
        // How the poll left behind ends is of no interest; unheard, it would be an unhandled rejection.
        poll.catch(() => {});
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Acts on a poll's failure; returns the wait before the next cycle, longer when the re-login failed too. */
  private async react(failure: IgFailure, delayMs: number): Promise<number> {
    const { auth, logger } = this.opts;
    try {
      if (failure.action === 'challenge') await auth.startCheckpoint();
      if (failure.action === 'relogin') {
        this.setState('relogin');
        if ((await auth.relogin()) === 'awaiting_code') return this.awaitCode(true);
      }
    } catch (err) {
      // Its own failure decides the wait: a wrong password is not tried again for an hour, and
      // without a password an operator must act (the log line says what to do).
      const again = this.record(classifyIgError(err, this.status.consecutiveFailures, this.opts.backoff));
      this.setState('backoff');
      logger.error({ reason: again.reason, errName: (err as Error).name, err: safeErrMessage(err) }, 'instagram re-login failed; will retry after the back-off');
      return Math.max(delayMs, withJitter(again.delayMs, this.opts.jitter, this.opts.random));
    }
    return delayMs;
  }

  /**
   * Whether messages may be sent now: the session is ready, and the last poll was not answered
   * with a rate limit, a spam flag (feedback_required) or a block. Instagram counts sends and
   * reads against one account: sending on while it says "wait" is what gets an account blocked.
   * Held until a poll goes through again.
   */
  canSend(): boolean {
    if (this.opts.auth.state !== 'ready') return false;
    const held = this.status.state === 'backoff' && HOLD_SENDS.has(this.status.lastFailure?.reason ?? '');
    return !held;
  }

  /**
   * The next poll is long overdue: a cycle is stuck where no deadline reaches (a login whose
   * answers trickle in, a call that never returns). /healthz answers 503: a restart helps.
   */
  pollOverdue(): boolean {
    if (this.stopped || !this.status.nextPollAt) return false;
    const late = this.now() - Date.parse(this.status.nextPollAt);
    return late > (this.opts.pollTimeoutMs ?? DEFAULT_POLL_TIMEOUT_MS) + OVERDUE_SLACK_MS;
  }

  /** Polls as soon as possible (after an operator submitted a code), never overlapping a running cycle. */
  pollSoon(): void {
    if (!this.running) this.schedule(0);
  }

  /** Stops scheduling and waits for a running cycle to finish (SIGTERM). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    this.setState('stopped');
  }
}
