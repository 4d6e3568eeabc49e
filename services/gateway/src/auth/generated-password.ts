import { randomInt } from 'node:crypto';
/**
 * Lower-case letters and digits, without those mistaken for one another when read out or copied
 * from a screen (0/o, 1/l/i): 31 characters. Lower case only: no shift key on a phone.
 */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const LENGTH = 16;

/**
 * A password the admin page makes for a new account or a reset: 16 characters drawn with
 * crypto's randomInt (about 79 bits), far beyond guessing under the login throttle. Shown in 4
 * groups of 4 (passwordGroups) to be read out; typed without spaces.
 */
export function generatePassword(): string {
  let out = '';
  for (let i = 0; i < LENGTH; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/** "k7vmq3xape4t9hbn" -> ["k7vm", "q3xa", "pe4t", "9hbn"]: how the page shows it. */
export function passwordGroups(password: string): string[] {
  return password.match(/.{1,4}/g) ?? [];
}
