import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { proto, type WAMessage } from '@whiskeysockets/baileys';
import exifr from 'exifr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalDiskStorage } from '@aduan/storage';
import { memoryLogger } from '@aduan/testkit';
import { MediaUnavailableError, storeMedia } from './media.ts';
import { MediaServer } from './test-support/media-server.ts';

/**
 * A photo a citizen sends as a *document* is not re-encoded by WhatsApp: it arrives with the
 * phone's Exif (GPS, serial, owner). Downloaded by Baileys' real downloadMediaMessage from a
 * loopback CDN, it must be stored without them.
 */
const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../../tests/fixtures/photos', name));
const JPEG = fixture('phone-orientation6.jpg');
const MOV = readFileSync(join(import.meta.dirname, '../../../tests/fixtures/videos/iphone-gps.mov'));
const media = new MediaServer();
const dir = mkdtempSync(join(tmpdir(), 'wa-exif-'));
const storage = new LocalDiskStorage(dir);
const { logger } = memoryLogger('wa-exif');
const sock = { updateMediaMessage: async (m: WAMessage) => m };

beforeAll(() => media.start());
afterAll(async () => {
  await media.stop();
  rmSync(dir, { recursive: true, force: true });
});

const asDocument = async (path: string, data: Buffer, mimetype = 'image/jpeg', fileName = 'IMG_20261101.jpg') => {
  const fields = await media.add(path, data, 'document');
  return proto.WebMessageInfo.fromObject({
    key: { remoteJid: '6281234567890@s.whatsapp.net', id: path.slice(1) },
    message: { documentMessage: { ...fields, mimetype, fileName } },
  }) as WAMessage;
};

describe('storeMedia: a photo sent as a document', () => {
  it('is stored without GPS, serial, owner, XMP or IPTC, keeping its orientation', async () => {
    expect((await exifr.gps(JPEG))?.latitude).toBeCloseTo(-8.0983, 3);
    const msg = await asDocument('/doc-photo', JPEG);
    const a = await storeMedia(msg, { kind: 'document', mimeType: 'image/jpeg', fileName: 'IMG_20261101.jpg' }, sock, { storage, maxBytes: 1 << 20, logger });
    expect(a).toMatchObject({ kind: 'document', mimeType: 'image/jpeg', fileName: 'IMG_20261101.jpg' });
    const stored = (await storage.get(a.storageKey))!;
    expect(stored.length).toBe(a.bytes);
    expect(await exifr.gps(stored)).toBeUndefined();
    const meta = ((await exifr.parse(stored, { tiff: true, exif: true, gps: true, xmp: true, iptc: true, mergeOutput: false })) ?? {}) as Record<string, unknown>;
    expect(meta.exif).toBeUndefined();
    expect(meta.iptc).toBeUndefined();
    expect(meta.dc).toBeUndefined();
    expect(await exifr.orientation(stored)).toBe(6);
    for (const s of ['Budi Santoso', 'R58T90ABCDE', 'Samsung']) expect(stored.includes(s, 0, 'latin1'), s).toBe(false);
  });

  it('a damaged photo whose metadata cannot be removed is not stored; the message goes on without it', async () => {
    const cut = JPEG.subarray(0, JPEG.indexOf('Exif\0', 0, 'latin1') + 100);
    const msg = await asDocument('/doc-cut', cut);
    const err = await storeMedia(msg, { kind: 'document', mimeType: 'image/jpeg' }, sock, { storage, maxBytes: 1 << 20, logger }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaUnavailableError);
    expect((err as MediaUnavailableError).reason).toBe('unreadable-metadata');
  });

  it('a phone video sent as a document is stored without its GPS, make, model and author; nothing else changes', async () => {
    expect(MOV.includes('com.apple.quicktime.location.ISO6709', 0, 'latin1')).toBe(true);
    const msg = await asDocument('/doc-video', MOV, 'video/quicktime', 'IMG_0042.MOV');
    const a = await storeMedia(msg, { kind: 'document', mimeType: 'video/quicktime', fileName: 'IMG_0042.MOV' }, sock, { storage, maxBytes: 1 << 20, logger });
    expect(a).toMatchObject({ kind: 'document', mimeType: 'video/quicktime', bytes: MOV.length });
    const stored = (await storage.get(a.storageKey))!;
    for (const s of ['-08.0983+112.1681', 'com.apple.quicktime', 'iPhone 13', 'Budi Santoso']) expect(stored.includes(s, 0, 'latin1'), s).toBe(false);
    // The media data is where it was (no offset moved).
    const mdat = MOV.indexOf('mdat', 0, 'latin1');
    expect(stored.subarray(mdat)).toEqual(MOV.subarray(mdat));
  });

  it('an image format with no metadata stripper (TIFF) is not stored', async () => {
    const tiff = Buffer.from('MM\0\x2a\0\0\0\x08\0\x01\x01\x3b\0\x02\0\0\0\x0d\0\0\0\x1a\0\0\0\0Budi Santoso\0', 'latin1');
    const msg = await asDocument('/doc-tiff', tiff, 'image/tiff', 'scan.tif');
    const err = await storeMedia(msg, { kind: 'document', mimeType: 'image/tiff' }, sock, { storage, maxBytes: 1 << 20, logger }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaUnavailableError);
    expect((err as MediaUnavailableError).reason).toBe('unsupported-format');
  });
});
