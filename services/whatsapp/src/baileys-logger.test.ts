import { Boom } from '@hapi/boom';
import { binaryNodeToString, type BinaryNode } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '@aduan/testkit';
import { baileysLogger } from './baileys-logger.ts';

describe('the logger handed to Baileys', () => {
  it('keeps citizens\' numbers out of the lines Baileys writes, under whatever key', () => {
    const mem = memoryLogger('whatsapp');
    const log = baileysLogger(mem.logger);
    // Shaped like Baileys 7's "failed to decrypt message" and its binary-node warnings.
    log.child({ key: { remoteJid: '6281234567890@s.whatsapp.net' } }).warn(
      { sender: '6281234567890@s.whatsapp.net', author: '6281234567891:12@s.whatsapp.net', senderAlt: '123456789012345@lid', attrs: { from: '6281234567890@s.whatsapp.net', id: '3EB0C4F1A2' }, node: '<message from="6281234567890@s.whatsapp.net"/>', err: new Error('No session for 6281234567890.0') },
      'failed to decrypt message from 6281234567890',
    );
    expect(mem.text()).toContain('failed to decrypt message');
    expect(mem.text()).toContain('3EB0C4F1A2');
    for (const number of ['6281234567890', '6281234567891', '123456789012345']) expect(mem.text()).not.toContain(number);
  });

  it('writes only warnings and errors, as before', () => {
    const mem = memoryLogger('whatsapp');
    const log = baileysLogger(mem.logger);
    log.debug({ n: 1 }, 'debug line');
    log.warn({ n: 2 }, 'warn line');
    expect(mem.text()).not.toContain('debug line');
    expect(mem.text()).toContain('warn line');
  });

  /** A citizen's message stanza as WhatsApp sends it: push name, a business's verified name, the encrypted payload. */
  const stanza = (): BinaryNode => ({
    tag: 'message',
    attrs: { from: '6281234567890@s.whatsapp.net', type: 'text', id: '3EB0C4F1A2', notify: "Siti Aminah Jum'at", verified_name: 'Toko Sembako Bu Siti', t: '1767240000', category: 'peer' },
    content: [
      { tag: 'enc', attrs: { v: '2', type: 'pkmsg' }, content: Buffer.from('c1f2a3b4d5e6f708191a2b3c4d5e6f70', 'hex') },
      { tag: 'verified_name', attrs: { v: '1' }, content: Buffer.from('Toko Sembako Bu Siti certificate') },
    ],
  });
  const secrets = ['Siti', 'Aminah', 'Sembako', 'c1f2a3b4d5e6f708191a2b3c4d5e6f70', Buffer.from('Toko Sembako Bu Siti certificate').toString('hex'), '6281234567890'];

  it('keeps the push name, a verified name and the encrypted payload out of a message stanza Baileys logs as a string', () => {
    const mem = memoryLogger('whatsapp');
    const log = baileysLogger(mem.logger);
    // Exactly Baileys 7's call when handling a message fails (Socket/messages-recv.js, handleMessage).
    const error = new Boom('Cannot read properties of undefined', { statusCode: 500 });
    log.error({ error, node: binaryNodeToString(stanza()) }, 'error in handling message');
    expect(mem.text()).toContain('error in handling message');
    // What helps to debug stays: tags, the message id, its type.
    for (const kept of ['<message', '3EB0C4F1A2', 'pkmsg', '<enc', '</message>']) expect(mem.text()).toContain(kept);
    for (const secret of secrets) expect(mem.text()).not.toContain(secret);
  });

  it('does the same for a stanza logged as an object', () => {
    const mem = memoryLogger('whatsapp');
    const log = baileysLogger(mem.logger);
    const node = stanza();
    log.error({ reasonNode: node.content, fullErrorNode: node }, 'stream errored out');
    log.warn({ attrs: node.attrs }, 'received error in ack');
    log.warn({ key: { remoteJid: '6281234567890@s.whatsapp.net', id: 'X1' }, pushName: 'Siti Aminah', verifiedBizName: 'Toko Sembako Bu Siti' }, 'placeholder');
    expect(mem.text()).toContain('3EB0C4F1A2');
    for (const secret of secrets) expect(mem.text()).not.toContain(secret);
  });
});
