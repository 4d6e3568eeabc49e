import { describe, expect, it } from 'vitest';
import { ChatMessage } from '@aduan/conversation';
import { makeItems, userOf, VIEWER_ID } from '../testing/ig-fixtures.ts';
import { chatMessageFor } from './item-processor.ts';
import { normalizeItem } from './normalize.ts';

/** A high or a low surrogate without its other half: JSON with one is refused by PHP's json_decode. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Every string in a value, one a line (JSON.stringify would escape a lone surrogate and hide it). */
function strings(value: unknown): string {
  const out: string[] = [];
  JSON.stringify(value, (_k, v: unknown) => (typeof v === 'string' && out.push(v), v));
  return out.join('\n');
}
const items = makeItems(5550001, Date.parse('2026-03-01T09:00:00Z'), (p) => `https://cdn.test${p}`);
const ctx = { threadId: 'th-1', viewerId: String(VIEWER_ID), account: 'pemkotblitar' };

describe('chatMessageFor', () => {
  it('cuts a long text and a name between characters, never inside an emoji', () => {
    for (let pad = 0; pad < 2; pad++) {
      const text = `${'x'.repeat(pad)}${'🙏'.repeat(2600)}`;
      const n = normalizeItem({ ...items.text, text }, ctx.viewerId);
      if (n.kind !== 'message') throw new Error('expected a message');
      const user = userOf(5550001, 'warga.blitar', `${'Siti '.repeat(23)}${'x'.repeat(pad)}🌸🌸🌸`);
      const msg = chatMessageFor(n, { ...ctx, user }, items.text, []);
      expect(msg.text!.length).toBeLessThanOrEqual(5000);
      expect(msg.reporter.name!.length).toBeLessThanOrEqual(120);
      expect(strings(msg), `pad ${pad}`).not.toMatch(LONE_SURROGATE);
      expect(ChatMessage.safeParse(msg).success).toBe(true);
    }
  });

  it('passes a story mention without words on as incidental', () => {
    const n = normalizeItem(items.mention, ctx.viewerId);
    if (n.kind !== 'message') throw new Error('expected a message');
    const msg = chatMessageFor(n, { ...ctx, user: userOf(5550001, 'toko.kue', 'Toko Kue') }, items.mention, []);
    expect(msg).toMatchObject({ text: '(Menyebut akun kami di story.)', incidental: true });
    expect(ChatMessage.parse(msg).incidental).toBe(true);
  });
});
