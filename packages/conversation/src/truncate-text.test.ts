import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { truncateText } from './truncate-text.ts';

/** A high or a low surrogate without its other half: JSON with one is refused by PHP's json_decode. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('truncateText', () => {
  it('leaves a text that fits as it is', () => {
    expect(truncateText('lampu mati 🙏', 13)).toBe('lampu mati 🙏');
    expect(truncateText(undefined, 10)).toBeUndefined();
  });

  it.each([
    // Each case puts an emoji (two UTF-16 units) across the cut.
    ['abcd🙏efgh', 6],
    ['abcd👍🏻👍🏻', 7],
    ['abcd👍🏻👍🏻', 8],
    ['🇮🇩🇮🇩🇮🇩', 4],
    ['😡'.repeat(3000), 5000],
  ])('never cuts %s in half (max %i units)', (text, max) => {
    const cut = truncateText(text, max)!;
    expect(cut.length).toBeLessThanOrEqual(max);
    expect(cut).not.toMatch(LONE_SURROGATE);
    expect(cut.endsWith('…')).toBe(true);
    expect(text.startsWith(cut.slice(0, -1))).toBe(true);
  });

  it('drops a joiner left dangling at the cut, and the spaces before the mark', () => {
    expect(truncateText('ab 👨‍👩‍👧 cd', 6)).toBe('ab 👨…');
    expect(truncateText('lampu mati    di sini', 15)).toBe('lampu mati…');
  });

  it('never gives more units than asked, nor a lone surrogate, for any text (one with half an emoji too)', () => {
    const halves = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
    const anyText = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 60 }),
      fc.string({ unit: 'binary', maxLength: 60 }),
      // Half an emoji already, as a careless adapter may hand over: the result is well-formed all the same.
      fc.string({ unit: fc.oneof(fc.constantFrom('a', ' ', '🙏', '\u200d'), halves), maxLength: 60 }),
    );
    fc.assert(
      fc.property(anyText, fc.integer({ min: 1, max: 80 }), (text, max) => {
        const cut = truncateText(text, max)!;
        expect(cut.length).toBeLessThanOrEqual(max);
        expect(cut).not.toMatch(LONE_SURROGATE);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 500) },
    );
  });
});
