import { Boom } from '@hapi/boom';
import { makeEventBuffer, proto, type AnyMessageContent, type BaileysEventMap, type WAMessage } from '@whiskeysockets/baileys';
import type { Logger } from '@aduan/telemetry';
import type { WaSocketLike } from '../socket.ts';

export interface FakeSocket extends WaSocketLike {
  sent: { jid: string; content: AnyMessageContent }[];
  presences: string[];
  ended: boolean;
  /** Make the next n sendMessage calls fail (network error). */
  failSends: number;
  /** Errors the next sendMessage calls throw, one each, before failSends is looked at (Baileys' own Boom errors). */
  sendErrors: Error[];
  reuploads: number;
  /** What updateMediaMessage returns (the phone's re-upload), by message id. */
  reupload: Map<string, WAMessage>;
  deliver(messages: WAMessage[], type?: BaileysEventMap['messages.upsert']['type']): void;
  /**
   * What makeWASocket emits for a linked number: connecting, open, and (unless `catchUp` is false)
   * the end of the offline catch-up; without it, call catchUp() later.
   */
  open(opts?: { catchUp?: boolean }): void;
  /** Baileys' "offline messages handed over": connection.update { receivedPendingNotifications: true }. */
  catchUp(): void;
  /**
   * The connection drops: what Baileys' end(error) does, connection.update { connection: 'close' }
   * and then ev.destroy(), which drops whatever the event buffer still holds.
   */
  closeWith(statusCode: number): void;
  /**
   * Messages Baileys holds in its event buffer during the offline catch-up (ev.buffer(), then
   * 'append' upserts): they reach the listeners only when the buffer is flushed.
   */
  buffered(messages: WAMessage[]): void;
}

/**
 * The Baileys seam for tests: Baileys' own event emitter (makeEventBuffer) plus recording
 * sendMessage/sendPresenceUpdate. Messages go through the real emitter as real
 * proto.WebMessageInfo objects, exactly as makeWASocket would deliver them.
 */
export function fakeSocket(logger: Logger, user = '6281100000000:7@s.whatsapp.net'): FakeSocket {
  const ev = makeEventBuffer(logger as never);
  let n = 0;
  let closed = false;
  // As Baileys' end(): once only; the close is told, then the emitter destroyed (listeners and buffer gone).
  const end = (error: Error | undefined) => {
    s.ended = true;
    if (closed) return;
    closed = true;
    ev.emit('connection.update', { connection: 'close', lastDisconnect: { error, date: new Date() } });
    ev.destroy();
  };
  const s: FakeSocket = {
    ev,
    user: { id: user },
    sent: [],
    presences: [],
    ended: false,
    failSends: 0,
    sendErrors: [],
    reuploads: 0,
    reupload: new Map(),
    sendMessage: async (jid: string, content: AnyMessageContent) => {
      const err = s.sendErrors.shift();
      if (err) throw err;
      if (s.failSends > 0) {
        s.failSends--;
        throw new Boom('Connection Closed', { statusCode: 428 });
      }
      s.sent.push({ jid, content });
      return proto.WebMessageInfo.fromObject({ key: { remoteJid: jid, fromMe: true, id: `OUT${++n}` }, message: { conversation: 'x' } }) as WAMessage;
    },
    sendPresenceUpdate: async (type: string) => {
      s.presences.push(type);
    },
    updateMediaMessage: async (msg: WAMessage) => {
      s.reuploads++;
      const fresh = s.reupload.get(msg.key.id ?? '');
      if (!fresh) throw new Boom('media not found', { statusCode: 404 });
      return fresh;
    },
    end: async (error?: Error) => end(error),
    deliver: (messages, type = 'notify') => {
      ev.emit('messages.upsert', { messages, type });
    },
    open: (opts = {}) => {
      ev.emit('connection.update', { connection: 'connecting', receivedPendingNotifications: false });
      ev.emit('connection.update', { connection: 'open' });
      if (opts.catchUp !== false) s.catchUp();
    },
    catchUp: () => {
      ev.emit('connection.update', { receivedPendingNotifications: true });
    },
    closeWith: (statusCode) => end(new Boom('Connection Failure', { statusCode })),
    buffered: (messages) => {
      ev.buffer();
      ev.emit('messages.upsert', { messages, type: 'append' });
    },
  } as FakeSocket;
  return s;
}

/** A real WebMessageInfo, through a protobuf encode/decode round trip like one off the wire. */
export function waMessage(obj: proto.IWebMessageInfo): WAMessage {
  const m = proto.WebMessageInfo.fromObject(obj);
  return proto.WebMessageInfo.decode(proto.WebMessageInfo.encode(m).finish()) as WAMessage;
}
