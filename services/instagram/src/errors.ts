/** Errors of this adapter: each an Error subclass with a stable `code`. */
import type { FailedMedia } from '@aduan/conversation';

/** Another process already holds this account (DESIGN: one process per account). */
export class AccountLockedError extends Error {
  readonly code = 'ADUAN_ERR_IG_LOCKED';
  constructor(account: string) {
    super(`instagram account "${account}" is already served by another process (Redis lock held); stop it first`);
    this.name = 'AccountLockedError';
  }
}

/** Instagram asks for a code (two-factor or checkpoint): an operator must submit it. */
export class CodeRequiredError extends Error {
  readonly code = 'ADUAN_ERR_IG_CODE_REQUIRED';
  readonly kind: 'two_factor' | 'checkpoint';
  constructor(kind: 'two_factor' | 'checkpoint') {
    super(`instagram login needs a ${kind === 'two_factor' ? 'two-factor' : 'checkpoint (challenge)'} code from an operator`);
    this.kind = kind;
    this.name = 'CodeRequiredError';
  }
}

/** No login challenge is waiting for a code. */
export class NoPendingChallengeError extends Error {
  readonly code = 'ADUAN_ERR_IG_NO_CHALLENGE';
  constructor() {
    super('no instagram login challenge is waiting for a code');
    this.name = 'NoPendingChallengeError';
  }
}

/** No session in Redis (or Instagram ended it) and no password configured. */
export class NoCredentialsError extends Error {
  readonly code = 'ADUAN_ERR_IG_NO_CREDENTIALS';
  constructor(sessionGone = false) {
    super(
      sessionGone
        ? 'instagram ended the session and INSTAGRAM_PASSWORD is not set: the saved session is kept; set the password and restart, or stop the service and run `pnpm --filter @aduan/instagram login --force`'
        : 'no saved instagram session and INSTAGRAM_PASSWORD is not set: run `pnpm --filter @aduan/instagram login` or set the password',
    );
    this.name = 'NoCredentialsError';
  }
}

/**
 * A poll or a send to Instagram went past its deadline (a connection that trickles, or hangs
 * where the request timeout does not reach): given up, and retried after a back-off.
 */
export class InstagramTimeoutError extends Error {
  readonly code = 'ADUAN_ERR_IG_TIMEOUT';
  constructor(what: 'poll' | 'send', ms: number) {
    super(`instagram ${what} got no answer within ${Math.round(ms / 1000)} s`);
    this.name = 'InstagramTimeoutError';
  }
}

/**
 * A media file could not be downloaded, or will never be stored (too large, not media, metadata
 * that cannot be removed: `final`, so a download is not tried again for it). `reason` is what the
 * conversation engine tells the citizen (ChatMessage.failedMedia).
 */
export class MediaDownloadError extends Error {
  readonly code = 'ADUAN_ERR_IG_MEDIA';
  readonly final: boolean;
  readonly reason: FailedMedia['reason'];
  constructor(message: string, opts: { cause?: unknown; final?: boolean; reason?: FailedMedia['reason'] } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'MediaDownloadError';
    this.final = opts.final ?? false;
    this.reason = opts.reason ?? 'download-failed';
  }
}

/** A replay file line is not a valid record. */
export class ReplayLineError extends Error {
  readonly code = 'ADUAN_ERR_IG_REPLAY_LINE';
  readonly line: number;
  constructor(line: number, detail: string) {
    super(`replay line ${line}: ${detail}`);
    this.line = line;
    this.name = 'ReplayLineError';
  }
}
