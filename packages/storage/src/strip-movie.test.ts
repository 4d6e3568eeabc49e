import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { sniffMime } from './sniff.ts';
import { stripMetadata } from './strip-metadata.ts';
import { box } from './test-boxes.ts';

/**
 * Phone videos with real metadata, written by ffmpeg and exiftool (tests/fixtures/videos/README.md).
 * exifr does not read QuickTime, so the tests walk the boxes themselves (ISO/IEC 14496-12).
 */
const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../../tests/fixtures/videos', name));
const ANDROID = fixture('android-gps.mp4');
const IPHONE = fixture('iphone-gps.mov');

/** What identifies the citizen or the phone, as bytes: GPS as ISO 6709 and 3GPP loci, names, make and model. */
const IDENTIFYING = ['-08.0983+112.1681', '\xa9xyz', 'loci', 'com.apple.quicktime', 'Budi Santoso', 'samsung', 'SM-A546E', 'Apple', 'iPhone 13', 'xmptk', '<x:xmpmeta'];
const leaks = (data: Buffer) => IDENTIFYING.filter((s) => data.includes(s, 0, 'latin1'));

interface Node {
  type: string;
  at: number;
  end: number;
  children?: Node[];
}
/** The box tree, walked strictly: every box must end exactly at its parent's end. */
function tree(data: Buffer, from = 0, to = data.length): Node[] {
  const out: Node[] = [];
  let i = from;
  while (i < to) {
    let size = data.readUInt32BE(i);
    if (size === 1) size = Number(data.readBigUInt64BE(i + 8));
    if (size === 0) size = to - i;
    if (size < 8 || i + size > to) throw new Error(`box at ${i} overruns its parent`);
    const type = data.toString('latin1', i + 4, i + 8);
    const node: Node = { type, at: i, end: i + size };
    if (['moov', 'trak', 'mdia', 'minf', 'stbl'].includes(type)) node.children = tree(data, i + 8, i + size);
    out.push(node);
    i += size;
  }
  return out;
}
const find = (nodes: Node[], path: string[]): Node[] => {
  const [head, ...rest] = path;
  const here = nodes.filter((n) => n.type === head);
  return rest.length ? here.flatMap((n) => find(n.children ?? [], rest)) : here;
};
const bytesOf = (data: Buffer, nodes: Node[]) => nodes.map((n) => data.subarray(n.at, n.end));

const strip = async (data: Buffer) => {
  const type = await sniffMime(data);
  const out = stripMetadata(data, type!.mimeType);
  if (!out.ok) throw new Error('refused');
  return out;
};

// ---- movies built box by box
const FTYP = box('ftyp', Buffer.from('mp42\0\0\0\0mp42isom', 'latin1'));
/** A tkhd (version 0) with a 90° rotation matrix {0, 1, 0; -1, 0, 0; 0, 0, 1} at offset 40 of its payload. */
const TKHD = (() => {
  const body = Buffer.alloc(84);
  body.writeUInt32BE(3, 0); // flags: enabled, in movie
  for (const [k, v] of [0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000].entries()) body.writeInt32BE(v, 40 + 4 * k);
  return box('tkhd', body);
})();
const XYZ = box('udta', box('\xa9xyz', Buffer.from('001115c7', 'hex'), Buffer.from('-08.0983+112.1681/', 'latin1')));

describe('stripMetadata on ISO BMFF / QuickTime video', () => {
  it('the fixtures carry GPS, make, model and names where phones put them', async () => {
    expect((await sniffMime(ANDROID))?.mimeType).toBe('video/mp4');
    expect((await sniffMime(IPHONE))?.mimeType).toBe('video/quicktime');
    expect(find(tree(ANDROID), ['moov', 'udta'])).toHaveLength(1);
    expect(find(tree(IPHONE), ['moov', 'meta'])).toHaveLength(1);
    expect(leaks(ANDROID)).toEqual(expect.arrayContaining(['-08.0983+112.1681', '\xa9xyz', 'loci', 'samsung', 'SM-A546E', 'Budi Santoso']));
    expect(leaks(IPHONE)).toEqual(expect.arrayContaining(['-08.0983+112.1681', 'com.apple.quicktime', 'Apple', 'iPhone 13', 'Budi Santoso']));
  });

  it('Android MP4 and iPhone MOV lose GPS, make, model, names and XMP; no byte moves, the media and the rotation stay', async () => {
    for (const file of [ANDROID, IPHONE]) {
      const { data: out, removed } = await strip(file);
      expect(leaks(out)).toEqual([]);
      expect(removed.length).toBeGreaterThan(0);
      expect(out.length).toBe(file.length);
      // The boxes still walk to the end of the file; same boxes at the same offsets, metadata ones now `free`.
      const before = tree(file);
      const after = tree(out);
      expect(after.map((n) => n.at)).toEqual(before.map((n) => n.at));
      expect(after.map((n) => n.type)).toEqual(before.map((n) => (['udta', 'meta', 'uuid'].includes(n.type) ? 'free' : n.type)));
      const moov = after.find((n) => n.type === 'moov')!;
      expect(moov.children!.map((n) => n.type).filter((t) => ['udta', 'meta', 'uuid'].includes(t))).toEqual([]);
      // Media data, track headers (rotation matrix), sample tables and chunk offsets: byte for byte.
      for (const path of [['mdat'], ['moov', 'mvhd'], ['moov', 'trak'], ['moov', 'trak', 'tkhd']]) {
        expect(bytesOf(out, find(after, path))).toEqual(bytesOf(file, find(before, path)));
      }
      const tkhd = find(after, ['moov', 'trak', 'tkhd'])[0]!;
      expect([out.readInt32BE(tkhd.at + 8 + 40), out.readInt32BE(tkhd.at + 8 + 44)]).toEqual([0, 0x10000]); // rotated 90°: still plays upright
    }
  });

  it('is deterministic and idempotent', async () => {
    for (const file of [ANDROID, IPHONE]) {
      const a = (await strip(file)).data;
      expect((await strip(Buffer.from(file))).data).toEqual(a);
      expect(await strip(a)).toEqual({ ok: true, data: a, removed: [] });
    }
  });

  it("a track's own udta and meta go too, and free space is zeroed; tkhd (rotation) is untouched", () => {
    const trak = box('trak', TKHD, XYZ, box('meta', Buffer.alloc(4), box('hdlr', Buffer.alloc(24)), Buffer.from('com.apple.quicktime.make Apple', 'latin1')));
    const movie = Buffer.concat([FTYP, box('moov', box('mvhd', Buffer.alloc(100)), trak, box('free', Buffer.from('old: Budi Santoso', 'latin1'))), box('mdat', Buffer.from('frames'))]);
    const out = stripMetadata(movie, 'video/mp4');
    expect(out).toMatchObject({ ok: true, removed: ['udta', 'meta', 'free'] });
    const data = (out as { data: Buffer }).data;
    expect(leaks(data)).toEqual([]);
    expect(data.includes('Budi', 0, 'latin1')).toBe(false);
    expect(data.includes(TKHD)).toBe(true);
    expect(find(tree(data), ['moov', 'trak'])[0]!.children!.map((n) => n.type)).toEqual(['tkhd', 'free', 'free']);
  });

  it("metadata in a fragmented MP4's fragments (moof, traf), in a track's media (mdia, minf) and in meco goes too; no byte moves", () => {
    const MVHD = box('mvhd', Buffer.alloc(100));
    const KEYS = box('meta', Buffer.alloc(4), box('hdlr', Buffer.alloc(24)), Buffer.from('com.apple.quicktime.location.ISO6709 -08.0983+112.1681/', 'latin1'));
    const movies = {
      moof: [box('moov', MVHD), box('moof', box('mfhd', Buffer.alloc(8)), XYZ), box('mdat', Buffer.from('frames'))],
      traf: [box('moov', MVHD), box('moof', box('mfhd', Buffer.alloc(8)), box('traf', box('tfhd', Buffer.alloc(8)), XYZ, KEYS)), box('mdat', Buffer.from('frames'))],
      mdia: [box('moov', MVHD, box('trak', TKHD, box('mdia', box('mdhd', Buffer.alloc(24)), XYZ, box('minf', box('vmhd', Buffer.alloc(12)), KEYS)))), box('mdat', Buffer.from('frames'))],
      meco: [box('meco', KEYS), box('moov', MVHD, box('meco', KEYS)), box('mdat', Buffer.from('frames'))],
    };
    for (const [where, parts] of Object.entries(movies)) {
      const movie = Buffer.concat([FTYP, ...parts]);
      const out = stripMetadata(movie, 'video/mp4');
      expect(out.ok, where).toBe(true);
      const data = (out as { data: Buffer }).data;
      expect(leaks(data), where).toEqual([]);
      expect(data.length, where).toBe(movie.length);
      expect(data.includes(TKHD) || where !== 'mdia', where).toBe(true);
    }
  });

  it('a video cut inside its media data (an interrupted upload) is stripped: every header before it was read', async () => {
    const cut = ANDROID.subarray(0, ANDROID.indexOf('mdat', 0, 'latin1') + 500);
    const out = stripMetadata(cut, 'video/mp4');
    expect(out.ok && leaks(out.data)).toEqual([]);
    expect(out.ok && out.data.length).toBe(cut.length);
  });

  it('a movie that cannot be walked and shows metadata is refused; one that shows none is stored as it is', () => {
    const broken = Buffer.concat([FTYP, box('moov', XYZ, Buffer.from('0000ffff7472616b', 'hex'))]);
    expect(stripMetadata(broken, 'video/quicktime')).toEqual({ ok: false, reason: 'malformed' });
    // An old QuickTime compressed movie header hides its udta in zlib: refused, not stored unread.
    const cmov = Buffer.concat([box('moov', box('cmov', box('dcom', Buffer.from('zlib')), box('cmvd', Buffer.alloc(4), deflateSync(XYZ)))), box('mdat')]);
    expect(stripMetadata(cmov, 'video/quicktime')).toEqual({ ok: false, reason: 'malformed' });
    const clean = Buffer.concat([FTYP, box('mdat', Buffer.from('frames')), Buffer.from('junk')]);
    expect(stripMetadata(clean, 'video/mp4')).toEqual({ ok: true, data: clean, removed: [] });
  });

  it('never throws on garbage, and its work is bounded by the file (200,000 tiny boxes in a movie: well under a second)', () => {
    for (const file of [ANDROID, IPHONE]) {
      for (let n = 0; n < 400; n++) {
        const junk = Buffer.from(file.subarray(0, (n * 29) % file.length + 8));
        junk[(n * 7919) % junk.length]! ^= 0xff;
        junk.writeUInt32BE(n % 3 === 0 ? 1 : n, Math.min(junk.length - 4, (n * 104729) % junk.length));
        for (const type of ['video/mp4', 'video/quicktime', 'audio/x-m4a', 'image/heic-sequence']) expect(() => stripMetadata(junk, type)).not.toThrow();
      }
    }
    const many = Buffer.concat([FTYP, box('moov', Buffer.concat(Array.from({ length: 200_000 }, () => box('trak', box('udta')))))]);
    const t0 = performance.now();
    expect(stripMetadata(many, 'video/mp4')).toMatchObject({ ok: true });
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
