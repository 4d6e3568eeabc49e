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
 * - Otherwise the start of the text as written.
 */
export function deskDescription(text: string, landmark: string | undefined, reporter: Pick<Reporter, 'name' | 'phone' | 'handle' | 'email' | 'anonymous' | 'confidential'> | undefined): { snippet?: string; landmark?: string; confidential?: true } {
  const masked = reporter?.confidential || reporter?.anonymous;
  const place = landmark && masked ? withoutIdentity(landmark, reporter) : landmark;
  const shownPlace = place ? { landmark: place } : {};
  if (reporter?.confidential) return { ...shownPlace, confidential: true };
  // Masked before it is cut: a cut could split a phone number or name past recognising.
  return { ...shownPlace, snippet: (masked ? withoutIdentity(text, reporter) : text).slice(0, SNIPPET_LENGTH) };
}

const SNIPPET_LENGTH = 160;
