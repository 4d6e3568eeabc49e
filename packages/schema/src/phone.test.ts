import { describe, expect, it } from 'vitest';
import { displayPhone, normalizePhone } from './phone.ts';

describe('normalizePhone', () => {
  it.each([
    ['0812-3456-7890', '+6281234567890'],
    ['+62 812 3456 7890', '+6281234567890'],
    ['6281234567890', '+6281234567890'],
    ['81234567890', '+6281234567890'],
    ['(0342) 801234', '+62342801234'],
    ['+1 415 555 0100', '+14155550100'],
    // The trunk 0 kept after the country code, as people write it: the number WhatsApp gives.
    ['+62 0812-3456-7890', '+6281234567890'],
    ['62 0812 3456 7890', '+6281234567890'],
    ['0812.3456.7890', '+6281234567890'],
    ['0342/801234', '+62342801234'],
  ])('%s -> %s', (input, expected) => expect(normalizePhone(input)).toBe(expected));

  it.each(['', '12345', 'telepon saya', '999999999999999999', '1234567890',
    // A letter is no digit: dropping it would keep another number ("789O": an O typed for a zero).
    '0812 3456 789O', '0812-3456-7890 (WA)', '62+81234567890'])('rejects %j', (input) => expect(normalizePhone(input)).toBeNull());
});

describe('displayPhone', () => {
  it('writes an Indonesian number the local way, others as given', () => {
    expect(displayPhone('+6281234567890')).toBe('0812-3456-7890');
    expect(displayPhone('+62342801234')).toBe('0342-8012-34');
    expect(displayPhone('+6591234567')).toBe('+6591234567');
  });
});
