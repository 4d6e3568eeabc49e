import { withoutIdentity } from '@aduan/queue';
import type { Reporter } from '@aduan/schema';

/**
 * What the radio desk may show of a complaint's words: its board, duplicate hints and ticket
 * look-up are read by station staff of every station (not city staff) and may be read on air.
 * - Confidential (the reporter's identity must not leave the city): no text at all, and the
 *   place description without the reporter's name, handle or number. The entry is marked, so
 *   the desk says why there is no text.
 * - Anonymous (not to be named publicly): the text and place with those masked, as an OPD
 *   receives a confidential complaint's text.
 * - Otherwise the start of the text as written, but for phone numbers, e-mail addresses and
 *   NIK numbers (maskContacts): a WhatsApp or web citizen who wrote their number (or a neighbour's) in their
 *   complaint gave it to the city, not to every radio station's staff, nor to the air.
 */
export function deskDescription(text: string, landmark: string | undefined, reporter: Pick<Reporter, 'name' | 'phone' | 'handle' | 'email' | 'anonymous' | 'confidential'> | undefined): { snippet?: string; landmark?: string; confidential?: true } {
  const masked = reporter?.confidential || reporter?.anonymous;
  const place = landmark ? maskContacts(masked ? withoutIdentity(landmark, reporter) : landmark) : undefined;
  const shownPlace = place ? { landmark: place } : {};
  if (reporter?.confidential) return { ...shownPlace, confidential: true };
  // Masked before it is cut: a cut could split a phone number or name past recognising.
  return { ...shownPlace, snippet: maskContacts(masked ? withoutIdentity(text, reporter) : text).slice(0, SNIPPET_LENGTH) };
}

const HIDDEN = '[disembunyikan]';
/**
 * An Indonesian phone number however it is written: +62 or 0 first, then 7 to 13 more digits
 * with spaces, dots, dashes or brackets between ("0812-3456-7890", "+62 812 3456 7890",
 * "(0342) 801234"). A date ("02-11-2026") or an address number is not one: after the leading
 * 0 or 62 it needs an area or mobile prefix of 2–4 digits written together.
 */
const PHONE = /(?<![\d+])(?:\+?62|\(?0)[\s.-]?\(?\d{2,4}\)?(?:[\s.-]?\d){5,10}(?!\d)/g;
const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
/** A NIK or family card (KK) number: 16 digits together. */
const ID_NUMBER = /(?<!\d)\d{16}(?!\d)/g;

/** `text` with the phone numbers, e-mail addresses and NIK/KK numbers in it masked. */
export function maskContacts(text: string): string {
  return text.replace(EMAIL, HIDDEN).replace(ID_NUMBER, HIDDEN).replace(PHONE, HIDDEN);
}

const SNIPPET_LENGTH = 160;
