import { createHash } from 'node:crypto';
import { jidNormalizedUser, type BaileysEventMap, type WAMessage } from '@whiskeysockets/baileys';
import { truncateText, type AcceptOutcome, type ChatMessageInput, type DurableInbox, type FailedMedia } from '@aduan/conversation';
import type { Notification } from '@aduan/schema';
import type { AttachmentStorage } from '@aduan/storage';
import type { Logger } from '@aduan/telemetry';
import { KeyedSerial } from './keyed-serial.ts';
import { MediaUnavailableError, storeMedia, type MediaUnavailableReason } from './media.ts';
import type { JournalEntry, MessageJournal } from './message-journal.ts';
import { mapMessage } from './message-mapper.ts';
import { waMetrics } from './metrics.ts';
import type { WaSocketLike } from './socket.ts';

export interface AdapterOptions {
  /** Our number (E.164): Complaint.source.account. */
  account: string;
  inbox: Pick<DurableInbox, 'accept'>;
  storage: AttachmentStorage;
  maxMediaBytes: number;
  logger: Logger;
  /** Called with each citizen message time (health: last message at). */
  onMessage?: (at: Date) => void;
  /**
   * Live messages (attach) are written here the moment they arrive, before their media are
   * downloaded, and forgotten once the inbox has them: WhatsApp has already marked them delivered.
   */
  journal?: Pick<MessageJournal, 'record'>;
  /**
   * Queues a notice to a citizen on notify.whatsapp (jobId deterministic): the adapter's own, for
   * what the citizen sent that never reaches the conversation (a "sekali lihat" photo).
   */
  notify?: (n: Notification, jobId: string) => Promise<unknown>;
}

/** What handling a message needs of the socket: a media re-upload, and our own ids when known (a quote of our message). */
type MediaSocket = Pick<WaSocketLike, 'updateMediaMessage'> & Partial<Pick<WaSocketLike, 'user'>>;

export type HandleOutcome = AcceptOutcome | 'ignored' | 'failed' | 'left';

/** Live: journal it now. Recovered: already in the journal. */
type Journaling = { kind: 'none' } | { kind: 'record' } | { kind: 'recovered'; entry: JournalEntry };

/** Same horizon as the conversation engine's message-id memory (7 days). */
const MAX_APPEND_AGE_MS = 7 * 86_400_000;

function tooOld(msg: WAMessage): boolean {
  const t = msg.messageTimestamp;
  const seconds = typeof t === 'number' ? t : t ? Number(t.toString()) : 0;
  return seconds > 0 && Date.now() - seconds * 1000 > MAX_APPEND_AGE_MS;
}

/**
 * A "sekali lihat" (view-once) photo or video reaches a linked device as an empty shell (WhatsApp
 * keeps it on phones): unanswered, the citizen would think it was sent with the complaint.
 */
export const VIEW_ONCE_NOTICE = 'Maaf, foto atau video *sekali lihat* tidak dapat kami buka. Mohon kirim ulang sebagai foto atau video biasa.';

/** Why a medium was not stored, as the conversation engine knows it (our storage failing: as a failed download, sent again). */
const FAILED_REASON: Record<MediaUnavailableReason | 'store-failed', FailedMedia['reason']> = {
  'too-big': 'too-big',
  'download-failed': 'download-failed',
  'store-failed': 'download-failed',
  'unreadable-metadata': 'unreadable',
  'unsupported-format': 'unsupported',
};

/**
 * Turns Baileys messages into ChatMessages for the conversation engine. Live traffic comes via
 * attach(sock) (messages.upsert) and is journaled first; messages a previous run left in the
 * journal come back via resume(); the replay command calls handle() directly. Nothing here may
 * throw into Baileys' event loop: every message is handled inside its own try/catch.
 */
export class WhatsAppAdapter {
  private readonly serial = new KeyedSerial();
  /** Set by stop() when its grace period ran out: what is still queued stays in the journal. */
  private abandoned = false;
  /** The messages in hand: each one's own time (ms), by a number of its own. */
  private readonly inHand = new Map<number, number>();
  private handed = 0;
  private appendAt = 0;

  private readonly opts: AdapterOptions;

  constructor(opts: AdapterOptions) {
    this.opts = opts;
  }

  /**
   * Messages taken from the socket (or the journal) and not yet handed to the inbox: mapping is
   * synchronous, so a message Baileys has emitted is either counted here or already in the inbox
   * (conversation store or inbox spool).
   */
  get inFlight(): number {
    return this.inHand.size;
  }

  /**
   * The own time (ms) of the oldest message in hand, or undefined when none is. Every message
   * emitted so far that is older is in the inbox: delivery is reported up to just before it.
   */
  get oldestInHand(): number | undefined {
    let oldest: number | undefined;
    for (const at of this.inHand.values()) if (oldest === undefined || at < oldest) oldest = at;
    return oldest;
  }

  /** When (our clock, ms) the socket last handed over offline messages ('append'); 0: never. */
  get lastAppendAt(): number {
    return this.appendAt;
  }

  /** Listens on the socket; returns the function that removes the listener again. */
  attach(sock: WaSocketLike): () => void {
    const listener = (ev: BaileysEventMap['messages.upsert']) => {
      // 'notify' = live messages. 'append' = our own sends (skipped as fromMe) but also the
      // messages citizens sent while we were offline (Baileys marks offline delivery 'append'):
      // those are complaints too, unless they are older than the dedupe memory.
      if (ev.type === 'append') this.appendAt = Date.now();
      for (const msg of ev.messages) {
        if (ev.type === 'append' && tooOld(msg)) {
          waMetrics().messages.inc({ outcome: 'ignored', reason: 'too-old' });
          continue;
        }
        // Journaled before anything awaits (receive() appends synchronously, in arrival order).
        void this.receive(msg, sock);
      }
    };
    sock.ev.on('messages.upsert', listener);
    return () => sock.ev.off('messages.upsert', listener);
  }

  /** Maps, downloads media, and hands the message to the inbox, in order per sender (replay: no journal). */
  handle(msg: WAMessage, sock: MediaSocket): Promise<HandleOutcome> {
    return this.process(msg, sock, { kind: 'none' });
  }

  /** A live message: journaled at once, then handled like handle(). */
  receive(msg: WAMessage, sock: MediaSocket): Promise<HandleOutcome> {
    return this.process(msg, sock, this.opts.journal ? { kind: 'record' } : { kind: 'none' });
  }

  /** A message a previous run journaled and did not finish; its entry is done once the inbox has it. */
  resume(msg: WAMessage, sock: MediaSocket, entry: JournalEntry): Promise<HandleOutcome> {
    return this.process(msg, sock, { kind: 'recovered', entry });
  }

  private process(msg: WAMessage, sock: MediaSocket, journaling: Journaling): Promise<HandleOutcome> {
    const m = waMetrics();
    const recovered = journaling.kind === 'recovered' ? journaling.entry : undefined;
    let mapped: ReturnType<typeof mapMessage>;
    try {
      mapped = mapMessage(msg, this.opts.account, [sock.user?.id, sock.user?.lid]);
    } catch (err) {
      m.messages.inc({ outcome: 'failed', reason: 'map-error' });
      this.opts.logger.warn({ err: (err as Error).message }, 'could not map a WhatsApp message; skipped');
      recovered?.done();
      return Promise.resolve('failed');
    }
    if (mapped.type === 'ignore') {
      m.messages.inc({ outcome: 'ignored', reason: mapped.reason.startsWith('unsupported:') ? 'unsupported' : mapped.reason });
      if (mapped.reason.startsWith('unsupported:')) this.opts.logger.info({ reason: mapped.reason }, 'unsupported WhatsApp message type skipped');
      recovered?.done();
      if (mapped.reason === 'view-once') return this.answerViewOnce(msg).then(() => 'ignored');
      return Promise.resolve('ignored');
    }
    const { draft, media } = mapped;
    // Only citizens' messages are journaled (not our own sends, groups, reactions...).
    const entry = journaling.kind === 'record' ? this.opts.journal?.record(this.opts.account, msg) : recovered;
    let outcome: HandleOutcome = 'failed';
    const handle = ++this.handed;
    this.inHand.set(handle, Date.parse(draft.at));
    // One lane per citizen as far as the message tells: the phone-number JID whenever it gives one
    // (also as a LID's alternate), so a photo still downloading is not overtaken by the "kirim" the
    // same citizen sent under their other id.
    return this.serial
      .run(draft.senderAlt ?? draft.senderId, async () => {
        if (this.abandoned) return void (outcome = 'left');
        try {
          await entry?.written;
          const input: ChatMessageInput = { ...draft, attachments: [] };
          if (media) {
            try {
              input.attachments = [{ ...(await storeMedia(msg, media, sock, { storage: this.opts.storage, maxBytes: this.opts.maxMediaBytes, logger: this.opts.logger })), ...(draft.text ? { caption: truncateText(draft.text, 2000) } : {}) }];
              m.media.inc({ outcome: 'stored' });
            } catch (err) {
              const reason = err instanceof MediaUnavailableError ? err.reason : 'store-failed';
              m.media.inc({ outcome: reason });
              this.opts.logger.warn({ reason, kind: media.kind, err: (err as Error).message }, 'media not stored; the message goes on without it');
              // Data, not a note in the text: the engine notes it in the complaint and asks the citizen to send it again.
              input.failedMedia = [{ kind: media.kind, reason: FAILED_REASON[reason] }];
            }
          }
          // Shutting down and past the grace period (a slow download): the journal keeps it for the next start.
          if (this.abandoned) return void (outcome = 'left');
          outcome = await this.opts.inbox.accept(input);
          entry?.done();
          m.messages.inc({ outcome, reason: media ? media.kind : input.location ? 'location' : input.contacts ? 'contact' : input.edits ? 'edit' : input.revokes ? 'revoke' : 'text' });
          this.opts.onMessage?.(new Date(draft.at));
        } catch (err) {
          // The inbox could not even spool (disk full): log without content, keep the socket alive.
          m.messages.inc({ outcome: 'failed', reason: 'accept-error' });
          this.opts.logger.error({ err: (err as Error).message }, 'WhatsApp message could not be kept');
        }
      })
      .finally(() => this.inHand.delete(handle))
      .then(() => outcome);
  }

  /** Asks the citizen to send a "sekali lihat" photo or video again as an ordinary one; once per message. */
  private async answerViewOnce(msg: WAMessage): Promise<void> {
    if (!this.opts.notify) return;
    const to = jidNormalizedUser(msg.key.remoteJid!);
    const n: Notification = { schemaVersion: 1, channel: 'whatsapp', account: this.opts.account, to, kind: 'guide', text: VIEW_ONCE_NOTICE, createdAt: new Date().toISOString() };
    const jobId = `guide-${createHash('sha256').update(['view-once', this.opts.account, msg.key.id].join('\u0000')).digest('hex').slice(0, 40)}`;
    try {
      await this.opts.notify(n, jobId);
    } catch (err) {
      this.opts.logger.warn({ err: (err as Error).message }, 'notice for a view-once photo not queued');
    }
  }

  /** Resolves when every message handed over so far is done (replay, shutdown). */
  idle(): Promise<void> {
    return this.serial.idle();
  }

  /**
   * Shutdown: waits up to `graceMs` for the messages in hand, then leaves the rest (a download
   * that takes its full minute, the messages queued behind it) to the journal, which the next
   * start takes them from. Without a journal it waits for all of them, as idle() does.
   */
  async stop(graceMs: number): Promise<void> {
    if (!this.opts.journal) return this.idle();
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([this.idle().then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs)))]);
    clearTimeout(timer);
    if (!late) return;
    this.abandoned = true;
    this.opts.logger.warn({ account: this.opts.account, senders: this.serial.size, graceMs }, 'messages still in hand at shutdown are left in the journal for the next start');
  }
}
