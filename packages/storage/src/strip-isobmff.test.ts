import { describe, expect, it } from 'vitest';
import { stripMetadata } from './strip-metadata.ts';
import { box } from './test-boxes.ts';

/** HEIF files crafted from the spec (ISO/IEC 23008-12, 14496-12) to make the iloc walk hang, allocate or throw. */

// ---- HEIF, built box by box
const fullBox = (version: number) => Buffer.from([version, 0, 0, 0]);
const FTYP = box('ftyp', Buffer.from('heic\0\0\0\0mif1heic', 'latin1'));
/** iinf with one Exif item, id 1. */
const EXIF_IINF = box('iinf', fullBox(0), Buffer.from([0, 1]), box('infe', fullBox(2), Buffer.from([0, 1, 0, 0]), Buffer.from('Exif\0', 'latin1')));

describe('stripMetadata on crafted HEIF (no hang, no huge allocation, no throw)', () => {
  it('an iloc whose items have 65535 field-less extents each is refused at once, not walked for seconds', () => {
    const items = 65535;
    // iloc version 1, every field size 0; each item: id, construction_method, data_reference_index, extent_count 0xFFFF
    const entries = Buffer.alloc(items * 8);
    for (let k = 0; k < items; k++) {
      entries.writeUInt16BE(2 + (k % 60000), k * 8);
      entries.writeUInt16BE(0xffff, k * 8 + 6);
    }
    const file = Buffer.concat([FTYP, box('meta', fullBox(0), EXIF_IINF, box('iloc', fullBox(1), Buffer.from([0, 0, 0xff, 0xff]), entries))]);
    const t0 = performance.now();
    expect(stripMetadata(file, 'image/heic')).toEqual({ ok: false, reason: 'malformed' });
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('overlapping extents of the Exif item adding up to far more than the file do not allocate their total', () => {
    // 4096 extents over a 33 KB file ask for 134 MB; the same with 65535 extents over 512 KB, 34 GB.
    const extents = 4096;
    // iloc version 0: offset and length of 4 bytes; one item (id 1, the Exif item) with `extents` extents
    const body = Buffer.alloc(10 + extents * 8);
    body[0] = 0x44;
    body.writeUInt16BE(1, 2); // item_count
    body.writeUInt16BE(1, 4); // item_ID
    body.writeUInt16BE(extents, 8); // extent_count (after data_reference_index)
    const fileLength = FTYP.length + 8 + 4 + EXIF_IINF.length + 8 + 4 + body.length;
    for (let e = 0; e < extents; e++) body.writeUInt32BE(fileLength, 10 + e * 8 + 4); // offset 0, the whole file
    const file = Buffer.concat([FTYP, box('meta', fullBox(0), EXIF_IINF, box('iloc', fullBox(0), body))]);
    expect(file.length).toBe(fileLength);
    expect(stripMetadata(file, 'image/heic')).toEqual({ ok: false, reason: 'malformed' });
  });

  it('an infe cut at the end of the file is malformed, not a RangeError', () => {
    const file = Buffer.concat([FTYP, box('meta', fullBox(0), box('iinf', fullBox(0), Buffer.from([0, 1]), box('infe', fullBox(2))))]);
    expect(() => stripMetadata(file, 'image/heic')).not.toThrow();
    expect(stripMetadata(file, 'image/heic')).toMatchObject({ ok: true, removed: [] });
  });
});
