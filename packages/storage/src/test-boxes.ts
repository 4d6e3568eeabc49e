/** Tests' ISO BMFF builder: one box of `type` around `parts` (a 32-bit size, ISO/IEC 14496-12 4.2). */
export function box(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body]);
}
