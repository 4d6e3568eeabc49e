/**
 * Video and audio in ISO BMFF or QuickTime (MP4, MOV, 3GP, M4V, M4A): a phone writes where and
 * with what it recorded into boxes a player never needs: `udta` (Android's `©xyz` GPS, Samsung's
 * `smta`, `©mak`/`©mod`), `meta` (Apple's keys such as com.apple.quicktime.location.ISO6709,
 * make, model, software; iTunes-style tags) and vendor `uuid` boxes (XMP, Sony, Canon). They are
 * retyped `free` (a box every reader skips) with their payload zeroed, in the movie, in each
 * track and at the top level: no byte moves, so every `stco`/`co64` offset into `mdat` stays
 * right, and the media, `tkhd` (rotation matrix) and the sample tables are untouched. Existing
 * `free`/`skip`/`wide` boxes are zeroed too: an editor may have left old metadata in them.
 */

import { boxes, MalformedContainer, type Box } from './strip-isobmff.ts';

/** Descriptive boxes: nothing in them is needed to play the file. */
const METADATA = new Set(['udta', 'meta', 'uuid']);
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
  const visit = (box: Box, parent: 'file' | 'moov' | 'trak') => {
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
    } else if ((parent === 'file' && box.type === 'moov') || (parent === 'moov' && box.type === 'trak')) {
      for (const child of boxes(data, box.start, box.end)) visit(child, box.type as 'moov' | 'trak');
    }
  };
  // An upload cut inside its media data keeps what it has: every header before it was read.
  for (const box of boxes(data, 0, data.length, 'mdat')) visit(box, 'file');
  return out ?? data;
}
