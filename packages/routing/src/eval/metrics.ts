/** Scores routing decisions against expected OPDs. Pure; the CLI and the fixture test share it. */

/**
 * The expected "opd" of a complaint whose text names no topic the city can act on, or a unit the
 * directory has no code for: it is right when the router sends it to triage, whatever its best guess.
 */
export const TRIAGE_LABEL = 'triage';

export interface Scored {
  /** An OPD code, "external", or TRIAGE_LABEL. */
  expected: string;
  predicted: string;
  triage: boolean;
  confidence: number;
}

export interface OpdScore {
  opd: string;
  support: number;
  predicted: number;
  precision: number;
  recall: number;
}

export interface EvalReport {
  total: number;
  /**
   * predicted == expected over all lines (triaged lines count with the router's best guess); a line
   * expecting TRIAGE_LABEL is right when it was triaged.
   */
  accuracy: number;
  triageRate: number;
  /** Lines routed without triage, and how many of them went to the right OPD. */
  routed: number;
  routedPrecision: number;
  perOpd: OpdScore[];
  /** confusion[expected][predicted] = count */
  confusion: Record<string, Record<string, number>>;
  /** Reliability: for each confidence band, how often the best guess was right. */
  calibration: { from: number; to: number; count: number; accuracy: number }[];
  /** What other thresholds would do: triage rate and precision of what is routed. */
  sweep: { threshold: number; triageRate: number; routedPrecision: number }[];
}

const BANDS = [0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0001];
const SWEEP = [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6];

export function evaluate(rows: Scored[]): EvalReport {
  const total = rows.length;
  const confusion: Record<string, Record<string, number>> = {};
  let correct = 0;
  let triaged = 0;
  let routedCorrect = 0;
  // What the line counts as: its best guess, or "triage" for a triaged line that expects triage.
  const outcome = (r: Scored) => (r.expected === TRIAGE_LABEL && r.triage ? TRIAGE_LABEL : r.predicted);
  for (const r of rows) {
    const row = (confusion[r.expected] ??= {});
    const got = outcome(r);
    row[got] = (row[got] ?? 0) + 1;
    if (got === r.expected) correct++;
    if (r.triage) triaged++;
    else if (r.predicted === r.expected) routedCorrect++;
  }
  const codes = [...new Set(rows.flatMap((r) => [r.expected, outcome(r)]))].sort();
  const perOpd = codes.map((opd) => {
    const support = rows.filter((r) => r.expected === opd).length;
    const predicted = rows.filter((r) => outcome(r) === opd).length;
    const tp = rows.filter((r) => r.expected === opd && outcome(r) === opd).length;
    return { opd, support, predicted, precision: ratio(tp, predicted), recall: ratio(tp, support) };
  });
  const routed = total - triaged;
  const calibration = BANDS.slice(0, -1).map((from, i) => {
    const to = BANDS[i + 1] as number;
    const inBand = rows.filter((r) => r.confidence >= from && r.confidence < to);
    return { from, to: Math.min(to, 1), count: inBand.length, accuracy: ratio(inBand.filter((r) => r.predicted === r.expected).length, inBand.length) };
  });
  const sweep = SWEEP.map((threshold) => {
    const kept = rows.filter((r) => r.confidence >= threshold);
    return { threshold, triageRate: ratio(total - kept.length, total), routedPrecision: ratio(kept.filter((r) => r.predicted === r.expected).length, kept.length) };
  });
  return { total, accuracy: ratio(correct, total), triageRate: ratio(triaged, total), routed, routedPrecision: ratio(routedCorrect, routed), perOpd, confusion, calibration, sweep };
}

function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}
