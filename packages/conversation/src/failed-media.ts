import type { Attachment } from '@aduan/schema';
import type { FailedMedia } from './chat-message.ts';

/** What the citizen and the staff call each kind of file. */
export const KIND_WORDS: Record<Attachment['kind'], string> = { image: 'foto', video: 'video', audio: 'pesan suara', document: 'dokumen', sticker: 'stiker' };

/** Media that failed alike, counted: the complaint's note and the citizen's notice name each group once. */
export interface FailedGroup {
  kind: FailedMedia['kind'];
  reason: FailedMedia['reason'];
  count: number;
}

/** Groups by reason and kind, in the order first met. */
export function groupFailed(failed: FailedMedia[]): FailedGroup[] {
  const groups = new Map<string, FailedGroup>();
  for (const f of failed) {
    const key = `${f.reason}\u0000${f.kind}`;
    const g = groups.get(key);
    if (g) g.count++;
    else groups.set(key, { ...f, count: 1 });
  }
  return [...groups.values()];
}

/** "foto", "2 foto". */
export function countedWord(g: Pick<FailedGroup, 'kind' | 'count'>): string {
  return g.count > 1 ? `${g.count} ${KIND_WORDS[g.kind]}` : KIND_WORDS[g.kind];
}

/** Worded as the WhatsApp adapter wrote them into the text before (the staff know these notes). */
const NOTES: Record<FailedMedia['reason'], (what: string) => string> = {
  'too-big': (what) => `[${what} tidak disimpan: terlalu besar]`,
  'download-failed': (what) => `[${what} tidak dapat diunduh]`,
  unreadable: (what) => `[${what} rusak, tidak dapat dibaca]`,
  unsupported: (what) => `[${what} tidak disimpan: formatnya tidak didukung]`,
};

/**
 * Our lines at the end of a complaint's text, so that the admin and the OPD know the citizen sent
 * a file that is not among the attachments: "[video tidak disimpan: terlalu besar]". Not the
 * citizen's words: they never make a burst worded.
 */
export function failedMediaNotes(failed: FailedMedia[]): string[] {
  return groupFailed(failed).map((g) => NOTES[g.reason](countedWord(g)));
}
