import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import exifr from 'exifr';
import { describe, expect, it } from 'vitest';
import { sniffMime } from './sniff.ts';
import { stripMetadata } from './strip-metadata.ts';

/** Real files with real metadata, written by exiftool (see tests/fixtures/photos/README.md). */
const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../../tests/fixtures/photos', name));
const JPEG = fixture('phone-orientation6.jpg');
const PNG = fixture('screenshot-text.png');
const WEBP = fixture('photo-exif.webp');
const GIF = fixture('anim-comment.gif');
const HEIC = fixture('iphone-exif.heic');
const AVIF = fixture('photo-exif.avif');

/** Everything exifr reads, blocks apart (GPS, IPTC, XMP namespaces, ICC, PNG text). */
const everything = { tiff: true, exif: true, gps: true, interop: true, ifd1: true, xmp: true, iptc: true, icc: true, ihdr: true, jfif: true, makerNote: true, userComment: true, mergeOutput: false } as const;
const read = async (data: Buffer) => ((await exifr.parse(data, everything)) ?? {}) as Record<string, Record<string, unknown> | undefined>;

/** What identifies the citizen in the fixtures, as bytes: it must be nowhere in a stored file. */
const IDENTIFYING = ['Budi Santoso', 'R58T90ABCDE', 'XM12345678', 'F2LXK0ABCDE', 'Jl. Merdeka', 'Samsung', 'SM-A546E', 'Xiaomi', 'iPhone', 'Blitar', 'xmptk', 'ExifTool'];
const leaks = (data: Buffer) => IDENTIFYING.filter((s) => data.includes(s, 0, 'latin1'));

const strip = async (data: Buffer) => {
  const type = await sniffMime(data);
  const out = stripMetadata(data, type!.mimeType);
  if (!out.ok) throw new Error('refused');
  return out.data;
};

/** RIFF chunks of a WebP, and the VP8X flags byte. */
function webpChunks(data: Buffer): { types: string[]; flags: number | undefined; chunk: (t: string) => Buffer | undefined } {
  const found = new Map<string, Buffer>();
  let i = 12;
  let flags: number | undefined;
  while (i + 8 <= data.length) {
    const type = data.toString('latin1', i, i + 4);
    const len = data.readUInt32LE(i + 4);
    found.set(type, data.subarray(i + 8, i + 8 + len));
    if (type === 'VP8X') flags = data[i + 8];
    i += 8 + len + (len & 1);
  }
  return { types: [...found.keys()], flags, chunk: (t) => found.get(t) };
}

describe('stripMetadata', () => {
  it('JPEG: removes GPS, serial, owner, Make/Model, XMP, IPTC, the comment and a trailing second image; keeps Orientation 6 and the ICC profile', async () => {
    const before = await read(JPEG);
    expect(before.gps?.latitude).toBeCloseTo(-8.0983, 3);
    expect(before.exif).toMatchObject({ SerialNumber: 'R58T90ABCDE', OwnerName: 'Budi Santoso' });
    expect(before.ifd0).toMatchObject({ Artist: 'Budi Santoso', Make: 'Samsung' });
    expect(before.iptc).toBeDefined();
    expect(before.dc).toBeDefined();

    const out = await strip(JPEG);
    const after = await read(out);
    expect(after.gps).toBeUndefined();
    expect(after.exif).toBeUndefined();
    expect(after.iptc).toBeUndefined();
    expect(after.dc).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(after.ifd0).toEqual({ Orientation: 'Rotate 90 CW' });
    expect(await exifr.orientation(out)).toBe(6);
    expect(after.icc).toMatchObject({ ProfileDescription: 'Artifex Software sRGB ICC Profile' });
    expect(leaks(out)).toEqual([]);
    // One image: a single EOI, at the end (the appended second JPEG with its own Exif is gone).
    expect(out.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]));
    expect(out.indexOf(Buffer.from([0xff, 0xd8]), 2)).toBe(-1);
  });

  it('JPEG: the image data is copied byte for byte (no re-encoding)', async () => {
    const out = await strip(JPEG);
    // From the (only) start of scan to the end: entropy-coded data holds no other 0xFF 0xDA.
    const scan = out.subarray(out.lastIndexOf(Buffer.from([0xff, 0xda])));
    expect(scan.length).toBeGreaterThan(100);
    expect(JPEG.includes(scan)).toBe(true);
    // Every table the decoder needs is there, as it was.
    for (const marker of [0xdb, 0xc4, 0xc0]) {
      const at = (b: Buffer) => b.indexOf(Buffer.from([0xff, marker]));
      expect(out.subarray(at(out), at(out) + 4 + out.readUInt16BE(at(out) + 2))).toEqual(JPEG.subarray(at(JPEG), at(JPEG) + 4 + JPEG.readUInt16BE(at(JPEG) + 2)));
    }
  });

  it('JPEG with Orientation 1 or none gets no Exif segment at all', async () => {
    const once = await strip(JPEG);
    // Build an Orientation-1 photo from the fixture: its Exif with the orientation value rewritten.
    const at = JPEG.indexOf(Buffer.from([0x12, 0x01, 0x03, 0x00])); // tag 0x0112, SHORT, little-endian
    expect(at).toBeGreaterThan(0);
    const upright = Buffer.from(JPEG);
    upright.writeUInt16LE(1, at + 8);
    const out = await strip(upright);
    expect(out.includes('Exif\0', 0, 'latin1')).toBe(false);
    expect(await exifr.orientation(out)).toBeUndefined();
    expect(out.length).toBe(once.length - 36);
  });

  it('PNG: removes tEXt, iTXt, zTXt, tIME and eXIf (GPS) and keeps every other chunk as it was', async () => {
    const before = await read(PNG);
    expect(before.gps?.latitude).toBeCloseTo(-8.0983, 3);
    expect(before.ihdr).toMatchObject({ Author: 'Budi Santoso' });
    const out = await strip(PNG);
    const after = await read(out);
    expect(after.gps).toBeUndefined();
    expect(after.ifd0).toBeUndefined();
    expect(after.dc).toBeUndefined();
    expect(Object.keys(after.ihdr ?? {})).not.toContain('Author');
    expect(leaks(out)).toEqual([]);
    for (const t of ['tEXt', 'iTXt', 'zTXt', 'tIME', 'eXIf']) expect(out.includes(t, 0, 'latin1')).toBe(false);
    const idat = (b: Buffer) => b.subarray(b.indexOf('IDAT', 0, 'latin1') - 4, b.indexOf('IEND', 0, 'latin1') + 8);
    expect(idat(out)).toEqual(idat(PNG));
  });

  it('WebP: removes the EXIF and XMP chunks, clears their VP8X flags and fixes the RIFF size', async () => {
    const before = webpChunks(WEBP);
    expect(before.types).toEqual(expect.arrayContaining(['VP8X', 'EXIF', 'XMP ']));
    expect(before.flags! & 0x0c).toBe(0x0c);
    // The EXIF chunk is a TIFF: the real parser sees the GPS and the serial in it.
    const tiff = await read(before.chunk('EXIF')!);
    expect(tiff.gps?.latitude).toBeCloseTo(-8.0983, 3);
    expect(tiff.exif).toMatchObject({ SerialNumber: 'XM12345678' });

    const out = await strip(WEBP);
    const after = webpChunks(out);
    expect(after.types).not.toContain('EXIF');
    expect(after.types).not.toContain('XMP ');
    expect(after.flags! & 0x0c).toBe(0);
    expect(out.readUInt32LE(4)).toBe(out.length - 8);
    expect(after.chunk('VP8 ')).toEqual(before.chunk('VP8 '));
    expect(leaks(out)).toEqual([]);
  });

  it('GIF: removes comment extensions and XMP, keeps the image', async () => {
    expect(leaks(GIF)).toContain('Budi Santoso');
    const out = await strip(GIF);
    expect(leaks(out)).toEqual([]);
    expect(out.includes(Buffer.from([0x21, 0xfe]))).toBe(false);
    expect(out.at(-1)).toBe(0x3b);
  });

  it('a HEIF or AVIF photo whose major brand the sniffer does not know (a MIAF profile: it names it video/mp4) is stripped as a photo: its image kept, its Exif gone', async () => {
    for (const [file, brand] of [[HEIC, 'MiHE'], [AVIF, 'MA1B']] as const) {
      const miaf = Buffer.from(file);
      miaf.write(brand, 8, 'latin1');
      expect(await sniffMime(miaf)).toEqual({ mimeType: 'video/mp4', kind: 'video' });
      const out = await strip(miaf);
      expect(leaks(out), brand).toEqual([]);
      expect((await read(out)).gps, brand).toBeUndefined();
      // Only bytes inside the Exif and XMP items changed: the meta box (pitm, iinf, iloc: the image) is as it was.
      const mdat = miaf.indexOf('mdat', 0, 'latin1');
      expect(out.subarray(0, mdat), brand).toEqual(miaf.subarray(0, mdat));
    }
  });

  it('HEIC and AVIF: the Exif and XMP items are blanked in place (an empty TIFF, an empty XMP packet); the image items are untouched', async () => {
    for (const file of [HEIC, AVIF]) {
      const before = await read(file);
      expect(before.gps?.latitude).toBeCloseTo(-8.0983, 3);
      expect(before.exif).toMatchObject({ SerialNumber: 'F2LXK0ABCDE' });
      expect(file.includes('xmptk', 0, 'latin1')).toBe(true); // the XMP item (exifr does not read XMP in HEIF)
      const out = await strip(file);
      expect(out.length).toBe(file.length);
      const after = await read(out);
      expect(after.gps).toBeUndefined();
      expect(after.exif).toBeUndefined();
      expect(after.ifd0).toBeUndefined();
      expect(after.dc).toBeUndefined();
      expect(leaks(out)).toEqual([]);
      // Only bytes inside the metadata items changed: the boxes and the coded image are as they were.
      const changed = [...out.keys()].filter((k) => out[k] !== file[k]);
      expect(changed.length).toBeGreaterThan(0);
      // exiftool wrote the Exif item, then the XMP packet, at the start of mdat, before the coded image.
      const mdat = file.indexOf('mdat', 0, 'latin1') + 4;
      const xmpEnd = file.indexOf('<?xpacket end', 0, 'latin1') + '<?xpacket end="w"?>'.length;
      expect(mdat).toBeGreaterThan(8);
      expect(changed.every((k) => k >= mdat && k < xmpEnd)).toBe(true);
      expect(out.subarray(xmpEnd)).toEqual(file.subarray(xmpEnd));
    }
  });

  it('is deterministic and idempotent: the same upload gives the same bytes, and stripping twice changes nothing', async () => {
    for (const f of [JPEG, PNG, WEBP, GIF, HEIC, AVIF]) {
      const a = await strip(f);
      expect(await strip(Buffer.from(f))).toEqual(a);
      expect(await strip(a)).toEqual(a);
    }
  });

  it('a JPEG cut inside its image data (an interrupted upload) is stored without its metadata', async () => {
    const cut = JPEG.subarray(0, JPEG.indexOf(Buffer.from([0xff, 0xda])) + 200);
    const out = await strip(cut);
    expect(leaks(out)).toEqual([]);
    expect(await exifr.orientation(out)).toBe(6);
  });

  it('a file cut inside its metadata is refused, not stored with the metadata it holds', () => {
    const cut = JPEG.subarray(0, JPEG.indexOf('Exif\0', 0, 'latin1') + 100);
    expect(stripMetadata(cut, 'image/jpeg')).toEqual({ ok: false, reason: 'malformed' });
    const png = PNG.subarray(0, PNG.indexOf('eXIf', 0, 'latin1') + 40);
    expect(stripMetadata(png, 'image/png')).toEqual({ ok: false, reason: 'malformed' });
    const webp = Buffer.from(WEBP);
    webp.writeUInt32LE(0x7fffff00, 4); // a RIFF size past the end
    expect(stripMetadata(webp, 'image/webp')).toEqual({ ok: false, reason: 'malformed' });
  });

  it('a malformed file with no sign of metadata is stored as it is', async () => {
    const clean = await strip(PNG);
    const cut = clean.subarray(0, clean.length - 20);
    const out = stripMetadata(cut, 'image/png');
    expect(out).toMatchObject({ ok: true, removed: [] });
    expect(out.ok && out.data).toBe(cut);
  });

  it('never throws on garbage, and leaves a video with no movie to strip (a lone ftyp) unchanged', () => {
    for (let n = 0; n < 300; n++) {
      const junk = Buffer.concat([JPEG.subarray(0, (n * 37) % JPEG.length), Buffer.from([n & 0xff, 0xff, 0xe1, 0xff])]);
      for (const type of ['image/jpeg', 'image/png', 'image/webp', 'image/gif']) expect(() => stripMetadata(junk, type)).not.toThrow();
    }
    for (let n = 0; n < 300; n++) {
      const junk = Buffer.concat([HEIC.subarray(0, (n * 13) % HEIC.length), Buffer.from([n & 0xff, 0, 0, 1])]);
      expect(() => stripMetadata(junk, 'image/heic')).not.toThrow();
    }
    const video = Buffer.from('000000186674797069736f6d0000020069736f6d', 'hex');
    expect(stripMetadata(video, 'video/mp4')).toEqual({ ok: true, data: video, removed: [] });
    // A HEIC cut before its metadata items' bytes: refused, not stored with them.
    const heicCut = HEIC.subarray(0, HEIC.indexOf('Budi Santoso', 0, 'latin1'));
    expect(stripMetadata(heicCut, 'image/heic')).toEqual({ ok: false, reason: 'malformed' });
  });
});
