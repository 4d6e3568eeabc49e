/** What marks a cut: the citizen's words went on after it. */
const CUT_MARK = '…';

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;

/**
 * `text` in at most `max` UTF-16 code units (what zod's `.max()` and JavaScript's `.length`
 * count), cut between characters and marked with "…". A plain `.slice()` can cut an emoji in
 * half, and JSON with half an emoji ("\ud83d" alone) is refused by other systems' decoders (PHP's
 * json_decode: "Single unpaired UTF-16 surrogate"), so the whole complaint would be lost to them.
 * A joiner left dangling at the cut (half of 👨‍👩‍👧) and the spaces before the mark go too. The
 * result is always well-formed: half an emoji already in `text` becomes U+FFFD.
 */
export function truncateText(text: string, max: number): string;
export function truncateText(text: string | undefined, max: number): string | undefined;
export function truncateText(text: string | undefined, max: number): string | undefined {
  if (text === undefined) return undefined;
  if (text.length <= max) return text.toWellFormed();
  let end = Math.max(0, max - CUT_MARK.length);
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end--;
  return `${text.slice(0, end).replace(/[\s\u200d]+$/u, '').toWellFormed()}${CUT_MARK}`;
}
