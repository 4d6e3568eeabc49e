/**
 * Turns evidence scores into a confidence in 0..1:
 *   strength = 1 - exp(-top / SCALE)  how much evidence there is at all (one strong keyword, 3 -> ~0.70)
 *   share    = score / sum of scores  how clearly it points at one OPD (a tie of two -> 0.5)
 *   confidence = strength * share
 * SCALE was set once from the development split's reliability table (see README); it is not
 * tuned per sentence.
 */
export const SCALE = 1.5;

/** >1 punishes split evidence harder, <1 softer. */
export const SHARE_EXPONENT = 1;

export interface Calibration {
  scale: number;
  shareExponent: number;
}

export function strength(top: number, scale = SCALE): number {
  return top <= 0 ? 0 : 1 - Math.exp(-top / scale);
}

/** Confidences for ranked scores (highest first), rounded to 3 decimals for stable output. */
export function confidences(scores: number[], cal: Calibration = { scale: SCALE, shareExponent: SHARE_EXPONENT }): number[] {
  const top = scores[0] ?? 0;
  const sum = scores.reduce((a, b) => a + b, 0);
  if (top <= 0 || sum <= 0) return scores.map(() => 0);
  const s = strength(top, cal.scale);
  return scores.map((x) => Math.round(s * (x / sum) ** cal.shareExponent * 1000) / 1000);
}

/** Diminishing returns: the k-th piece of evidence for one OPD (strongest first) counts DECAY^k. */
export const DECAY = 0.6;

export function combine(weights: number[]): number {
  const sorted = [...weights].sort((a, b) => b - a);
  let total = 0;
  let factor = 1;
  for (const w of sorted) {
    total += w * factor;
    factor *= DECAY;
  }
  return total;
}
