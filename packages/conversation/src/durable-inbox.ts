import { Spool } from '@aduan/queue';
import type { Logger } from '@aduan/telemetry';
import type { ChatMessageInput } from './chat-message.ts';
import type { ConversationEngine } from './engine.ts';
import { ConversationUnavailableError, InvalidChatMessageError } from './errors.ts';

export interface DurableInboxOptions {
  engine: Pick<ConversationEngine, 'ingest'>;
  /** A directory of its own (not the producer's SPOOL_DIR: one process per spool directory). */
  spoolDir: string;
  logger: Logger;
  /** Retry the spooled messages this often while there are any (default 1 s). */
  drainIntervalMs?: number;
  /** Give up on Redis for one message after this long and spool it (default 2 s). */
  ingestTimeoutMs?: number;
}

export type AcceptOutcome = 'ingested' | 'spooled' | 'rejected';

/**
 * The front door for chat messages. A message the engine cannot take because Redis is down
 * is appended to an fsync'd spool and fed to the engine again, in order, when Redis answers;
 * while the spool holds messages, new ones queue behind them so a sender's burst keeps its
 * order. Redelivery of a spooled message is harmless: the engine dedupes on the message id.
 */
export class DurableInbox {
  private readonly spool: Spool;
  private backlog = 0;
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<number> | undefined;

  private readonly opts: DurableInboxOptions;

  constructor(opts: DurableInboxOptions) {
    this.opts = opts;
    this.spool = new Spool(opts.spoolDir);
  }

  /** Backlog from a previous run (crash while Redis was down) is picked up by start(). */
  async start(): Promise<void> {
    // Unreadable: the drain that follows says why; nothing is known to wait meanwhile.
    this.backlog = await this.spool.pendingCount().catch(() => 0);
    this.timer = setInterval(() => void this.drain().catch(() => 0), this.opts.drainIntervalMs ?? 1_000);
    this.timer.unref();
    if (this.backlog > 0) void this.drain().catch(() => 0);
  }

  get spooled(): number {
    return this.backlog;
  }

  async accept(msg: ChatMessageInput): Promise<AcceptOutcome> {
    if (this.backlog === 0) {
      try {
        await this.ingestWithTimeout(msg);
        return 'ingested';
      } catch (err) {
        if (err instanceof InvalidChatMessageError) {
          this.opts.logger.warn({ err: err.message }, 'chat message rejected');
          return 'rejected';
        }
        this.opts.logger.warn({ err: (err as Error).message }, 'conversation store unreachable: message spooled to disk');
      }
    }
    await this.spool.append({ queue: 'inbox', jobId: msg.messageId, data: msg, spooledAt: new Date().toISOString() });
    this.backlog++;
    return 'spooled';
  }

  private async ingestWithTimeout(msg: ChatMessageInput): Promise<void> {
    const ms = this.opts.ingestTimeoutMs ?? 2_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.opts.engine.ingest(msg),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new ConversationUnavailableError(new Error(`no answer within ${ms} ms`))), ms);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Feeds spooled messages to the engine; stops at the first failure and tries again later. */
  async drain(): Promise<number> {
    if (this.backlog === 0) return 0;
    this.draining ??= (async () => {
      try {
        let n = 0;
        for (const file of await this.spool.rotate()) {
          for await (const rec of Spool.records(file, () => this.opts.logger.error({ file }, 'inbox spool line is no record: skipped'))) {
            try {
              await this.ingestWithTimeout(rec.data as ChatMessageInput);
            } catch (err) {
              if (!(err instanceof InvalidChatMessageError)) throw err;
            }
            n++;
          }
          await Spool.remove(file);
        }
        this.backlog = await this.spool.pendingCount().catch(() => this.backlog);
        if (n > 0) this.opts.logger.info({ drained: n }, 'spooled chat messages fed to the conversation engine');
        return n;
      } finally {
        this.draining = undefined;
      }
    })();
    return this.draining;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.draining?.catch(() => 0);
    await this.spool.close();
  }
}
