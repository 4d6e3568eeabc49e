import type { Logger } from '@aduan/telemetry';
import { classifyIgError, withJitter, type BackoffPolicy, type IgFailure } from '../client/classify-error.ts';
import { safeErrMessage } from '../client/safe-error.ts';
import type { ConnectionState, IgMetrics } from '../metrics.ts';
import type { InstagramAuth } from '../session/auth.ts';
import type { Poller, PollReport } from './poller.ts';

/** Poll failures that mean Instagram is throttling or has flagged the whole account. */
const THROTTLED: ReadonlySet<string> = new Set(['rate_limited', 'spam', 'blocked']);

export interface PollLoopOptions {
  poller: Poller;
  auth: InstagramAuth;
  logger: Logger;
  metrics: IgMetrics;
  intervalMs: number;
  /** +-fraction of random jitter on every wait. */
  jitter: number;
  backoff?: BackoffPolicy;
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
    const failure = classifyIgError(err, this.status.consecutiveFailures, this.opts.backoff);
    this.status.lastFailure = { action: failure.action, reason: failure.reason, at: new Date().toISOString() };
    this.opts.metrics.backoffs.inc({ reason: failure.reason });
    return failure;
  }

  private setState(s: ConnectionState): void {
    this.status.state = s;
    this.opts.metrics.setState(s);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.status.nextPollAt = new Date(Date.now() + delayMs).toISOString();
    this.timer = setTimeout(() => {
      this.running = this.cycle()
        .then((next) => this.schedule(next))
        .finally(() => (this.running = undefined));
    }, delayMs);
  }

  /** Runs one cycle now and returns the wait before the next; the timer schedules it. */
  async cycle(): Promise<number> {
    const { auth, poller, metrics, logger } = this.opts;
    let delayMs = withJitter(this.opts.intervalMs, this.opts.jitter, this.opts.random);
    const now = this.opts.now ?? Date.now;
    // A checkpoint may be cleared in the Instagram app: probe once its back-off is over. A two-factor login needs the code.
    const probe = auth.state === 'awaiting_code' && auth.pendingKind === 'checkpoint' && now() >= this.challengeRetryAt;
    if (auth.state === 'awaiting_code' && !probe) {
      this.setState('awaiting_code');
      return delayMs;
    }
    this.status.lastPollAt = new Date().toISOString();
    try {
      if (auth.state === 'logged_out') {
        this.setState('relogin');
        if ((await auth.login()) !== 'ready') {
          this.setState('awaiting_code');
          return delayMs;
        }
      }
      const report = await poller.pollOnce();
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
      await this.react(failure);
      this.onCycle?.({ failure, delayMs });
    }
    return delayMs;
  }

  private async react(failure: IgFailure): Promise<void> {
    const { auth, logger } = this.opts;
    try {
      if (failure.action === 'challenge') await auth.startCheckpoint();
      if (failure.action === 'relogin') {
        this.setState('relogin');
        await auth.relogin();
      }
    } catch (err) {
      logger.error({ errName: (err as Error).name, err: safeErrMessage(err) }, 'instagram re-login failed; will retry after the back-off');
    }
  }

  /**
   * Whether messages may be sent now: the session is ready, and the last poll was not answered
   * with a rate limit, a spam flag (feedback_required) or a block. Instagram counts sends and
   * reads against one account: sending on while it says "wait" is what gets an account blocked.
   * Held until a poll goes through again.
   */
  canSend(): boolean {
    if (this.opts.auth.state !== 'ready') return false;
    const held = this.status.state === 'backoff' && THROTTLED.has(this.status.lastFailure?.reason ?? '');
    return !held;
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
