import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WAMessage } from '@whiskeysockets/baileys';
import { ChatMessage } from '@aduan/conversation';
import { Attachment } from '@aduan/schema';
import { mimeFor } from './media.ts';
import { mapMessage } from './message-mapper.ts';
import { waMessage } from './test-support/fake-socket.ts';

/**
 * Property: whatever a WhatsApp client sends (built and round-tripped through Baileys' own
 * protobuf classes, as messages arrive), mapMessage either ignores it with a reason or returns a
 * draft the conversation engine accepts. A draft the engine refuses is a message dropped with
 * only a log line: the citizen's words lost.
 */
const ACCOUNT = '+6281100000000';

const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('', ' ', 'jalan rusak di depan pasar', 'x'.repeat(6000), '\u0000', '\ud800'));
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const degrees = fc.oneof(fc.double(), fc.double({ min: -180, max: 180, noNaN: true }), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0));
const media = fc.record({ mimetype: maybe(fc.constantFrom('image/jpeg', 'audio/ogg; codecs=opus', '', 'x', 'a'.repeat(300))), caption: maybe(text), fileName: maybe(text), fileLength: maybe(fc.oneof(fc.nat(), fc.constant(-1))) }, { requiredKeys: [] });
const quoted = fc.record({ stanzaId: maybe(fc.string({ maxLength: 300 })), quotedMessage: maybe(fc.record({ conversation: text })) }, { requiredKeys: [] });

const leaf: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  text.map((t) => ({ conversation: t })),
  fc.record({ text, contextInfo: maybe(quoted) }).map((m) => ({ extendedTextMessage: m })),
  fc.constantFrom('imageMessage', 'videoMessage', 'audioMessage', 'documentMessage', 'stickerMessage').chain((k) => media.map((m) => ({ [k]: m }))),
  fc.record({ degreesLatitude: maybe(degrees), degreesLongitude: maybe(degrees), name: maybe(text), address: maybe(text) }, { requiredKeys: [] }).chain((l) => fc.constantFrom({ locationMessage: l }, { liveLocationMessage: l })),
  fc.record({ displayName: maybe(text), vcard: maybe(fc.oneof(text, fc.constantFrom('BEGIN:VCARD\nTEL;waid=6281234567890:+62 812-3456-7890\nEND:VCARD', 'TEL:+62 812 3456'))) }, { requiredKeys: [] }).map((c) => ({ contactMessage: c })),
  fc.record({ type: fc.constantFrom(0, 14, 3), key: maybe(fc.record({ id: maybe(fc.string({ maxLength: 300 })) }, { requiredKeys: [] })), editedMessage: maybe(fc.record({ conversation: text })) }, { requiredKeys: [] }).map((p) => ({ protocolMessage: p })),
  fc.record({ text: maybe(text) }, { requiredKeys: [] }).map((r) => ({ reactionMessage: r })),
);
const content = fc.oneof({ weight: 4, arbitrary: leaf }, { weight: 1, arbitrary: leaf.chain((m) => fc.constantFrom({ ephemeralMessage: { message: m } }, { viewOnceMessageV2: { message: m } })) });

const message = fc.record({
  key: fc.record({
    remoteJid: fc.oneof(fc.constantFrom('6281234567890@s.whatsapp.net', '123456789012345@lid', '120363000000000000@g.us', 'status@broadcast', '', '@s.whatsapp.net'), fc.string({ maxLength: 30 })),
    remoteJidAlt: maybe(fc.constantFrom('6281234567890@s.whatsapp.net', 'bukan-jid')),
    fromMe: fc.boolean(),
    id: maybe(fc.oneof(fc.constantFrom('3EB0C7A1B2C3D4E5F6'), fc.string({ maxLength: 300 }))),
  }, { requiredKeys: ['remoteJid', 'fromMe'] }),
  messageTimestamp: maybe(fc.oneof(fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }), fc.integer(), fc.constant(0))),
  pushName: maybe(text),
  message: maybe(content),
}, { requiredKeys: ['key'] });

/** As a message arrives: encoded and decoded by Baileys' protobuf classes (key.remoteJidAlt is Baileys' own addition, not on the wire). */
function received(raw: Record<string, unknown>): WAMessage {
  const { remoteJidAlt, ...key } = raw.key as Record<string, unknown>;
  const msg = waMessage({ ...raw, key });
  if (remoteJidAlt) (msg.key as { remoteJidAlt?: unknown }).remoteJidAlt = remoteJidAlt;
  return msg;
}

/** What the media step (storeMedia) makes of a media part whose bytes do not sniff: the sender's declared type. */
const attachmentFor = (media: NonNullable<Extract<ReturnType<typeof mapMessage>, { type: 'message' }>['media']>) => ({ kind: media.kind, mimeType: mimeFor(undefined, media), bytes: 1, sha256: 'a'.repeat(64), storageKey: `aa/${'a'.repeat(64)}`, ...(media.fileName ? { fileName: media.fileName } : {}) });

describe('mapMessage under arbitrary WhatsApp messages', () => {
  it('ignores with a reason, or returns a draft the conversation engine accepts', () => {
    fc.assert(
      fc.property(message, (raw) => {
        const mapped = mapMessage(received(raw), ACCOUNT);
        if (mapped.type === 'ignore') {
          expect(mapped.reason).toMatch(/^[a-z:-]+[A-Za-z]*$/);
          return;
        }
        const attachments = mapped.media ? [attachmentFor(mapped.media)] : [];
        for (const a of attachments) expect(Attachment.safeParse(a).success, JSON.stringify(a)).toBe(true);
        const parsed = ChatMessage.safeParse({ ...mapped.draft, attachments });
        expect(parsed.success, JSON.stringify(parsed.error?.issues.map((i) => i.path.join('.') + ': ' + i.message))).toBe(true);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 2000) },
    );
  });
});
