import { additionTicket } from '@aduan/conversation/addition';
import { EXTERNAL_OPD, isSameSender, type StatusStore } from '@aduan/queue';
import type { Complaint, Routing } from '@aduan/schema';

/** What routing an addition decides; the rest of the decision is the router's as for any complaint. */
export type AdditionDecision = Pick<Routing, 'opd' | 'opdName' | 'confidence' | 'reasons' | 'note'>;

/**
 * Where an addition goes: a photo, video, voice note or location sent without words soon after
 * the citizen's complaint was acknowledged, filed by the conversation engine with a text naming
 * that complaint (additionTicket). Routed by its words, it only ever reached triage, and an admin
 * had to look up which OPD holds the named complaint. It goes to that OPD when the named complaint
 * was filed by the same sender (a text naming another citizen's complaint sends nothing there) and
 * is routed to an OPD now; null otherwise (in triage, external, not routed yet, unknown): routed
 * by its words, as any complaint.
 */
export async function additionDecision(status: StatusStore, complaint: Complaint): Promise<AdditionDecision | null> {
  const ticket = additionTicket(complaint.text);
  const senderId = complaint.source.senderId;
  if (!ticket || !senderId) return null;
  const id = await status.idForTicket(ticket);
  const earlier = id ? await status.get(id) : null;
  if (!earlier || earlier.id === complaint.id || earlier.channel !== complaint.channel) return null;
  if (!isSameSender(earlier, complaint.channel, senderId, complaint.reporter.phone)) return null;
  if (!earlier.opd || earlier.opd === EXTERNAL_OPD || earlier.state === 'triage' || earlier.state === 'external') return null;
  const opdName = earlier.opdName ?? earlier.opd;
  return {
    opd: earlier.opd,
    opdName,
    confidence: 1,
    reasons: [`tambahan untuk aduan ${ticket} -> ${opdName}`],
    note: `Tambahan untuk aduan ${ticket} dari pelapor yang sama; dikirim ke OPD yang menangani aduan itu.`,
  };
}
