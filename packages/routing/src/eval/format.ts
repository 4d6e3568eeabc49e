import type { EvalReport } from './metrics.ts';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** A plain-text report for people: headline figures, per-OPD table, then the confusion matrix. */
export function formatReport(r: EvalReport, threshold: number): string {
  const lines = [
    `lines: ${r.total}`,
    `accuracy: ${pct(r.accuracy)}  (best guess, triaged lines included)`,
    `triage rate: ${pct(r.triageRate)}  (threshold ${threshold})`,
    `precision of routed (not triaged): ${pct(r.routedPrecision)}  (${r.routed} lines)`,
    '',
    'opd                  support  predicted  precision  recall',
  ];
  for (const o of r.perOpd) {
    lines.push(`${o.opd.padEnd(20)} ${String(o.support).padStart(7)}  ${String(o.predicted).padStart(9)}  ${pct(o.precision).padStart(9)}  ${pct(o.recall).padStart(6)}`);
  }
  lines.push('', 'confusion (rows: expected, columns: predicted; only non-zero cells off the diagonal)');
  for (const expected of Object.keys(r.confusion).sort()) {
    const row = r.confusion[expected] ?? {};
    const hits = row[expected] ?? 0;
    const misses = Object.entries(row)
      .filter(([p]) => p !== expected)
      .sort((a, b) => b[1] - a[1])
      .map(([p, n]) => `${p}:${n}`);
    lines.push(`${expected.padEnd(20)} ok:${hits}${misses.length ? `  -> ${misses.join(' ')}` : ''}`);
  }
  lines.push('', 'reliability (confidence band: lines, share right)');
  for (const b of r.calibration) if (b.count > 0) lines.push(`  ${b.from.toFixed(1)}-${b.to.toFixed(1)}: ${String(b.count).padStart(4)}  ${pct(b.accuracy)}`);
  lines.push('', 'other thresholds (threshold: triage rate, precision of routed)');
  for (const s of r.sweep) lines.push(`  ${s.threshold.toFixed(2)}: ${pct(s.triageRate).padStart(6)}  ${pct(s.routedPrecision)}`);
  return lines.join('\n');
}
