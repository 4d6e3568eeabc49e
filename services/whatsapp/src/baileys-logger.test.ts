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
});
