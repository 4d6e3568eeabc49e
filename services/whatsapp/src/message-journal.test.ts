import { randomBytes } from 'node:crypto';
import { proto, type WAMessage } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from './message-journal.ts';
import { mapMessage } from './message-mapper.ts';
import { ACCOUNT } from './test-support/harness.ts';

describe('a journal record of a received message', () => {
  it('gives back the message as Baileys delivered it: media keys, timestamp, and the phone number of an @lid chat', () => {
    const mediaKey = randomBytes(32);
    // Shaped like Baileys 7's decodeMessageNode output: a plain object whose key carries fields
    // the protobuf does not know (remoteJidAlt: the sender's phone number for a LID chat).
    const live = {
      key: { remoteJid: '123456789012345@lid', remoteJidAlt: '6281234567890@s.whatsapp.net', fromMe: false, id: '3EB0AA11', addressingMode: 'lid' },
      messageTimestamp: 1_767_240_000,
      pushName: 'Siti Aminah',
      broadcast: false,
      message: proto.Message.fromObject({ imageMessage: { url: 'https://mmg.whatsapp.net/x', mimetype: 'image/jpeg', caption: 'jukir liar', mediaKey, fileLength: 123_456, fileSha256: randomBytes(32) } }),
    } as WAMessage;
    const line = JSON.stringify(encodeMessage(ACCOUNT, live));
    const { account, msg } = decodeMessage(JSON.parse(line));
    expect(account).toBe(ACCOUNT);
    expect(Buffer.from(msg.message!.imageMessage!.mediaKey!)).toEqual(mediaKey);
    expect(Number(msg.message!.imageMessage!.fileLength)).toBe(123_456);
    expect(msg.key).toMatchObject({ remoteJidAlt: '6281234567890@s.whatsapp.net', addressingMode: 'lid' });
    expect(mapMessage(msg, ACCOUNT)).toEqual(mapMessage(live, ACCOUNT));
    expect(mapMessage(msg, ACCOUNT)).toMatchObject({ type: 'message', draft: { reporter: { phone: '+6281234567890', name: 'Siti Aminah' }, text: 'jukir liar' } });
  });

  it('refuses what is not one', () => {
    for (const bad of [null, {}, { account: ACCOUNT }, { account: ACCOUNT, key: {}, message: 'x' }]) expect(() => decodeMessage(bad)).toThrow();
  });
});
