import { describe, expect, it } from 'vitest';
import { generatePassword, passwordGroups } from './generated-password.ts';
import { MIN_PASSWORD_LENGTH } from './user-store.ts';

describe('generatePassword', () => {
  it('makes 16 characters no one can misread (no 0, o, 1, l, i), at least MIN_PASSWORD_LENGTH, a new one each time', () => {
    const made = Array.from({ length: 200 }, generatePassword);
    for (const p of made) {
      expect(p).toMatch(/^[a-hjkmnp-z2-9]{16}$/);
      expect(p.length).toBeGreaterThanOrEqual(MIN_PASSWORD_LENGTH);
    }
    expect(new Set(made).size).toBe(made.length);
    // Every character of the alphabet turns up: the draw is not stuck on part of it.
    expect(new Set(made.join('')).size).toBe(31);
  });

  it('shows it in 4 groups of 4 to read out', () => {
    expect(passwordGroups('k7vmq3xape4t9hbn')).toEqual(['k7vm', 'q3xa', 'pe4t', '9hbn']);
  });
});
