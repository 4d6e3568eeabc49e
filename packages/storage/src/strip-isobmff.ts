/**
 * HEIF/HEIC/AVIF (ISO/IEC 23008-12 on ISO/IEC 14496-12): Exif and XMP are *items* whose bytes
 * the `iloc` box locates by absolute offset. Removing them would mean rewriting `iinf`, `iloc`,
 * `iref` and every offset after them; instead their bytes are blanked in place, so nothing moves
 * and the image items are untouched: the Exif item becomes an empty TIFF (no tags), the XMP
 * item an empty x:xmpmeta padded with spaces. HEIF displays its orientation from the `irot`/`imir`
 * properties, never from Exif, so nothing is lost for display.
 */

export class MalformedContainer extends Error {}

export interface Box {
  type: string;
  /** Start of the box (its size field). */
  at: number;
  /** Start of the payload (after the header). */
  start: number;
  end: number;
}

/**
 * The boxes from `from` to `to`. `cutOk` names a box type that may run past `to` (a file cut
 * inside its media data): it is taken as ending there, and is the last box.
 */
export function boxes(data: Buffer, from: number, to: number, cutOk?: string): Box[] {
  const out: Box[] = [];
  let i = from;
  while (i < to) {
    if (i + 8 > to) throw new MalformedContainer('box header cut off');
    let size = data.readUInt32BE(i);
    const type = data.toString('latin1', i + 4, i + 8);
    let header = 8;
    if (size === 1) {
      if (i + 16 > to) throw new MalformedContainer('box header cut off');
      const big = data.readBigUInt64BE(i + 8);
      size = big > BigInt(to - i) ? Infinity : Number(big);
      header = 16;
    } else if (size === 0) size = to - i;
    if (size < header) throw new MalformedContainer('box smaller than its header');
    if (i + size > to) {
      if (type !== cutOk) throw new MalformedContainer('box overruns its parent');
      size = to - i;
    }
    out.push({ type, at: i, start: i + header, end: i + size });
    i += size;
  }
  return out;
}

/** An unsigned big-endian integer of 0, 4 or 8 bytes (iloc's field sizes), read before `limit`. */
function uint(data: Buffer, at: number, bytes: number, limit = data.length): number {
  if (at + bytes > limit) throw new MalformedContainer('iloc cut off');
  if (bytes === 0) return 0;
  if (bytes === 4) return data.readUInt32BE(at);
  if (bytes === 8) return Number(data.readBigUInt64BE(at));
  if (bytes === 2) return data.readUInt16BE(at);
  throw new MalformedContainer(`iloc field of ${bytes} bytes`);
}

/** The item ids of Exif and XMP items, from `iinf`'s `infe` boxes (versions 2 and 3). */
function metadataItems(data: Buffer, iinf: Box): Map<number, 'Exif' | 'XMP'> {
  const version = data[iinf.start]!;
  const found = new Map<number, 'Exif' | 'XMP'>();
  for (const infe of boxes(data, iinf.start + 4 + (version === 0 ? 2 : 4), iinf.end)) {
    if (infe.type !== 'infe') continue;
    const v = data[infe.start]!;
    if (v < 2) continue; // versions 0/1 predate item types; HEIF requires 2 or 3
    let at = infe.start + 4;
    if (at + (v === 2 ? 2 : 4) + 2 + 4 > infe.end) throw new MalformedContainer('infe cut off');
    const id = v === 2 ? data.readUInt16BE(at) : data.readUInt32BE(at);
    at += (v === 2 ? 2 : 4) + 2;
    const itemType = data.toString('latin1', at, at + 4);
    at += 4;
    if (itemType === 'Exif') found.set(id, 'Exif');
    else if (itemType === 'mime') {
      const nameEnd = data.indexOf(0, at);
      const typeEnd = nameEnd < 0 ? -1 : data.indexOf(0, nameEnd + 1);
      if (typeEnd < 0 || typeEnd >= infe.end) throw new MalformedContainer('infe strings cut off');
      if (data.toString('latin1', nameEnd + 1, typeEnd) === 'application/rdf+xml') found.set(id, 'XMP');
    }
  }
  return found;
}

/** Blanks the Exif and XMP items of a HEIF/AVIF file in a copy; returns it and what was blanked. */
export function stripIsobmff(data: Buffer, removed: string[]): Buffer {
  const top = boxes(data, 0, data.length);
  if (top[0]?.type !== 'ftyp') throw new MalformedContainer('no ftyp');
  const meta = top.find((b) => b.type === 'meta');
  if (!meta) return data;
  const children = boxes(data, meta.start + 4, meta.end);
  const iinf = children.find((b) => b.type === 'iinf');
  const iloc = children.find((b) => b.type === 'iloc');
  if (!iinf) return data;
  const targets = metadataItems(data, iinf);
  if (targets.size === 0) return data;
  if (!iloc) throw new MalformedContainer('items without iloc');
  const idat = children.find((b) => b.type === 'idat');

  const out = Buffer.from(data);
  const v = data[iloc.start]!;
  // Every read stays inside the iloc box: its counts cannot make the loops outlast its bytes.
  const end = iloc.end;
  const u = (at: number, bytes: number) => uint(data, at, bytes, end);
  let at = iloc.start + 4;
  if (at + 2 > end) throw new MalformedContainer('iloc cut off');
  const offsetSize = data[at]! >> 4;
  const lengthSize = data[at]! & 0x0f;
  const baseOffsetSize = data[at + 1]! >> 4;
  const indexSize = v === 1 || v === 2 ? data[at + 1]! & 0x0f : 0;
  at += 2;
  const count = v < 2 ? u(at, 2) : u(at, 4);
  at += v < 2 ? 2 : 4;
  for (let n = 0; n < count; n++) {
    const id = v < 2 ? u(at, 2) : u(at, 4);
    at += v < 2 ? 2 : 4;
    const method = v === 1 || v === 2 ? u(at, 2) & 0x0f : 0;
    if (v === 1 || v === 2) at += 2;
    at += 2; // data_reference_index
    const base = u(at, baseOffsetSize);
    at += baseOffsetSize;
    const extents = u(at, 2);
    at += 2;
    // Extents with no bytes of their own (all field sizes 0) would spin in place: 65535 of them per item.
    if (extents > 1 && indexSize + offsetSize + lengthSize === 0) throw new MalformedContainer('iloc extents without fields');
    const kind = targets.get(id);
    const spans: [number, number][] = [];
    let total = 0;
    for (let e = 0; e < extents; e++) {
      at += indexSize;
      const offset = u(at, offsetSize);
      const length = u(at + offsetSize, lengthSize);
      at += offsetSize + lengthSize;
      if (!kind) continue;
      if (method > 1 || (method === 1 && !idat)) throw new MalformedContainer('metadata item not in this file');
      const start = (method === 1 ? idat!.start : 0) + base + offset;
      if (length === 0 || start + length > (method === 1 ? idat!.end : data.length)) throw new MalformedContainer('metadata extent outside the file');
      spans.push([start, length]);
      // Overlapping extents could add up to far more than the file: blank() allocates their total.
      total += length;
      if (total > data.length) throw new MalformedContainer('metadata extents longer than the file');
    }
    if (!kind) continue;
    blank(out, spans, kind);
    removed.push(kind);
    targets.delete(id);
  }
  if (targets.size > 0) throw new MalformedContainer('metadata item without a location');
  return out;
}

/** Exif: a 4-byte offset (0), then a big-endian TIFF whose IFD0 has no entries. */
const EMPTY_EXIF = Buffer.from('00000000' + '4d4d002a00000008' + '0000' + '00000000', 'hex');
/** XMP: an empty x:xmpmeta element, then spaces (XML whitespace). */
const EMPTY_XMP = Buffer.from('<x:xmpmeta xmlns:x="adobe:ns:meta/"/>', 'latin1');

function blank(out: Buffer, spans: [number, number][], kind: 'Exif' | 'XMP'): void {
  const total = spans.reduce((s, [, l]) => s + l, 0);
  const fill = Buffer.alloc(total, kind === 'XMP' ? 0x20 : 0);
  const empty = kind === 'Exif' ? EMPTY_EXIF : EMPTY_XMP;
  if (total >= empty.length) empty.copy(fill);
  let from = 0;
  for (const [start, length] of spans) {
    fill.copy(out, start, from, from + length);
    from += length;
  }
}
