/**
 * The most Instagram takes in one direct message: 1,000 characters (the app stops typing there,
 * and Meta's own messaging API refuses a longer text).
 */
export const IG_MAX_MESSAGE = 1000;

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;

/** Where to end a part of `head`: the last blank line, else sentence end, else space, in the second half if it can. */
function cutAt(head: string, max: number): number {
  const lastOf = (re: RegExp, shift: number) => {
    let at = -1;
    for (const m of head.matchAll(re)) if (m.index + shift <= max) at = m.index + shift;
    return at;
  };
  const candidates = [lastOf(/\n\s*\n/g, 0), lastOf(/[.!?](?=\s)/g, 1), lastOf(/\s/g, 0)];
  const good = candidates.find((c) => c >= max / 2);
  if (good !== undefined) return good;
  const any = candidates.find((c) => c > 0);
  if (any !== undefined) return any;
  // One word longer than a message: between characters, never inside an emoji.
  return isHighSurrogate(head.charCodeAt(max - 1)) ? max - 1 : max;
}

/**
 * A notice in the parts Instagram takes, in order, each at most `max` UTF-16 units: cut at a blank
 * line (the "cek" answer about several complaints has one between them), else at the end of a
 * sentence, else at a space. Most notices are one part.
 */
export function messageParts(text: string, max = IG_MAX_MESSAGE): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const cut = cutAt(rest.slice(0, max + 1), max);
    parts.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) parts.push(rest);
  return parts;
}
