import { describe, expect, it } from 'vitest';
import { jsonLines } from './json-lines.ts';

const collect = async (chunks: (string | Uint8Array)[]) => {
  const out: string[] = [];
  for await (const line of jsonLines((async function* () {
    yield* chunks;
  })())) out.push(line);
  return out;
};

describe('jsonLines', () => {
  it("splits at '\\n' only: U+2028, U+2029, U+0085 and a lone '\\r' stay inside their record", async () => {
    const records = [{ text: 'Jalan rusak\u2028di depan pasar' }, { text: 'Lampu mati\u2029sejak kemarin\u0085lagi\rlagi' }];
    const lines = await collect([records.map((r) => JSON.stringify(r)).join('\r\n') + '\n']);
    expect(lines.map((l) => JSON.parse(l))).toEqual(records);
  });

  it('keeps a line split across chunks whole, and a multi-byte character split between byte chunks', async () => {
    const bytes = new TextEncoder().encode('{"text":"Sampah 🗑️ menumpuk"}\n{"text":"akhir tanpa baris baru"}');
    const cut = bytes.indexOf(0xf0) + 2; // inside the emoji's four bytes
    expect(await collect([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(['{"text":"Sampah 🗑️ menumpuk"}', '{"text":"akhir tanpa baris baru"}']);
  });
});
