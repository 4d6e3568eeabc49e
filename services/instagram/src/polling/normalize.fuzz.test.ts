import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChatMessage } from '@aduan/conversation';
import type { IgThreadItem } from '../client/ig-item.ts';
import { makeItems, VIEWER_ID } from '../testing/ig-fixtures.ts';
import { chatMessageFor } from './item-processor.ts';
import { normalizeItem } from './normalize.ts';

/**
 * Property: the private API's item shapes drift (a field missing, null, emptied, or far longer
 * than usual). Starting from the real shapes of every item type the adapter knows, with any
 * such drift applied, normalizeItem does not throw and what the processor hands the
 * conversation engine is a valid ChatMessage. A throw here would stop the poll on that item
 * (the processor now skips it, but the citizen's message is still lost); an invalid message is
 * refused by the engine, the same loss.
 */
const citizen = 5550001;
const items = makeItems(citizen, Date.parse('2026-03-01T09:00:00Z'), (p) => `https://cdn.test${p}`) as unknown as Record<string, IgThreadItem>;
const ctx = { threadId: 'thread-1', viewerId: String(VIEWER_ID), user: { pk: citizen, username: 'warga', full_name: 'Warga Blitar' }, account: 'aduan.blitar' };
/** Fields the poller itself needs to place an item: drifting them is a different failure. */
const FIXED = new Set(['item_id', 'user_id', 'timestamp', 'item_type']);

/** Every path into an object, e.g. ["voice_media", "media", "audio"]. */
function paths(v: unknown, prefix: string[] = []): string[][] {
  if (v === null || typeof v !== 'object') return [];
  return Object.entries(v).flatMap(([k, c]) => (prefix.length === 0 && FIXED.has(k) ? [] : [[...prefix, k], ...paths(c, [...prefix, k])]));
}

type Drift = 'delete' | 'null' | 'empty-object' | 'empty-array' | 'empty-string' | 'long-string' | 'out-of-range';
const REPLACE: Record<Exclude<Drift, 'delete'>, unknown> = { null: null, 'empty-object': {}, 'empty-array': [], 'empty-string': '', 'long-string': `${'Jl. Merdeka '.repeat(600)}`, 'out-of-range': 1e6 };

function drift(item: IgThreadItem, changes: { at: number; how: Drift }[]): IgThreadItem {
  const copy = structuredClone(item) as unknown as Record<string, unknown>;
  for (const { at, how } of changes) {
    const all = paths(copy);
    const path = all[at % Math.max(1, all.length)];
    if (!path) continue;
    let parent = copy as Record<string, unknown>;
    for (const k of path.slice(0, -1)) parent = parent[k] as Record<string, unknown>;
    const leaf = path[path.length - 1]!;
    if (how === 'delete') delete parent[leaf];
    else parent[leaf] = structuredClone(REPLACE[how]);
  }
  return copy as unknown as IgThreadItem;
}

const drifted = fc
  .tuple(fc.constantFrom(...Object.keys(items)), fc.array(fc.record({ at: fc.nat(), how: fc.constantFrom<Drift>('delete', 'null', 'empty-object', 'empty-array', 'empty-string', 'long-string', 'out-of-range') }), { minLength: 1, maxLength: 4 }))
  .map(([name, changes]) => ({ name, item: drift(items[name]!, changes) }));

describe('normalizeItem under drifting item shapes', () => {
  it('never throws, and gives the engine a valid ChatMessage', () => {
    fc.assert(
      fc.property(drifted, ({ item }) => {
        const n = normalizeItem(item, ctx.viewerId);
        if (n.kind === 'skip') return;
        for (const m of n.media) expect(typeof m.url).toBe('string');
        const msg = chatMessageFor(n, ctx, item, []);
        const parsed = ChatMessage.safeParse(msg);
        expect(parsed.success, JSON.stringify(parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`))).toBe(true);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 2000) },
    );
  });
});
