import type { Complaint } from '@aduan/schema';
import type { DeskEntryStore } from './entry-store.ts';
import { contentWords } from './similarity.ts';
import { deskDescription } from './desk-description.ts';

/**
 * Adds a complaint of any channel to the duplicate-hint index. The router calls this for every
 * complaint it routes (it already holds the data: no extra read); an existing entry — the
 * desk's richer one for a radio call — is kept. What the desk shows of its words follows the
 * reporter's wishes (deskDescription).
 */
export async function indexComplaint(entries: DeskEntryStore, c: Complaint): Promise<void> {
  const loc = c.location;
  await entries.save(
    {
      id: c.id,
      ticket: c.ticket,
      channel: c.channel,
      ...(c.intake.station ? { station: c.intake.station } : {}),
      ...(c.intake.program ? { program: c.intake.program } : {}),
      ...(c.intake.operatorId ? { operatorId: c.intake.operatorId } : {}),
      ...(c.intake.callTime ? { callTime: c.intake.callTime } : {}),
      receivedAt: c.receivedAt,
      ...(c.category ? { category: c.category } : {}),
      ...(loc?.kelurahan ? { kelurahan: loc.kelurahan } : {}),
      ...(loc?.kecamatan ? { kecamatan: loc.kecamatan } : {}),
      ...deskDescription(c.text, loc?.description, c.reporter),
      words: contentWords(`${c.text} ${loc?.description ?? ''}`),
    },
    { onlyIfAbsent: true },
  );
}
