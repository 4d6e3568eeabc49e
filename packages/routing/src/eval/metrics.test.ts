import { describe, expect, it } from 'vitest';
import { evaluate } from './metrics.ts';

describe('evaluate', () => {
  it('computes accuracy, triage rate, routed precision, per-OPD figures and the confusion matrix', () => {
    const r = evaluate([
      { expected: 'dishub', predicted: 'dishub', triage: false, confidence: 0.9 },
      { expected: 'dishub', predicted: 'dlh', triage: false, confidence: 0.6 },
      { expected: 'dlh', predicted: 'dlh', triage: true, confidence: 0.3 },
      { expected: 'dlh', predicted: 'dishub', triage: true, confidence: 0.2 },
    ]);
    expect(r.accuracy).toBe(0.5);
    expect(r.triageRate).toBe(0.5);
    expect(r.routed).toBe(2);
    expect(r.routedPrecision).toBe(0.5);
    expect(r.perOpd.find((o) => o.opd === 'dlh')).toMatchObject({ support: 2, predicted: 2, precision: 0.5, recall: 0.5 });
    expect(r.confusion).toEqual({ dishub: { dishub: 1, dlh: 1 }, dlh: { dlh: 1, dishub: 1 } });
    expect(r.sweep.find((s) => s.threshold === 0.5)).toEqual({ threshold: 0.5, triageRate: 0.5, routedPrecision: 0.5 });
    expect(r.calibration.find((b) => b.from === 0.8)).toMatchObject({ count: 1, accuracy: 1 });
  });
  it('counts a line expecting triage as right when it was triaged, and as a routed miss when it was not', () => {
    const r = evaluate([
      { expected: 'triage', predicted: 'diskominfotik', triage: true, confidence: 0 },
      { expected: 'triage', predicted: 'dishub', triage: false, confidence: 0.74 },
      { expected: 'dishub', predicted: 'dishub', triage: false, confidence: 0.9 },
    ]);
    expect(r.accuracy).toBeCloseTo(2 / 3);
    expect(r.triageRate).toBeCloseTo(1 / 3);
    expect(r.routed).toBe(2);
    expect(r.routedPrecision).toBe(0.5);
    expect(r.confusion).toEqual({ triage: { triage: 1, dishub: 1 }, dishub: { dishub: 1 } });
    expect(r.perOpd.find((o) => o.opd === 'triage')).toMatchObject({ support: 2, predicted: 1, precision: 1, recall: 0.5 });
    expect(r.perOpd.find((o) => o.opd === 'dishub')).toMatchObject({ support: 1, predicted: 2, precision: 0.5, recall: 1 });
    expect(r.perOpd.some((o) => o.opd === 'diskominfotik')).toBe(false);
  });
  it('does not divide by zero on an empty file', () => {
    expect(evaluate([])).toMatchObject({ total: 0, accuracy: 0, routedPrecision: 0 });
  });
});
