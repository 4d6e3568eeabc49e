import type { BaileysEventMap, WAMessage } from '@whiskeysockets/baileys';
import type { AcceptOutcome, ChatMessageInput, DurableInbox } from '@aduan/conversation';
import type { AttachmentStorage } from '@aduan/storage';
import type { Logger } from '@aduan/telemetry';
import { KeyedSerial } from './keyed-serial.ts';
import { MediaUnavailableError, storeMedia } from './media.ts';
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
}

export type HandleOutcome = AcceptOutcome | 'ignored' | 'failed';

/** Same horizon as the conversation engine's message-id memory (7 days). */
const MAX_APPEND_AGE_MS = 7 * 86_400_000;

function tooOld(msg: WAMessage): boolean {
  const t = msg.messageTimestamp;
  const seconds = typeof t === 'number' ? t : t ? Number(t.toString()) : 0;
  return seconds > 0 && Date.now() - seconds * 1000 > MAX_APPEND_AGE_MS;
}

const KIND_WORD: Record<string, string> = { image: 'foto', video: 'video', audio: 'pesan suara', document: 'dokumen' };

/**
 * Turns Baileys messages into ChatMessages for the conversation engine. Live traffic comes via
 * attach(sock) (messages.upsert); the replay command calls handle() directly. Nothing here may
 * throw into Baileys' event loop: every message is handled inside its own try/catch.
 */
export class WhatsAppAdapter {
  private readonly serial = new KeyedSerial();

  private readonly opts: AdapterOptions;

  constructor(opts: AdapterOptions) {
    this.opts = opts;
  }

  /** Listens on the socket; returns the function that removes the listener again. */
  attach(sock: WaSocketLike): () => void {
    const listener = (ev: BaileysEventMap['messages.upsert']) => {
      // 'notify' = live messages. 'append' = our own sends (skipped as fromMe) but also the
      // messages citizens sent while we were offline (Baileys marks offline delivery 'append'):
      // those are complaints too, unless they are older than the dedupe memory.
      for (const msg of ev.messages) {
        if (ev.type === 'append' && tooOld(msg)) {
          waMetrics().messages.inc({ outcome: 'ignored', reason: 'too-old' });
          continue;
        }
        void this.handle(msg, sock);
      }
    };
    sock.ev.on('messages.upsert', listener);
    return () => sock.ev.off('messages.upsert', listener);
  }

  /** Maps, downloads media, and hands the message to the inbox, in order per sender. */
  handle(msg: WAMessage, sock: Pick<WaSocketLike, 'updateMediaMessage'>): Promise<HandleOutcome> {
    const m = waMetrics();
    let mapped: ReturnType<typeof mapMessage>;
    try {
      mapped = mapMessage(msg, this.opts.account);
    } catch (err) {
      m.messages.inc({ outcome: 'failed', reason: 'map-error' });
      this.opts.logger.warn({ err: (err as Error).message }, 'could not map a WhatsApp message; skipped');
      return Promise.resolve('failed');
    }
    if (mapped.type === 'ignore') {
      m.messages.inc({ outcome: 'ignored', reason: mapped.reason.startsWith('unsupported:') ? 'unsupported' : mapped.reason });
      if (mapped.reason.startsWith('unsupported:')) this.opts.logger.info({ reason: mapped.reason }, 'unsupported WhatsApp message type skipped');
      return Promise.resolve('ignored');
    }
    const { draft, media } = mapped;
    let outcome: HandleOutcome = 'failed';
    return this.serial
      .run(draft.senderId, async () => {
        try {
          const input: ChatMessageInput = { ...draft, attachments: [] };
          if (media) {
            try {
              input.attachments = [{ ...(await storeMedia(msg, media, sock, { storage: this.opts.storage, maxBytes: this.opts.maxMediaBytes, logger: this.opts.logger })), ...(draft.text ? { caption: draft.text.slice(0, 2000) } : {}) }];
              m.media.inc({ outcome: 'stored' });
            } catch (err) {
              const reason = err instanceof MediaUnavailableError ? err.reason : 'store-failed';
              m.media.inc({ outcome: reason });
              this.opts.logger.warn({ reason, kind: media.kind, err: (err as Error).message }, 'media not stored; the message goes on without it');
              const note = `[${KIND_WORD[media.kind] ?? 'lampiran'} tidak dapat diunduh]`;
              // Within the message's 5,000 characters: a long caption must not get the whole message refused.
              input.text = draft.text ? `${draft.text.slice(0, 5000 - note.length - 1)}\n${note}` : note;
            }
          }
          outcome = await this.opts.inbox.accept(input);
          m.messages.inc({ outcome, reason: media ? media.kind : input.location ? 'location' : input.edits ? 'edit' : input.revokes ? 'revoke' : 'text' });
          this.opts.onMessage?.(new Date(draft.at));
        } catch (err) {
          // The inbox could not even spool (disk full): log without content, keep the socket alive.
          m.messages.inc({ outcome: 'failed', reason: 'accept-error' });
          this.opts.logger.error({ err: (err as Error).message }, 'WhatsApp message could not be kept');
        }
      })
      .then(() => outcome);
  }

  /** Resolves when every message handed over so far is done (replay, shutdown). */
  idle(): Promise<void> {
    return this.serial.idle();
  }
}
