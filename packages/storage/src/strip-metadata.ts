/**
 * Removes the metadata that identifies a citizen (EXIF GPS, serial numbers, owner names, XMP,
 * IPTC, text chunks; a video's location, make and model) from a photo or video before it is
 * stored, without re-encoding: segments and chunks are dropped from the container (or, in
 * ISO BMFF, blanked in place), the image and media data are copied byte for byte. Pure and
 * deterministic: the same upload always gives the same bytes (and so the same storage key).
 * See the package README for what is kept, what is dropped, and why this is our own code.
 */

import { crc32 } from 'node:zlib';
import { MalformedContainer, stripIsobmff } from './strip-isobmff.ts';
import { stripMovie } from './strip-movie.ts';

export type StripOutcome =
  /** `data` is what to store; `removed` names what was dropped (for tests and counting, never content). */
  | { ok: true; data: Buffer; removed: string[] }
  /** The container could not be parsed and its bytes show metadata: storing it would leak it. */
  | { ok: false; reason: 'malformed' }
  /** An image format with no stripper here (TIFF, JPEG XL, JPEG 2000, camera raw, PSD...): it may carry anything. */
  | { ok: false; reason: 'unsupported' };

class Malformed extends Error {}

const ascii = (b: Buffer, at: number, len: number) => b.toString('latin1', at, at + len);

/**
 * Strips `data`, whose type the bytes decided (sniffMime). An image type it has no stripper for
 * is `unsupported` (not to be stored); other types it does not handle (video other than ISO
 * BMFF, audio other than MP4, documents) come back as they are.
 */
export function stripMetadata(data: Buffer, mimeType: string): StripOutcome {
  const strip = STRIPPERS[mimeType];
  if (!strip) return mimeType.startsWith('image/') ? { ok: false, reason: 'unsupported' } : { ok: true, data, removed: [] };
  const removed: string[] = [];
  try {
    const out = strip(data, removed);
    return { ok: true, data: removed.length === 0 && out.length === data.length ? data : out, removed };
  } catch (err) {
    if (!(err instanceof Malformed || err instanceof MalformedContainer)) throw err;
    // Not parseable to the end: stored as it is only if nothing in it looks like metadata.
    return hasMetadataSignature(data, mimeType) ? { ok: false, reason: 'malformed' } : { ok: true, data, removed: [] };
  }
}

const STRIPPERS: Record<string, (data: Buffer, removed: string[]) => Buffer> = {
  'image/jpeg': stripJpeg,
  'image/png': stripPng,
  // file-type names a PNG with an acTL chunk image/apng: the same container.
  'image/apng': stripPng,
  'image/webp': stripWebp,
  'image/gif': stripGif,
  'image/heic': stripIsobmff,
  'image/heif': stripIsobmff,
  'image/avif': stripIsobmff,
  // HEIF image sequences (brands msf1/hevc/hevx) keep their Exif/XMP items in the same meta box, and may have a movie's udta.
  'image/heic-sequence': stripImageSequence,
  'image/heif-sequence': stripImageSequence,
  // ISO BMFF and QuickTime movies, by file-type's names (its brand table): phone videos, voice memos.
  // video/mp4 is also its name for any major brand it does not list, a HEIF or AVIF photo's too.
  'video/mp4': stripMp4,
  'video/quicktime': stripMovie,
  'video/3gpp': stripMovie,
  'video/3gpp2': stripMovie,
  'video/x-m4v': stripMovie,
  'audio/mp4': stripMovie,
  'audio/x-m4a': stripMovie,
};

function stripImageSequence(data: Buffer, removed: string[]): Buffer {
  return stripMovie(stripIsobmff(data, removed), removed, { keepTopLevelMeta: true });
}

/** HEIF's structural brands (ISO/IEC 23008-12): an image (`mif1`) or an image sequence (`msf1`). */
const HEIF_BRANDS = new Set(['mif1', 'msf1']);

/**
 * file-type names an ISO BMFF file by its major brand alone, and video/mp4 is its name for the
 * brands it does not list: a HEIF or AVIF photo whose major brand is a MIAF profile (`MiHE`,
 * `MiHB`, `MA1B`, `MA1A`...) comes here. Its top-level `meta` is the image, and its Exif an item
 * in `mdat`: stripped as a HEIF, not as a movie (that blanked the image and kept the Exif).
 */
function stripMp4(data: Buffer, removed: string[]): Buffer {
  return isHeif(data) ? stripImageSequence(data, removed) : stripMovie(data, removed);
}

function isHeif(data: Buffer): boolean {
  if (data.length < 16 || ascii(data, 4, 4) !== 'ftyp') return false;
  const end = Math.min(data.readUInt32BE(0), data.length, 1024);
  // The major brand, then the compatible brands (after the minor version).
  for (let at = 8; at + 4 <= end; at += at === 8 ? 8 : 4) if (HEIF_BRANDS.has(ascii(data, at, 4))) return true;
  return false;
}

const ISOBMFF_SIGNATURES = ['Exif', 'application/rdf+xml', '<x:xmpmeta'];
/** The metadata boxes' types, Android's GPS, Apple's keys, XMP; `cmov` (a compressed header) hides them all. */
const MOVIE_SIGNATURES = ['udta', 'meta', 'uuid', '\xa9xyz', 'com.apple.quicktime', '<x:xmpmeta', 'cmov'];
const PNG_SIGNATURES = ['eXIf', 'tEXt', 'zTXt', 'iTXt', 'tIME', 'caBX', '<x:xmpmeta'];

const SIGNATURES: Record<string, string[]> = {
  'image/jpeg': ['Exif\0', 'http://ns.adobe.com/', '<x:xmpmeta', 'Photoshop 3.0', '8BIM', 'MPF\0'],
  'image/png': PNG_SIGNATURES,
  'image/apng': PNG_SIGNATURES,
  'image/webp': ['EXIF', 'XMP ', '<x:xmpmeta'],
  'image/gif': ['XMP Data', '<x:xmpmeta', '\x21\xfe', 'MGK'],
  'image/heic': ISOBMFF_SIGNATURES,
  'image/heif': ISOBMFF_SIGNATURES,
  'image/avif': ISOBMFF_SIGNATURES,
  // Not 'meta': every HEIF file has one (its image items).
  'image/heic-sequence': [...ISOBMFF_SIGNATURES, ...MOVIE_SIGNATURES.filter((s) => s !== 'meta')],
  'image/heif-sequence': [...ISOBMFF_SIGNATURES, ...MOVIE_SIGNATURES.filter((s) => s !== 'meta')],
  'video/mp4': MOVIE_SIGNATURES,
  'video/quicktime': MOVIE_SIGNATURES,
  'video/3gpp': MOVIE_SIGNATURES,
  'video/3gpp2': MOVIE_SIGNATURES,
  'video/x-m4v': MOVIE_SIGNATURES,
  'audio/mp4': MOVIE_SIGNATURES,
  'audio/x-m4a': MOVIE_SIGNATURES,
};

function hasMetadataSignature(data: Buffer, mimeType: string): boolean {
  return (SIGNATURES[mimeType] ?? []).some((s) => data.includes(s, 0, 'latin1'));
}

// ---------------------------------------------------------------- JPEG (ITU-T T.81, Exif 2.3)

/**
 * APPn segments kept: those a decoder needs. APP0 JFIF, APP2 ICC profile, APP14 Adobe (colour
 * transform). Not APP0 JFXX: it only holds a thumbnail, which may be a whole JPEG with its own Exif.
 */
function keepJpegApp(marker: number, seg: Buffer): boolean {
  if (marker === 0xe0) return ascii(seg, 0, 5) === 'JFIF\0';
  if (marker === 0xe2) return ascii(seg, 0, 12) === 'ICC_PROFILE\0';
  if (marker === 0xee) return ascii(seg, 0, 5) === 'Adobe';
  return false;
}

const JPEG_NAMES: Record<number, string> = { 0xe1: 'APP1', 0xed: 'APP13', 0xfe: 'COM' };

function stripJpeg(data: Buffer, removed: string[]): Buffer {
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8) throw new Malformed('no SOI');
  const parts: Buffer[] = [data.subarray(0, 2)];
  let orientation = 1;
  let exifAt = -1; // index in `parts` where the minimal Exif segment goes (after a leading APP0)
  let i = 2;
  for (;;) {
    if (i >= data.length) break; // ends between segments: nothing unparsed is left
    if (data[i] !== 0xff) throw new Malformed('expected a marker');
    while (data[i] === 0xff) i++; // fill bytes
    if (i >= data.length) throw new Malformed('marker cut off');
    const marker = data[i]!;
    const start = i - 1;
    i++;
    if (marker === 0xd9) {
      // EOI: what follows (a second image of a Multi-Picture file, a motion photo's video, a
      // vendor trailer) carries its own Exif; it is not part of this image.
      parts.push(Buffer.from([0xff, 0xd9]));
      if (i < data.length) removed.push('trailer');
      break;
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      parts.push(data.subarray(start, i));
      continue;
    }
    if (i + 2 > data.length) throw new Malformed('segment length cut off');
    const len = data.readUInt16BE(i);
    if (len < 2 || i + len > data.length) throw new Malformed('segment overruns the file');
    const seg = data.subarray(i + 2, i + len);
    i += len;
    const isApp = marker >= 0xe0 && marker <= 0xef;
    if (isApp || marker === 0xfe) {
      if (isApp && keepJpegApp(marker, seg)) {
        parts.push(data.subarray(start, i));
        if (marker === 0xe0 && parts.length === 2) exifAt = 2;
        continue;
      }
      if (marker === 0xe1 && ascii(seg, 0, 6) === 'Exif\0\0' && orientation === 1) orientation = readTiffOrientation(seg.subarray(6));
      removed.push(JPEG_NAMES[marker] ?? `APP${marker - 0xe0}`);
      continue;
    }
    parts.push(data.subarray(start, i));
    if (marker === 0xda) {
      // Entropy-coded data runs to the next marker that is not a stuffed 0x00 or a restart.
      const scan = i;
      for (;;) {
        const ff = data.indexOf(0xff, i);
        if (ff < 0 || ff + 1 >= data.length) {
          i = data.length;
          break;
        }
        const next = data[ff + 1]!;
        i = ff;
        if (next !== 0x00 && next !== 0xff && !(next >= 0xd0 && next <= 0xd7)) break;
        i += next === 0xff ? 1 : 2;
      }
      // A file cut inside its image data (an interrupted upload) keeps what it has: every header was read.
      parts.push(data.subarray(scan, i));
    }
  }
  if (orientation !== 1) parts.splice(exifAt > 0 ? exifAt : 1, 0, minimalExifSegment(orientation));
  return Buffer.concat(parts);
}

/** Orientation (tag 0x0112) from IFD0 of a TIFF structure, or 1 when absent or unreadable. */
function readTiffOrientation(tiff: Buffer): number {
  if (tiff.length < 8) return 1;
  const order = ascii(tiff, 0, 2);
  if (order !== 'II' && order !== 'MM') return 1;
  const le = order === 'II';
  const u16 = (at: number) => (le ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (le ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  if (u16(2) !== 42) return 1;
  const ifd = u32(4);
  if (ifd + 2 > tiff.length) return 1;
  const count = u16(ifd);
  for (let n = 0; n < count; n++) {
    const e = ifd + 2 + n * 12;
    if (e + 12 > tiff.length) return 1;
    if (u16(e) === 0x0112 && u16(e + 2) === 3) {
      const v = u16(e + 8);
      return v >= 1 && v <= 8 ? v : 1;
    }
  }
  return 1;
}

/** A big-endian TIFF whose IFD0 holds only Orientation (26 bytes). */
function minimalTiff(orientation: number): Buffer {
  const t = Buffer.alloc(26);
  t.write('MM', 0, 'latin1');
  t.writeUInt16BE(42, 2);
  t.writeUInt32BE(8, 4); // IFD0 right after the header
  t.writeUInt16BE(1, 8); // one entry
  t.writeUInt16BE(0x0112, 10); // Orientation
  t.writeUInt16BE(3, 12); // SHORT
  t.writeUInt32BE(1, 14); // count
  t.writeUInt16BE(orientation, 18); // value, left-justified in the 4-byte field
  t.writeUInt32BE(0, 22); // no next IFD
  return t;
}

/** An APP1 Exif segment holding only IFD0 with Orientation (big-endian TIFF, 32 bytes of payload). */
function minimalExifSegment(orientation: number): Buffer {
  const b = Buffer.alloc(4 + 32);
  b.writeUInt16BE(0xffe1, 0);
  b.writeUInt16BE(2 + 32, 2);
  b.write('Exif\0\0', 4, 'latin1');
  minimalTiff(orientation).copy(b, 10);
  return b;
}

// ---------------------------------------------------------------- PNG (ISO/IEC 15948, PNG 3rd edition)

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/**
 * Ancillary chunks kept: those that change how the image displays (colour, transparency,
 * animation). Every other ancillary chunk goes: the text ones (tEXt, zTXt, iTXt), tIME, eXIf,
 * and the private or newer ones that carry identity (caBX C2PA credentials, vendor chunks).
 * Critical chunks (upper-case first letter) are all kept: a decoder needs them.
 */
const PNG_KEEP = new Set(['tRNS', 'cHRM', 'gAMA', 'iCCP', 'sBIT', 'sRGB', 'cICP', 'mDCV', 'cLLI', 'bKGD', 'hIST', 'pHYs', 'sPLT', 'acTL', 'fcTL', 'fdAT']);

function stripPng(data: Buffer, removed: string[]): Buffer {
  if (data.length < 8 || !data.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Malformed('no PNG signature');
  const parts: Buffer[] = [data.subarray(0, 8)];
  let i = 8;
  let seenIdat = false;
  while (i < data.length) {
    if (i + 8 > data.length) throw new Malformed('chunk header cut off');
    const len = data.readUInt32BE(i);
    const type = ascii(data, i + 4, 4);
    const end = i + 12 + len;
    if (len > 0x7fffffff || end > data.length) throw new Malformed('chunk overruns the file');
    const critical = (data[i + 4]! & 0x20) === 0;
    if (critical || PNG_KEEP.has(type)) parts.push(data.subarray(i, end));
    else {
      removed.push(type);
      // Chromium (like the Exif spec) turns a PNG by the Orientation in an eXIf before the image
      // data: written back alone, as for JPEG, so a portrait screenshot or photo stays upright.
      if (type === 'eXIf' && !seenIdat) {
        const orientation = readTiffOrientation(data.subarray(i + 8, i + 8 + len));
        if (orientation !== 1) parts.push(pngChunk('eXIf', minimalTiff(orientation)));
      }
    }
    if (type === 'IDAT') seenIdat = true;
    i = end;
    if (type === 'IEND') {
      if (i < data.length) removed.push('trailer');
      break;
    }
  }
  return Buffer.concat(parts);
}

function pngChunk(type: string, body: Buffer): Buffer {
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, 'latin1');
  body.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}

// ---------------------------------------------------------------- WebP (RFC 9649)

const VP8X_EXIF = 0x08;
const VP8X_XMP = 0x04;
/**
 * Chunks kept: those a decoder needs to display the image (RFC 9649). Everything else goes:
 * EXIF, XMP, and any unknown chunk, which may carry anything (the RFC tells readers to ignore them).
 */
const WEBP_KEEP = new Set(['VP8 ', 'VP8L', 'VP8X', 'ALPH', 'ANIM', 'ANMF', 'ICCP']);
/** An animation frame's own sub-chunks: its alpha and bitstream; unknown ones go too. */
const ANMF_KEEP = new Set(['ALPH', 'VP8 ', 'VP8L']);
const ANMF_HEADER = 16;

/** The RIFF chunks from `from` to `to`, as [type, start, end] with `end` past the padding byte. */
function riffChunks(data: Buffer, from: number, to: number): [string, number, number][] {
  const out: [string, number, number][] = [];
  let i = from;
  while (i < to) {
    if (i + 8 > to) throw new Malformed('chunk header cut off');
    const len = data.readUInt32LE(i + 4);
    const end = i + 8 + len + (len & 1);
    if (end > to) throw new Malformed('chunk overruns its parent');
    out.push([ascii(data, i, 4), i, end]);
    i = end;
  }
  return out;
}

function stripWebp(data: Buffer, removed: string[]): Buffer {
  if (data.length < 12 || ascii(data, 0, 4) !== 'RIFF' || ascii(data, 8, 4) !== 'WEBP') throw new Malformed('no RIFF WEBP header');
  const riffEnd = 8 + data.readUInt32LE(4);
  if (riffEnd > data.length) throw new Malformed('RIFF size overruns the file');
  const parts: Buffer[] = [Buffer.from(data.subarray(0, 12))];
  const drop = (type: string) => removed.push(type === 'EXIF' || type === 'XMP ' ? type.trim() : 'unknown chunk');
  for (const [type, start, end] of riffChunks(data, 12, riffEnd)) {
    if (!WEBP_KEEP.has(type)) drop(type);
    else if (type === 'VP8X' && end - start >= 18) {
      const chunk = Buffer.from(data.subarray(start, end));
      chunk[8] = chunk[8]! & ~(VP8X_EXIF | VP8X_XMP);
      parts.push(chunk);
    } else if (type === 'ANMF' && end - start >= 8 + ANMF_HEADER) {
      const body = start + 8 + ANMF_HEADER;
      const subs = riffChunks(data, body, end);
      const kept = subs.filter(([t]) => ANMF_KEEP.has(t));
      if (kept.length === subs.length) parts.push(data.subarray(start, end));
      else {
        for (const [t] of subs) if (!ANMF_KEEP.has(t)) drop(t);
        const frame = Buffer.concat([data.subarray(start, body), ...kept.map(([, s, e]) => data.subarray(s, e))]);
        frame.writeUInt32LE(frame.length - 8, 4);
        parts.push(frame);
      }
    } else parts.push(data.subarray(start, end));
  }
  if (riffEnd < data.length) removed.push('trailer');
  const out = Buffer.concat(parts);
  out.writeUInt32LE(out.length - 8, 4);
  return out;
}

// ---------------------------------------------------------------- GIF (GIF89a)

const GIF_KEEP_APPS = new Set(['NETSCAPE2.0', 'ANIMEXTS1.0', 'ICCRGBG1012']);

function stripGif(data: Buffer, removed: string[]): Buffer {
  const version = ascii(data, 0, 6);
  if (data.length < 13 || (version !== 'GIF87a' && version !== 'GIF89a')) throw new Malformed('no GIF header');
  const colorTable = (flags: number) => (flags & 0x80 ? 3 * 2 ** ((flags & 0x07) + 1) : 0);
  /** The end of a run of data sub-blocks starting at `at` (past its 0 terminator). */
  const subBlocks = (at: number) => {
    let j = at;
    for (;;) {
      if (j >= data.length) throw new Malformed('sub-blocks cut off');
      const n = data[j]!;
      j += 1 + n;
      if (n === 0) return j;
    }
  };
  let i = 13 + colorTable(data[10]!);
  if (i > data.length) throw new Malformed('colour table cut off');
  const parts: Buffer[] = [data.subarray(0, i)];
  for (;;) {
    if (i >= data.length) throw new Malformed('no trailer');
    const block = data[i]!;
    if (block === 0x3b) {
      parts.push(data.subarray(i, i + 1));
      if (i + 1 < data.length) removed.push('trailer');
      break;
    }
    if (block === 0x2c) {
      if (i + 10 > data.length) throw new Malformed('image descriptor cut off');
      const end = subBlocks(i + 10 + colorTable(data[i + 9]!) + 1);
      parts.push(data.subarray(i, end));
      i = end;
    } else if (block === 0x21) {
      if (i + 2 > data.length) throw new Malformed('extension cut off');
      const label = data[i + 1]!;
      const end = subBlocks(i + 2);
      // Comments and application extensions go, except the ones that change how it plays or looks:
      // the loop count (NETSCAPE2.0, ANIMEXTS1.0) and the ICC profile. Dropped: XMP ("XMP DataXMP"),
      // ImageMagick's IPTC and Photoshop profiles ("MGKIPTC0000", "MGK8BIM0000"), any vendor's.
      const app = label === 0xff ? ascii(data, i + 3, 11) : '';
      if (label === 0xfe) removed.push('comment');
      else if (label === 0xff && !GIF_KEEP_APPS.has(app)) removed.push(app === 'XMP DataXMP' ? 'XMP' : 'application extension');
      else parts.push(data.subarray(i, end));
      i = end;
    } else throw new Malformed('unknown block');
  }
  return Buffer.concat(parts);
}
