import { proto, type WAMessage } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { downloadWithReupload } from './media.ts';

/** An expired WhatsApp media URL: Baileys' download fails with a Boom 404. */
const expired = Object.assign(new Error('Failed to fetch stream'), { output: { statusCode: 404 } });
const photo = proto.WebMessageInfo.fromObject({ key: { remoteJid: '6281234567890@s.whatsapp.net', id: 'ABC' }, message: { imageMessage: { mimetype: 'image/jpeg' } } }) as WAMessage;

describe('downloadWithReupload', () => {
  it('asks the phone to re-upload an expired file and downloads the fresh one', async () => {
    const calls: string[] = [];
    const download = (async () => {
      calls.push('download');
      if (calls.length === 1) throw expired;
      return Buffer.from('fresh');
    }) as never;
    const sock = { updateMediaMessage: async (m: WAMessage) => (calls.push('reupload'), m) };
    expect((await downloadWithReupload(photo, sock, 1_000, download)).toString()).toBe('fresh');
    expect(calls).toEqual(['download', 'reupload', 'download']);
  });

  it('gives up when the phone never answers the re-upload, instead of holding the citizen\'s later messages', async () => {
    const download = (async () => {
      throw expired;
    }) as never;
    const never = { updateMediaMessage: () => new Promise<never>(() => {}) };
    const started = Date.now();
    await expect(downloadWithReupload(photo, never, 200, download)).rejects.toThrow(/more than 200 ms/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
