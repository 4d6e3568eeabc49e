import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalDiskStorage } from '@aduan/storage';
import { MediaDownloadError } from '../errors.ts';
import { M4A, PNG_1x1, startMediaServer } from '../testing/harness.ts';
import { downloadMedia } from './media-download.ts';

/** A phone photo with its owner's name, serial number and GPS in Exif, XMP and IPTC (tests/fixtures/photos/README.md). */
const PHONE_JPEG = readFileSync(join(import.meta.dirname, '../../../../tests/fixtures/photos/phone-orientation6.jpg'));
/** An Android phone video with GPS (udta ©xyz, 3GPP loci), make, model and author (tests/fixtures/videos/README.md). */
const PHONE_MP4 = readFileSync(join(import.meta.dirname, '../../../../tests/fixtures/videos/android-gps.mp4'));

describe('downloadMedia', () => {
  let server: Awaited<ReturnType<typeof startMediaServer>>;
  const storage = new LocalDiskStorage(mkdtempSync(join(tmpdir(), 'ig-media-')));
  const opts = { storage, maxBytes: 1_000, timeoutMs: 2_000, retries: 1 };
  beforeAll(async () => {
    server = await startMediaServer({ '/phone.jpg': PHONE_JPEG, '/phone.mp4': PHONE_MP4, '/p.png': PNG_1x1, '/v.m4a': M4A, '/big.png': Buffer.concat([PNG_1x1, Buffer.alloc(2_000)]), '/text.jpg': Buffer.from('<html>not an image</html>') });
  });
  afterAll(() => server.close());

  it('stores the bytes content-addressed with the sniffed type', async () => {
    const a = await downloadMedia({ url: server.url('/p.png'), kind: 'image' }, opts);
    expect(a).toMatchObject({ kind: 'image', mimeType: 'image/png', bytes: PNG_1x1.length });
    expect(await storage.get(a.storageKey)).toEqual(PNG_1x1);
    expect((await downloadMedia({ url: server.url('/v.m4a'), kind: 'audio' }, opts)).mimeType).toMatch(/^audio\//);
  });

  it("stores a photo without what identifies its author (name, serial number, GPS)", async () => {
    const a = await downloadMedia({ url: server.url('/phone.jpg'), kind: 'image' }, { ...opts, maxBytes: 100_000 });
    const stored = (await storage.get(a.storageKey))!;
    expect(stored.length).toBeLessThan(PHONE_JPEG.length);
    for (const leak of ['Budi Santoso', 'R58T90ABCDE', 'SM-A546E', 'Jl. Merdeka']) expect(stored.includes(leak), leak).toBe(false);
    // Still a whole JPEG (packages/storage's tests check the picture's bytes are untouched).
    expect([stored[0], stored[1], stored.at(-2), stored.at(-1)]).toEqual([0xff, 0xd8, 0xff, 0xd9]);
    expect(a).toMatchObject({ kind: 'image', mimeType: 'image/jpeg', bytes: stored.length });
  });

  it('stores a video without its location, make, model and author, the media data untouched', async () => {
    const a = await downloadMedia({ url: server.url('/phone.mp4'), kind: 'video' }, { ...opts, maxBytes: 100_000 });
    const stored = (await storage.get(a.storageKey))!;
    expect(a).toMatchObject({ kind: 'video', mimeType: 'video/mp4', bytes: PHONE_MP4.length });
    for (const leak of ['-08.0983+112.1681', 'loci', 'Budi Santoso', 'samsung', 'SM-A546E']) expect(stored.includes(leak, 0, 'latin1'), leak).toBe(false);
    const mdat = PHONE_MP4.indexOf('mdat', 0, 'latin1');
    expect(stored.subarray(mdat)).toEqual(PHONE_MP4.subarray(mdat));
  });

  it('refuses oversize files and bytes that are not media, without retrying them', async () => {
    const before = server.hits.length;
    await expect(downloadMedia({ url: server.url('/big.png'), kind: 'image' }, opts)).rejects.toThrow(/limit/);
    await expect(downloadMedia({ url: server.url('/text.jpg'), kind: 'image' }, opts)).rejects.toThrow(/not an image/);
    expect(server.hits.length - before).toBe(2);
  });

  it('retries a failed download once, then gives up with a coded error', async () => {
    const before = server.hits.length;
    const err = await downloadMedia({ url: server.url('/gone.jpg'), kind: 'image' }, opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaDownloadError);
    expect((err as MediaDownloadError).code).toBe('ADUAN_ERR_IG_MEDIA');
    expect(server.hits.length - before).toBe(2);
  });
});
