import { describe, expect, it } from 'vitest';
import { ComplaintRequest } from './complaint-request.ts';

const withLat = (lat: unknown) => ComplaintRequest.safeParse({ text: 'Lampu jalan mati sejak kemarin', location: { lat, lon: '112.16' } });

describe('ComplaintRequest coordinates', () => {
  it('reads the decimals a form sends', () => {
    for (const [typed, value] of [['-8.0983', -8.0983], [' 8 ', 8], ['1.', 1], ['.5', 0.5], ['5e-7', 5e-7], ['+1E1', 10]] as const) {
      const parsed = withLat(typed);
      expect(parsed.success && parsed.data.location?.lat, typed).toBe(value);
    }
    for (const typed of ['0x10', '1..2', '.', 'e5', '1e', '--1', '8,09']) expect(withLat(typed).success, typed).toBe(false);
  });

  // Under the old pattern (`\d+\.?\d*`) this took tens of seconds of one event loop, past the
  // test's timeout: an anonymous request could stop intake and routing.
  it('refuses a very long run of digits at once', () => {
    const parsed = withLat(`${'1'.repeat(120_000)}x`);
    expect(parsed.success).toBe(false);
    expect(withLat('1'.repeat(120_000)).success).toBe(false);
  });
});
