import { describe, expect, it } from 'vitest';
import { wibDateTime as when } from './wib-time.ts';

const intl = new Intl.DateTimeFormat('id-ID', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Jakarta' });

describe('wibDateTime', () => {
  it('reads a moment in WIB as Intl does for id-ID', () => {
    expect(when('2026-11-28T07:05:00.000Z')).toBe('28 Nov 2026, 14.05');
    // Across the date line of WIB: 17:00 UTC is midnight in Blitar.
    expect(when('2026-12-31T16:59:59Z')).toBe('31 Des 2026, 23.59');
    expect(when('2026-12-31T17:00:00Z')).toBe('1 Jan 2027, 00.00');
  });

  it('matches Intl on every month, leap day and hour boundary, and on 2,000 random moments', () => {
    const moments: number[] = [Date.UTC(2028, 1, 28, 17, 0), Date.UTC(2028, 1, 29, 16, 59)];
    for (let m = 0; m < 12; m++) for (const h of [0, 16, 17, 23]) moments.push(Date.UTC(2026, m, 1, h, 0), Date.UTC(2026, m + 1, 0, h, 59));
    let seed = 42;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 2000; i++) moments.push(Date.UTC(2000, 0, 1) + Math.floor(next() * 60 * 365.25 * 86_400_000));
    for (const t of moments) {
      const iso = new Date(t).toISOString();
      expect(when(iso), iso).toBe(intl.format(t));
    }
  });

  it('refuses what is not a date rather than printing NaN', () => {
    expect(() => when('not a date')).toThrow(RangeError);
  });
});
