import { proto, type WAMessage } from '@whiskeysockets/baileys';
import { Spool, type SpoolRecord } from '@aduan/queue';
import type { Logger } from '@aduan/telemetry';

/** The `queue` field of a journal record (the journal reuses the spool's file format). */
const RECEIVED = 'whatsapp.received';

/** One message in the journal, from its arrival until it is kept elsewhere. */
export interface JournalEntry {
  /** Resolves once the record is on disk (fsync'd): true, or false when it could not be written (logged). Never rejects. */
  readonly written: Promise<boolean>;
  /** The message is kept where a crash cannot lose it (conversation store or inbox spool): the journal may forget it. */
  done(): void;
}

export interface RecoveredMessage {
  account: string;
  msg: WAMessage;
  entry: JournalEntry;
}

export interface MessageJournalOptions {
  /** A directory of its own (one process per directory, like every spool). */
  dir: string;
  logger: Logger;
  /** Finished records are removed from disk at the latest this often (default 30 s), and soon after all are finished. */
  compactIntervalMs?: number;
}

/**
 * A received message as a journal record's data: the WebMessageInfo as protobuf JSON (bytes as
 * base64, 64-bit numbers as strings), and its key as Baileys gave it, which carries fields the
 * protobuf drops (`remoteJidAlt`: the phone number of a `@lid` chat).
 */
export function encodeMessage(account: string, msg: WAMessage): { account: string; key: Record<string, unknown>; message: Record<string, unknown> } {
  return { account, key: { ...msg.key }, message: proto.WebMessageInfo.fromObject(msg).toJSON() };
}

export function decodeMessage(data: unknown): { account: string; msg: WAMessage } {
  const d = data as { account?: unknown; key?: unknown; message?: unknown } | null;
  if (!d || typeof d.account !== 'string' || !d.key || typeof d.key !== 'object' || !d.message || typeof d.message !== 'object') throw new Error('not a journal record');
  const msg = proto.WebMessageInfo.fromObject(d.message as Record<string, unknown>) as WAMessage;
  msg.key = { ...(d.key as WAMessage['key']) };
  return { account: d.account, msg };
}

/**
 * WhatsApp marks a message delivered (Baileys sends the receipt) before it hands the message to
 * us; after that, WhatsApp never sends it again. So every citizen message is appended to this
 * fsync'd journal the moment it arrives, before its media are downloaded (up to a minute), and is
 * forgotten once it is kept for good (conversation store in Redis, or the inbox spool). A process
 * that is killed, or that gives up on a slow download at shutdown, leaves its unfinished messages
 * here, and the next start takes them again, in the order they arrived; the conversation engine's
 * message-id dedupe makes a message taken twice harmless.
 *
 * The file format and its guarantees (group commit, torn last line, directory lock, fsync'd
 * names) are the spool's (`@aduan/queue` Spool). Records are never rewritten: finished ones are
 * dropped a whole file at a time, once no record in the file is still open.
 */
export class MessageJournal {
  private readonly spool: Spool;
  /** Open records by id (`<account>/<message id>`), counted: a redelivered message is journaled twice. */
  private readonly open = new Map<string, number>();
  private compacting: Promise<void> | undefined;
  private soon: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  /** recover() or start() ran: the directory is ours to tidy on close. */
  private used = false;
  private readonly opts: MessageJournalOptions;

  constructor(opts: MessageJournalOptions) {
    this.opts = opts;
    this.spool = new Spool(opts.dir);
  }

  get dir(): string {
    return this.spool.dir;
  }

  /** Messages taken and not yet kept elsewhere. */
  get openCount(): number {
    let n = 0;
    for (const c of this.open.values()) n += c;
    return n;
  }

  /**
   * The messages a previous run left unfinished, oldest first, each once. Call before the first
   * record() (it takes every file in the directory). Records of a number not in `accounts` (taken
   * off WA_NUMBERS since) are set aside in `quarantine.bad` in the journal directory.
   */
  async recover(accounts: ReadonlySet<string>): Promise<RecoveredMessage[]> {
    this.used = true;
    const out: RecoveredMessage[] = [];
    const seen = new Set<string>();
    let setAside = 0;
    for (const file of await this.spool.rotate()) {
      for await (const rec of Spool.records(file, () => this.opts.logger.error({ file }, 'WhatsApp journal line is no record: skipped'))) {
        if (rec.queue !== RECEIVED || seen.has(rec.jobId)) continue;
        seen.add(rec.jobId);
        let decoded: { account: string; msg: WAMessage };
        try {
          decoded = decodeMessage(rec.data);
        } catch (err) {
          this.opts.logger.error({ err: (err as Error).name }, 'WhatsApp journal record unreadable: set aside');
          await this.spool.quarantine(rec);
          continue;
        }
        if (!accounts.has(decoded.account)) {
          setAside++;
          await this.spool.quarantine(rec);
          continue;
        }
        this.hold(rec.jobId);
        out.push({ ...decoded, entry: this.entry(rec.jobId, Promise.resolve(true)) });
      }
    }
    if (setAside > 0) this.opts.logger.warn({ count: setAside, file: `${this.dir}/quarantine.bad` }, 'journaled messages of a number this process does not serve were set aside');
    return out;
  }

  /** Starts removing finished records from disk (after recover()). */
  start(): void {
    this.used = true;
    this.timer = setInterval(() => {
      if (this.dirty) void this.compact();
    }, this.opts.compactIntervalMs ?? 30_000);
    this.timer.unref();
    this.compactSoon();
  }

  /**
   * Appends a message. Synchronous up to the write: a message is in the journal's next group
   * commit as soon as this returns, so call it before anything that awaits.
   */
  record(account: string, msg: WAMessage): JournalEntry {
    const id = `${account}/${msg.key.id ?? ''}`;
    let record: SpoolRecord;
    try {
      record = { queue: RECEIVED, jobId: id, data: encodeMessage(account, msg), spooledAt: new Date().toISOString() };
    } catch (err) {
      this.opts.logger.error({ err: (err as Error).name }, 'WhatsApp message could not be journaled (not encodable); it goes on unprotected from a crash');
      return { written: Promise.resolve(false), done: () => {} };
    }
    this.hold(id);
    this.dirty = true;
    const written = this.spool.append(record).then(
      () => true,
      (err: Error) => {
        this.opts.logger.error({ err: err.message }, 'WhatsApp message could not be journaled; it goes on unprotected from a crash');
        return false;
      },
    );
    return this.entry(id, written);
  }

  private hold(id: string): void {
    this.open.set(id, (this.open.get(id) ?? 0) + 1);
  }

  private entry(id: string, written: Promise<boolean>): JournalEntry {
    let finished = false;
    return {
      written,
      done: () => {
        if (finished) return;
        finished = true;
        const n = (this.open.get(id) ?? 1) - 1;
        if (n > 0) this.open.set(id, n);
        else this.open.delete(id);
        if (this.open.size === 0) this.compactSoon();
      },
    };
  }

  /** Everything finished: drop the files within a second (once a second at most, however busy). */
  private compactSoon(): void {
    if (this.soon || !this.timer) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      void this.compact();
    }, 1_000);
    this.soon.unref();
  }

  /**
   * Closes the current file and removes every journal file none of whose records is still open.
   * A file with an open record (a download still running) stays and is looked at again later.
   */
  compact(): Promise<void> {
    this.compacting ??= (async () => {
      try {
        this.dirty = false;
        for (const file of await this.spool.rotate()) {
          let busy = false;
          // Read to the end (no early break): a generator left half-read keeps its file open.
          for await (const rec of Spool.records(file)) busy ||= this.open.has(rec.jobId);
          if (busy) this.dirty = true;
          else await Spool.remove(file);
        }
      } catch (err) {
        this.dirty = true;
        this.opts.logger.warn({ err: (err as Error).message }, 'WhatsApp journal: finished records not removed yet; trying again later');
      } finally {
        this.compacting = undefined;
      }
    })();
    return this.compacting;
  }

  /** Writes what is pending and lets the directory go; records still open stay for the next start. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.soon);
    this.timer = undefined;
    this.soon = undefined;
    await this.compacting;
    if (this.used && this.open.size === 0) await this.compact();
    await this.spool.close();
  }
}
