import { additionTicket } from '@aduan/conversation/addition';
import { EXTERNAL_OPD, isSameSender, type StatusStore } from '@aduan/queue';
import type { Complaint, Routing } from '@aduan/schema';

/** What routing an addition decides; the rest of the decision is the router's as for any complaint. */
export type AdditionDecision = Pick<Routing, 'opd' | 'opdName' | 'confidence' | 'reasons' | 'note' | 'external'>;

/** What additionOutcome asks the router about the named complaint. */
export interface EarlierDecision {
  /** Whether its intake job is still to be routed (waiting, delayed, or being routed now). */
  undecided(id: string): Promise<boolean>;
  /** Its routing as last published (for an external one, the body and advice the citizen got). */
  routing(id: string): Promise<Routing | undefined>;
}

/**
 * Where an addition goes: a photo, video, voice note or location sent without words soon after
 * the citizen's complaint was acknowledged, filed by the conversation engine with a text naming
 * that complaint (additionTicket). Routed by its words, it only ever reached triage, and an admin
 * had to look up which OPD holds the named complaint.
 *
 * - `follows`: the named complaint was filed by the same sender (a text naming another citizen's
 *   complaint sends nothing there) and is with an OPD now, or outside the city's remit: the
 *   addition goes there too.
 * - `waits`: the named complaint is the same sender's but with no OPD (in triage): the
 *   addition goes to triage with a note saying so, and follows the complaint when an admin
 *   assigns it (the gateway's assignComplaint, by the link recorded with StatusStore.linkAddition).
 * - `pending`: the named complaint is not decided yet (its intake job waits behind this one, after
 *   an outage): decide again shortly.
 * - null: no addition of the same sender's complaint (unknown ticket, another sender): routed by
 *   its words, as any complaint.
 */
export type AdditionOutcome =
  | { kind: 'follows'; earlierId: string; ticket: string; decision: AdditionDecision }
  | { kind: 'waits'; earlierId: string; note: string; reason: string }
  | { kind: 'pending'; earlierId: string }
  | null;

/**
 * The complaint a chat addition's text names, by its ticket (additionTicket), when that ticket is
 * known: the complaint whose decision lock the addition's routing takes. Null for any other
 * complaint (no Redis read: one regular expression).
 */
export async function namedComplaintId(status: StatusStore, complaint: Complaint): Promise<string | null> {
  const ticket = additionTicket(complaint.text);
  if (!ticket || !complaint.source.senderId) return null;
  const id = await status.idForTicket(ticket);
  return id && id !== complaint.id ? id : null;
}

/** What becomes of `complaint`, whose text names complaint `earlierId` (namedComplaintId). */
export async function additionOutcome(status: StatusStore, complaint: Complaint, earlierId: string, earlierDecision: EarlierDecision): Promise<AdditionOutcome> {
  const ticket = additionTicket(complaint.text);
  const senderId = complaint.source.senderId;
  if (!ticket || !senderId) return null;
  let earlier = await status.get(earlierId);
  if (!earlier || earlier.channel !== complaint.channel) return null;
  if (!isSameSender(earlier, complaint.channel, senderId, complaint.reporter.phone)) return null;
  if (earlier.state === 'received') {
    if (await earlierDecision.undecided(earlier.id)) return { kind: 'pending', earlierId: earlier.id };
    // Its job may have been done between the two reads (the router routes 16 at a time): its
    // record, written before the job ends, says where it went.
    earlier = (await status.get(earlier.id)) ?? earlier;
  }
  const outside = earlier.state === 'external' ? await earlierDecision.routing(earlier.id) : undefined;
  if (outside?.external) {
    return {
      kind: 'follows',
      earlierId: earlier.id,
      ticket,
      decision: {
        opd: EXTERNAL_OPD,
        opdName: outside.opdName,
        confidence: 1,
        reasons: [`tambahan untuk aduan ${ticket} -> di luar kewenangan`],
        note: `Tambahan untuk aduan ${ticket} dari pelapor yang sama; aduan itu di luar kewenangan Pemerintah Kota.`,
        external: outside.external,
      },
    };
  }
  if (!earlier.opd || earlier.opd === EXTERNAL_OPD || earlier.state === 'triage' || earlier.state === 'external' || earlier.state === 'received') {
    return {
      kind: 'waits',
      earlierId: earlier.id,
      reason: `tambahan untuk aduan ${ticket}, yang belum di OPD mana pun`,
      note: `Tambahan untuk aduan ${ticket} dari pelapor yang sama. Aduan itu belum di OPD mana pun; tambahan ini ikut ke OPD yang ditugaskan untuk aduan itu.`,
    };
  }
  const opdName = earlier.opdName ?? earlier.opd;
  return {
    kind: 'follows',
    earlierId: earlier.id,
    ticket,
    decision: {
      opd: earlier.opd,
      opdName,
      confidence: 1,
      reasons: [`tambahan untuk aduan ${ticket} -> ${opdName}`],
      note: `Tambahan untuk aduan ${ticket} dari pelapor yang sama; dikirim ke OPD yang menangani aduan itu.`,
    },
  };
}
