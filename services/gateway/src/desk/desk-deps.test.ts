import { describe, expect, it } from 'vitest';
import { localDayRange } from './desk-deps.ts';

describe('localDayRange', () => {
  it('uses the station day (WIB), not the UTC day', () => {
    // 2026-11-28 18:30 UTC is 2026-11-29 01:30 WIB.
    const r = localDayRange(Date.parse('2026-11-28T18:30:00Z'), 420);
    expect(r.day).toBe('2026-11-29');
    expect(new Date(r.start).toISOString()).toBe('2026-11-28T17:00:00.000Z');
    expect(r.end - r.start).toBe(86_400_000);
  });
  it('works west of Greenwich too', () => {
    const r = localDayRange(Date.parse('2026-11-28T02:00:00Z'), -300);
    expect(r.day).toBe('2026-11-27');
  });
});
