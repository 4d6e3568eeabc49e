import { describe, expect, it } from 'vitest';
import { proto } from '@whiskeysockets/baileys';
import { mimeFor } from './media.ts';
import { mapMessage } from './message-mapper.ts';
import { waMessage } from './test-support/fake-socket.ts';

const ACCOUNT = '+6281100000000';
const base = (message: proto.IMessage, key: Partial<proto.IMessageKey> & Record<string, unknown> = {}) =>
  waMessage({ key: { remoteJid: '6281234567890@s.whatsapp.net', fromMe: false, id: 'ABC', ...key }, messageTimestamp: 1_767_240_000, pushName: ' Siti ', message });

describe('mapMessage', () => {
  it('maps a text into the channel-neutral draft with E.164 phone and push name', () => {
    const m = mapMessage(base({ conversation: 'jalan rusak' }), ACCOUNT);
    expect(m).toEqual({
      type: 'message',
      media: null,
      draft: {
        channel: 'whatsapp', account: ACCOUNT, senderId: '6281234567890@s.whatsapp.net', threadId: '6281234567890@s.whatsapp.net',
        messageId: 'ABC', at: '2026-01-01T04:00:00.000Z', reporter: { name: 'Siti', phone: '+6281234567890' }, text: 'jalan rusak',
      },
    });
  });

  it('cuts an overlong text, quote or name between characters, never inside an emoji', () => {
    const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    // The 5,000th UTF-16 unit is the first half of an emoji.
    const long = `${'a'.repeat(4_999)}🙏 lanjut`;
    const m = mapMessage(waMessage({ key: { remoteJid: '6281234567890@s.whatsapp.net', fromMe: false, id: 'LONG' }, messageTimestamp: 1_767_240_000, pushName: `${'b'.repeat(119)}😊`, message: { extendedTextMessage: { text: long, contextInfo: { stanzaId: 'Q1', quotedMessage: { conversation: `${'c'.repeat(1_999)}🙏` } } } } }), ACCOUNT);
    if (m.type !== 'message') throw new Error('not mapped');
    for (const s of [m.draft.text, m.draft.reporter?.name, m.draft.quoted?.text]) {
      expect(s).toBeDefined();
      expect(lone.test(s!)).toBe(false);
    }
    expect(m.draft.text!.length).toBeLessThanOrEqual(5_000);
  });

  it('unwraps disappearing and view-once messages', () => {
    const eph = mapMessage(base({ ephemeralMessage: { message: { extendedTextMessage: { text: 'pesan sementara' } } } }), ACCOUNT);
    expect(eph.type === 'message' && eph.draft.text).toBe('pesan sementara');
    const once = mapMessage(base({ viewOnceMessageV2: { message: { imageMessage: { mimetype: 'image/jpeg', caption: 'sekali lihat' } } } }), ACCOUNT);
    expect(once.type === 'message' && once.media).toEqual({ kind: 'image', mimeType: 'image/jpeg' });
  });

  it('takes the phone from the alternate JID when the chat is a LID', () => {
    const msg = base({ conversation: 'halo' }, { remoteJid: '123456789012345@lid' });
    (msg.key as { remoteJidAlt?: string }).remoteJidAlt = '6281234567890@s.whatsapp.net';
    const m = mapMessage(msg, ACCOUNT);
    expect(m.type === 'message' && m.draft).toMatchObject({ senderId: '123456789012345@lid', reporter: { phone: '+6281234567890' } });
    const noAlt = mapMessage(base({ conversation: 'halo' }, { remoteJid: '123456789012345@lid' }), ACCOUNT);
    expect(noAlt.type === 'message' && noAlt.draft.reporter).toEqual({ name: 'Siti' });
  });

  it('keys the sender on the LID whenever the message gives one, with the phone-number JID as its alternate; replies go to the chat as given', () => {
    const PN = '6281234567890@s.whatsapp.net';
    const LID = '123456789012345@lid';
    const ids = (remoteJid: string, remoteJidAlt?: string) => {
      const msg = base({ conversation: 'halo' }, { remoteJid });
      // Not a protobuf field: Baileys 7 adds it to the decoded key.
      if (remoteJidAlt) (msg.key as { remoteJidAlt?: string }).remoteJidAlt = remoteJidAlt;
      const m = mapMessage(msg, ACCOUNT);
      if (m.type !== 'message') throw new Error('not mapped');
      return [m.draft.senderId, m.draft.senderAlt, m.draft.threadId, m.draft.reporter?.phone];
    };
    expect(ids(PN)).toEqual([PN, undefined, PN, '+6281234567890']);
    expect(ids(PN, LID)).toEqual([LID, PN, PN, '+6281234567890']);
    expect(ids(PN, '123456789012345:3@lid')).toEqual([LID, PN, PN, '+6281234567890']);
    expect(ids(LID, PN)).toEqual([LID, PN, LID, '+6281234567890']);
    expect(ids(LID)).toEqual([LID, undefined, LID, undefined]);
    expect(ids(PN, 'bukan-jid')).toEqual([PN, undefined, PN, '+6281234567890']);
  });

  it('hands contact cards over as cards, not as words of the citizen (alone, they make no complaint)', () => {
    const card = (displayName: string | undefined, tel: string) => ({ ...(displayName ? { displayName } : {}), vcard: `BEGIN:VCARD\nVERSION:3.0\nFN:x\n${tel}\nEND:VCARD` });
    const one = mapMessage(base({ contactMessage: card(' Pak RT 03 ', 'TEL;type=CELL;waid=6285700000001:+62 857-0000-0001') }), ACCOUNT);
    expect(one.type === 'message' && one.draft).toMatchObject({ contacts: [{ name: 'Pak RT 03', phone: '+6285700000001' }] });
    expect(one.type === 'message' && one.draft.text).toBeUndefined();
    const many = mapMessage(base({ contactsArrayMessage: { contacts: [card('Bu RW', 'TEL:0812-3456-7800'), card(undefined, 'TEL:+62 8'), card(undefined, 'TEL:12')] } }), ACCOUNT);
    // A number too short to be one is left out; a card with nothing left is no card.
    expect(many.type === 'message' && many.draft.contacts).toEqual([{ name: 'Bu RW', phone: '081234567800' }]);
    expect(mapMessage(base({ contactMessage: card(undefined, 'TEL:+1') }), ACCOUNT)).toEqual({ type: 'ignore', reason: 'empty-contact' });
  });

  it('says why it ignores a message, without throwing on odd shapes', () => {
    expect(mapMessage(base({ stickerMessage: { mimetype: 'image/webp' } }), ACCOUNT)).toEqual({ type: 'ignore', reason: 'sticker' });
    expect(mapMessage(base({}), ACCOUNT)).toEqual({ type: 'ignore', reason: 'empty' });
    expect(mapMessage(base({ conversation: '   ' }), ACCOUNT)).toEqual({ type: 'ignore', reason: 'empty-text' });
    expect(mapMessage(base({ protocolMessage: { type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT, key: { id: 'X' } } }), ACCOUNT)).toEqual({ type: 'ignore', reason: 'edit-without-text' });
    expect(mapMessage({ key: { remoteJid: '6281234567890@s.whatsapp.net' } } as never, ACCOUNT)).toEqual({ type: 'ignore', reason: 'no-id' });
    expect(mapMessage(base({ locationMessage: { degreesLatitude: 123, degreesLongitude: 5 } }), ACCOUNT)).toEqual({ type: 'ignore', reason: 'bad-location' });
  });
  it('keeps what a malformed client sends within the contract (found by message-mapper.fuzz.test.ts)', () => {
    // NaN passes `Math.abs(x) > 90`; the engine then refused the whole message.
    expect(mapMessage(base({ locationMessage: { degreesLatitude: Number.NaN, degreesLongitude: 112.1 } }), ACCOUNT)).toEqual({ type: 'ignore', reason: 'bad-location' });
    // A uint64 timestamp of -1 arrives as 1.8e19 seconds: toISOString() threw.
    const wild = waMessage({ key: { remoteJid: '6281234567890@s.whatsapp.net', fromMe: false, id: 'T1' }, messageTimestamp: -1, message: { conversation: 'halo' } });
    const at = mapMessage(wild, ACCOUNT);
    expect(at.type === 'message' && Math.abs(Date.parse(at.draft.at) - Date.now())).toBeLessThan(60_000);
    // An edit is cut to the 5,000 characters of any text.
    const edit = mapMessage(base({ protocolMessage: { type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT, key: { id: 'ABC' }, editedMessage: { conversation: 'x'.repeat(6000) } } }), ACCOUNT);
    expect(edit.type === 'message' && edit.draft.text?.length).toBe(5000);
  });

  it('keeps only a real type/subtype of the sender\'s declared media type', () => {
    expect(mimeFor(undefined, { kind: 'image', mimeType: '' })).toBe('application/octet-stream');
    expect(mimeFor(undefined, { kind: 'document', mimeType: 'application/pdf; name=x' })).toBe('application/pdf');
    expect(mimeFor('image/png', { kind: 'image', mimeType: 'x' })).toBe('image/png');
  });
});
