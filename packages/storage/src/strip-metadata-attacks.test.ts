import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import exifr from 'exifr';
import { describe, expect, it } from 'vitest';
import { sniffMime } from './sniff.ts';
import { stripMetadata } from './strip-metadata.ts';

/**
 * Files found in review that the first version of the stripper got wrong: each is built here
 * from the committed fixtures or from the format's spec, so CI needs no image tools.
 */
const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../../tests/fixtures/photos', name));
const JPEG = fixture('phone-orientation6.jpg');
const GIF = fixture('anim-comment.gif');
const WEBP = fixture('photo-exif.webp');
const NAME = 'Budi Santoso';

const strip = async (data: Buffer) => {
  const type = await sniffMime(data);
  const out = stripMetadata(data, type!.mimeType);
  if (!out.ok) throw new Error('refused');
  return out.data;
};

// ---- WebP, built chunk by chunk (RFC 9649)
const riff = (type: string, body: Buffer) => {
  const head = Buffer.alloc(8);
  head.write(type, 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body, body.length & 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
};
const webpFile = (...chunks: Buffer[]) => {
  const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), ...chunks]);
  const head = Buffer.from('RIFF\0\0\0\0', 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
};
/** The top-level chunks of a WebP, as [type, bytes]. */
const webpChunks = (data: Buffer) => {
  const out: [string, Buffer][] = [];
  for (let i = 12; i + 8 <= data.length; ) {
    const len = data.readUInt32LE(i + 4);
    out.push([data.toString('latin1', i, i + 4), data.subarray(i, i + 8 + len + (len & 1))]);
    i += 8 + len + (len & 1);
  }
  return out;
};

// ---- PNG, built chunk by chunk
const pngChunk = (type: string, body: Buffer) => {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])));
  return Buffer.concat([head, body, crc]);
};
const W = 8;
const H = 4;
const ihdr = () => {
  const b = Buffer.alloc(13);
  b.writeUInt32BE(W);
  b.writeUInt32BE(H, 4);
  b[8] = 8; // bit depth
  b[9] = 2; // RGB
  return pngChunk('IHDR', b);
};
const idat = (rgb: number[]) => {
  const rows = Buffer.alloc(H * (1 + 3 * W));
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) rows.set(rgb, y * (1 + 3 * W) + 1 + 3 * x);
  return deflateSync(rows);
};
/** A big-endian TIFF: IFD0 with Orientation and Artist. */
const tiff = (orientation: number) => {
  const artist = Buffer.from(`${NAME}\0`, 'latin1');
  const t = Buffer.alloc(8 + 2 + 2 * 12 + 4 + artist.length);
  t.write('MM', 0, 'latin1');
  t.writeUInt16BE(42, 2);
  t.writeUInt32BE(8, 4);
  t.writeUInt16BE(2, 8);
  t.writeUInt16BE(0x0112, 10);
  t.writeUInt16BE(3, 12);
  t.writeUInt32BE(1, 14);
  t.writeUInt16BE(orientation, 18);
  t.writeUInt16BE(0x013b, 22);
  t.writeUInt16BE(2, 24);
  t.writeUInt32BE(artist.length, 26);
  t.writeUInt32BE(38, 30);
  artist.copy(t, 38);
  return t;
};
const PNG_SIG = Buffer.from('89504e470d0a1a0a', 'hex');

function apng(): Buffer {
  const actl = Buffer.alloc(8);
  actl.writeUInt32BE(2); // two frames, looping forever
  const fctl = (seq: number) => {
    const b = Buffer.alloc(26);
    b.writeUInt32BE(seq);
    b.writeUInt32BE(W, 4);
    b.writeUInt32BE(H, 8);
    b.writeUInt16BE(1, 20);
    b.writeUInt16BE(10, 22);
    return b;
  };
  return Buffer.concat([
    PNG_SIG,
    ihdr(),
    pngChunk('eXIf', tiff(1)),
    pngChunk('acTL', actl),
    pngChunk('fcTL', fctl(0)),
    pngChunk('IDAT', idat([255, 0, 0])),
    pngChunk('fcTL', fctl(1)),
    pngChunk('fdAT', Buffer.concat([Buffer.from([0, 0, 0, 2]), idat([0, 0, 255])])),
    pngChunk('tEXt', Buffer.from(`Author\0${NAME}`, 'latin1')),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('stripMetadata on files found in review', () => {
  it('an animated PNG (file-type says image/apng) is stripped like a PNG, its frames kept', async () => {
    const file = apng();
    expect((await sniffMime(file))?.mimeType).toBe('image/apng');
    const out = await strip(file);
    expect(out.includes(NAME, 0, 'latin1')).toBe(false);
    for (const t of ['acTL', 'fcTL', 'fdAT', 'IDAT']) expect(out.includes(t, 0, 'latin1')).toBe(true);
    expect(out.subarray(out.indexOf('acTL', 0, 'latin1') - 4, out.indexOf('IEND', 0, 'latin1') - 4)).toEqual(
      file.subarray(file.indexOf('acTL', 0, 'latin1') - 4, file.indexOf('tEXt', 0, 'latin1') - 4),
    );
  });

  it('PNG: the Orientation of an eXIf chunk stays (alone), as Chromium turns a PNG by it', async () => {
    const file = Buffer.concat([PNG_SIG, ihdr(), pngChunk('eXIf', tiff(6)), pngChunk('IDAT', idat([0, 255, 0])), pngChunk('IEND', Buffer.alloc(0))]);
    expect(await exifr.orientation(file)).toBe(6);
    const out = await strip(file);
    expect(await exifr.orientation(out)).toBe(6);
    expect(out.includes(NAME, 0, 'latin1')).toBe(false);
    expect(((await exifr.parse(out, { tiff: true, mergeOutput: false })) as { ifd0?: object }).ifd0).toEqual({ Orientation: 'Rotate 90 CW' });
  });

  it('PNG: unknown ancillary chunks go (C2PA caBX, vendor chunks); colour and critical chunks stay', async () => {
    const file = Buffer.concat([
      PNG_SIG,
      ihdr(),
      pngChunk('gAMA', Buffer.from([0, 0, 0xb1, 0x8f])),
      pngChunk('caBX', Buffer.from(`jumb c2pa cawg.identity ${NAME}`, 'latin1')),
      pngChunk('prVt', Buffer.from(NAME, 'latin1')),
      pngChunk('IDAT', idat([0, 0, 0])),
      pngChunk('IEND', Buffer.alloc(0)),
    ]);
    const out = await strip(file);
    expect(out.includes(NAME, 0, 'latin1')).toBe(false);
    expect(out.includes('gAMA', 0, 'latin1')).toBe(true);
    expect(out.subarray(out.indexOf('IDAT', 0, 'latin1') - 4)).toEqual(file.subarray(file.indexOf('IDAT', 0, 'latin1') - 4));
  });

  it('JPEG: an APP0 JFXX thumbnail, a whole JPEG with its own Exif, is dropped', async () => {
    const seg = (marker: number, body: Buffer) => Buffer.concat([Buffer.from([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff]), body]);
    const thumb = Buffer.concat([Buffer.from([0xff, 0xd8]), seg(0xe1, Buffer.from(`Exif\0\0MM\0\x2a\0\0\0\x08\0\0\0\0\0\0${NAME}`, 'latin1')), Buffer.from([0xff, 0xd9])]);
    const file = Buffer.concat([JPEG.subarray(0, 2), seg(0xe0, Buffer.concat([Buffer.from('JFXX\0\x10', 'latin1'), thumb])), JPEG.subarray(2)]);
    const out = await strip(file);
    expect(out.includes('JFXX', 0, 'latin1')).toBe(false);
    expect(out.includes(NAME, 0, 'latin1')).toBe(false);
    expect(out).toEqual(await strip(JPEG));
  });

  it('GIF: application extensions other than looping and ICC go (ImageMagick writes IPTC as MGKIPTC0000); NETSCAPE2.0 stays', async () => {
    const iptc = Buffer.concat([Buffer.from([0x21, 0xff, 11]), Buffer.from('MGKIPTC0000', 'latin1'), Buffer.from([17]), Buffer.from('\x1c\x02\x5a\x00\x06Blitar\x1c\x02\x50\x00\x00', 'latin1').subarray(0, 17), Buffer.from([0])]);
    const loop = Buffer.from('21ff0b4e45545343415045322e300301000000', 'hex');
    const at = GIF.indexOf(Buffer.from([0x21, 0xf9])) >= 0 ? GIF.indexOf(Buffer.from([0x21, 0xf9])) : GIF.indexOf(Buffer.from([0x2c]), 13);
    const file = Buffer.concat([GIF.subarray(0, at), loop, iptc, GIF.subarray(at)]);
    const out = await strip(file);
    expect(out.includes('Blitar', 0, 'latin1')).toBe(false);
    expect(out.includes('MGKIPTC', 0, 'latin1')).toBe(false);
    expect(out.includes(loop)).toBe(true);
    expect(out.at(-1)).toBe(0x3b);
  });

  it('HEIF image sequences (image/heic-sequence) lose their Exif item too', async () => {
    const heic = fixture('iphone-exif.heic');
    const seq = Buffer.from(heic);
    seq.write('msf1', 8, 'latin1'); // major brand of an image sequence
    seq.write('msf1', 16, 'latin1');
    const type = (await sniffMime(seq))!.mimeType;
    expect(type).toMatch(/sequence/);
    const out = stripMetadata(seq, type);
    expect(out.ok && out.data.includes(NAME, 0, 'latin1')).toBe(false);
    expect(out.ok && out.removed).toEqual(expect.arrayContaining(['Exif', 'XMP']));
  });

  it('WebP: only the chunks needed to display stay; unknown ones (at the top level and inside an animation frame) go', async () => {
    const top = webpChunks(WEBP);
    const vp8x = top.find(([t]) => t === 'VP8X')![1];
    const vp8 = top.find(([t]) => t === 'VP8 ')![1];
    const vendor = riff('SNAM', Buffer.from(`${NAME}, Jl. Merdeka 12`, 'latin1'));
    const anmfHeader = Buffer.alloc(16);
    const frame = riff('ANMF', Buffer.concat([anmfHeader, vp8.subarray(0), riff('Xtra', Buffer.from(NAME, 'latin1'))]));
    const anim = riff('ANIM', Buffer.alloc(6));
    const file = webpFile(vp8x, vendor, anim, frame, vp8, riff('EXIF', Buffer.from(`MM\0\x2a${NAME}`, 'latin1')));
    const out = await strip(file);
    expect(out.includes(NAME, 0, 'latin1')).toBe(false);
    expect(out.includes('Merdeka', 0, 'latin1')).toBe(false);
    expect(webpChunks(out).map(([t]) => t)).toEqual(['VP8X', 'ANIM', 'ANMF', 'VP8 ']);
    expect(out.readUInt32LE(4)).toBe(out.length - 8);
    // The frame keeps its header and bitstream, its size fixed; the still image is as it was.
    const [, keptFrame] = webpChunks(out)[2]!;
    expect(keptFrame).toEqual(riff('ANMF', Buffer.concat([anmfHeader, vp8])));
    expect(webpChunks(out)[3]![1]).toEqual(vp8);
    expect(webpChunks(out)[0]![1][8]! & 0x0c).toBe(0);
  });

  it('WebP: never throws on a damaged animation (sizes and types flipped at random)', () => {
    const [vp8x, vp8] = ['VP8X', 'VP8 '].map((t) => webpChunks(WEBP).find(([c]) => c === t)![1]);
    const frame = riff('ANMF', Buffer.concat([Buffer.alloc(16), vp8!, riff('Xtra', Buffer.from(NAME, 'latin1'))]));
    const file = webpFile(vp8x!, riff('ANIM', Buffer.alloc(6)), frame, frame);
    for (let n = 0; n < 500; n++) {
      const junk = Buffer.from(file.subarray(0, file.length - ((n * 31) % 64)));
      const at = 12 + ((n * 7919) % (junk.length - 12));
      junk[at] = (junk[at]! + 1 + n) & 0xff;
      expect(() => stripMetadata(junk, 'image/webp')).not.toThrow();
    }
  });

  it('image formats with no stripper (TIFF, JPEG XL, JPEG 2000, camera raw) are not to be stored: they may carry anything', async () => {
    const tiff = Buffer.from(`MM\0\x2a\0\0\0\x08\0\x01\x01\x3b\0\x02\0\0\0\x0d\0\0\0\x1a\0\0\0\0${NAME}\0`, 'latin1');
    expect((await sniffMime(tiff))?.mimeType).toBe('image/tiff');
    for (const type of ['image/tiff', 'image/jxl', 'image/jp2', 'image/x-canon-cr3', 'image/vnd.adobe.photoshop', 'image/bmp']) {
      expect(stripMetadata(tiff, type), type).toEqual({ ok: false, reason: 'unsupported' });
    }
    // Documents, audio and other video containers are still stored as they come.
    for (const type of ['application/pdf', 'audio/ogg', 'video/webm']) expect(stripMetadata(tiff, type)).toEqual({ ok: true, data: tiff, removed: [] });
  });
});
