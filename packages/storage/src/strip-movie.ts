/**
 * Video and audio in ISO BMFF or QuickTime (MP4, MOV, 3GP, M4V, M4A): a phone writes where and
 * with what it recorded into boxes a player never needs: `udta` (Android's `©xyz` GPS, Samsung's
 * `smta`, `©mak`/`©mod`), `meta` (Apple's keys such as com.apple.quicktime.location.ISO6709,
 * make, model, software; iTunes-style tags) and vendor `uuid` boxes (XMP, Sony, Canon). They are
 * retyped `free` (a box every reader skips) with their payload zeroed, in the movie, in each
 * track and at the top level: no byte moves, so every `stco`/`co64` offset into `mdat` stays
 * right, and the media, `tkhd` (rotation matrix) and the sample tables are untouched. Existing
 * `free`/`skip`/`wide` boxes are zeroed too: an editor may have left old metadata in them. Also in
 * the media (`mdia`, `minf`) and in a fragmented MP4's fragments (`moof`, `traf`).
 */

import { boxes, MalformedContainer, type Box } from './strip-isobmff.ts';

/** Descriptive boxes: nothing in them is needed to play the file (`meco`: more `meta` boxes). */
const METADATA = new Set(['udta', 'meta', 'uuid', 'meco']);
/**
 * The boxes walked into, by their parent: a `udta`, `meta` or `uuid` may sit in the movie, a
 * track, its media and media information, and in a fragmented MP4's movie fragments (`moof`)
 * and their tracks (`traf`). A fixed map, so that a crafted file cannot nest its way deeper.
 */
const CONTAINERS: Record<string, Set<string>> = {
  file: new Set(['moov', 'moof']),
  moov: new Set(['trak']),
  trak: new Set(['mdia']),
  mdia: new Set(['minf']),
  moof: new Set(['traf']),
};
/** Free space: no meaning, but it may hold bytes an editor overwrote. */
const FREE = new Set(['free', 'skip', 'wide']);
const FREE_TYPE = Buffer.from('free', 'latin1');

export interface MovieOptions {
  /** Keep a top-level `meta` (a HEIF image sequence's items live there; stripIsobmff blanks their Exif/XMP). */
  keepTopLevelMeta?: boolean;
}

/** Blanks the metadata boxes of a movie in a copy (or returns `data` when there are none). */
export function stripMovie(data: Buffer, removed: string[], opts: MovieOptions = {}): Buffer {
  let out: Buffer | undefined;
  // Each kind once: a crafted file may hold a box per 8 bytes.
  const note = (kind: string) => removed.includes(kind) || removed.push(kind);
  const isZero = (box: Box) => {
    for (let k = box.start; k < box.end; k++) if (data[k] !== 0) return false;
    return true;
  };
  const blank = (box: Box) => {
    out ??= Buffer.from(data);
    FREE_TYPE.copy(out, box.at + 4);
    out.fill(0, box.start, box.end);
    note(box.type);
  };
  const visit = (box: Box, parent: string) => {
    if (METADATA.has(box.type)) {
      if (!(parent === 'file' && box.type === 'meta' && opts.keepTopLevelMeta)) blank(box);
    } else if (FREE.has(box.type)) {
      if (!isZero(box)) {
        out ??= Buffer.from(data);
        out.fill(0, box.start, box.end);
        note('free');
      }
    } else if (box.type === 'cmov') {
      // A compressed movie header (old QuickTime): its metadata cannot be reached without inflating it.
      throw new MalformedContainer('compressed movie header');
    } else if (CONTAINERS[parent]?.has(box.type)) {
      for (const child of boxes(data, box.start, box.end)) visit(child, box.type);
    }
  };
  // An upload cut inside its media data keeps what it has: every header before it was read.
  for (const box of boxes(data, 0, data.length, 'mdat')) visit(box, 'file');
  return out ?? data;
}
