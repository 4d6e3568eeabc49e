import { BufferJSON, jidNormalizedUser, proto, type WAMessage } from '@whiskeysockets/baileys';
import type { Complaint } from '@aduan/schema';
import type { Logger } from '@aduan/telemetry';
import { WhatsAppAdapter, type HandleOutcome } from './adapter.ts';
import { buildPipeline } from './pipeline.ts';

export interface ReplayOptions {
  /** Lazily opened (a generator): a readline interface created early loses lines while the pipeline starts. */
  lines: AsyncIterable<string> | Iterable<string>;
  /** Our number the messages were received on (E.164). */
  account: string;
  redisUrl: string;
  prefix: string;
  spoolDir: string;
  inboxSpoolDir: string;
  attachmentDir: string;
  maxMediaBytes: number;
  /** Messages of one sender further apart than this (by message time) are separate complaints. */
  quietMs: number;
  ticketPrefix: string;
  logger: Logger;
  /** Messages in flight at once (order per sender is always kept). */
  concurrency?: number;
  onComplaint?: (c: Complaint, outcome: 'queued' | 'spooled') => void;
}

export interface ReplaySummary {
  lines: number;
  malformed: number;
  outcomes: Record<HandleOutcome, number>;
  complaints: number;
  notifications: number;
  ingestMs: number;
  closeMs: number;
}

/** One line -> a WebMessageInfo. Accepts proto toJSON() output and Baileys BufferJSON alike. */
export function parseLine(line: string): WAMessage {
  const obj = JSON.parse(line, BufferJSON.reviver) as unknown;
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new Error('not a JSON object');
  const msg = proto.WebMessageInfo.fromObject(obj as Record<string, unknown>) as WAMessage;
  if (!msg.key) throw new Error('no key');
  // Not a protobuf field, so fromObject drops it: the sender's other id (see message-mapper.ts), when the line has it.
  const alt = (obj as { key?: { remoteJidAlt?: unknown } }).key?.remoteJidAlt;
  if (typeof alt === 'string') msg.key.remoteJidAlt = alt;
  return msg;
}

/** Replay has no phone to ask for a re-upload; an expired media URL stays expired. */
const noReupload = {
  updateMediaMessage: async (): Promise<WAMessage> => {
    throw new Error('media re-upload is not available in replay');
  },
};

/**
 * Runs recorded messages through the same adapter, inbox and conversation engine as live
 * traffic (transport 'replay'), then closes every conversation the file touched. Running the
 * same file twice queues nothing new: message ids dedupe and complaint ids are deterministic.
 */
export async function replay(o: ReplayOptions): Promise<ReplaySummary> {
  let complaints = 0;
  let notifications = 0;
  const pipeline = await buildPipeline({
    redisUrl: o.redisUrl,
    prefix: o.prefix,
    spoolDir: o.spoolDir,
    inboxSpoolDir: o.inboxSpoolDir,
    attachmentDir: o.attachmentDir,
    transport: 'replay',
    quietMs: o.quietMs,
    maxOpenMs: Number.MAX_SAFE_INTEGER / 4,
    ticketPrefix: o.ticketPrefix,
    logger: o.logger,
    sweep: false,
    onComplaint: (c, outcome) => {
      complaints++;
      o.onComplaint?.(c, outcome);
    },
    onNotification: () => {
      notifications++;
    },
  });
  const adapter = new WhatsAppAdapter({ account: o.account, inbox: pipeline.inbox, storage: pipeline.storage, maxMediaBytes: o.maxMediaBytes, logger: o.logger });
  const outcomes: Record<HandleOutcome, number> = { ingested: 0, spooled: 0, rejected: 0, ignored: 0, failed: 0, left: 0 };
  const senders = new Set<string>();
  const window = o.concurrency ?? 256;
  const inflight = new Set<Promise<void>>();
  let lines = 0;
  let malformed = 0;
  const started = Date.now();
  try {
    for await (const raw of o.lines) {
      const line = raw.trim();
      if (!line) continue;
      lines++;
      let msg: WAMessage;
      try {
        msg = parseLine(line);
      } catch (err) {
        malformed++;
        // The parser's message may quote the line (personal data): log only where and what kind.
        o.logger.warn({ line: lines, err: (err as Error).name }, 'replay: malformed line skipped');
        continue;
      }
      for (const jid of [msg.key.remoteJid, msg.key.remoteJidAlt]) if (jid && jidNormalizedUser(jid)) senders.add(jidNormalizedUser(jid));
      const p: Promise<void> = adapter.handle(msg, noReupload).then((outcome) => {
        outcomes[outcome]++;
        inflight.delete(p);
      });
      inflight.add(p);
      if (inflight.size >= window) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    await adapter.idle();
    const ingestMs = Date.now() - started;
    const closing = Date.now();
    const all = [...senders];
    for (let i = 0; i < all.length; i += window) {
      // Where the engine keyed them: a phone-number JID linked to a LID goes into the LID's conversation.
      await Promise.all(all.slice(i, i + window).map(async (jid) => pipeline.engine.close(await pipeline.engine.conversationOf('whatsapp', o.account, jid))));
    }
    if (pipeline.inbox.spooled > 0) o.logger.warn({ spooled: pipeline.inbox.spooled }, 'replay: Redis unreachable for some messages; they stay in the inbox spool for the next run');
    return { lines, malformed, outcomes, complaints, notifications, ingestMs, closeMs: Date.now() - closing };
  } finally {
    await pipeline.close();
  }
}
