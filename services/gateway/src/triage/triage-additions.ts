import type { Queue } from 'bullmq';
import { additionTicket } from '@aduan/conversation/addition';
import type { StatusStore } from '@aduan/queue';
import type { RoutedComplaint } from '@aduan/schema';
import { additionFollows } from './assign.ts';

/** The most additions one complaint's card shows (the oldest); the others are only counted. */
export const ADDITIONS_SHOWN = 10;

/** An addition as its complaint's card shows it: what the citizen sent, and whether it goes with the complaint. */
export interface AdditionView {
  id: string;
  ticket: string;
  receivedAt: string;
  attachments: RoutedComplaint['attachments'];
  location?: RoutedComplaint['location'];
  /** The lines after the addition's first (its contact cards: "Kontak: …"); absent: none. */
  words?: string;
  /** Goes where the complaint goes when an admin assigns it (additionFollows). */
  follows: boolean;
  /** Where it is now, when it does not follow: an admin sent it elsewhere on its own. */
  opdName?: string;
}

/** A complaint's additions: the first ADDITIONS_SHOWN, and how many more there are. */
export interface ComplaintAdditions {
  shown: AdditionView[];
  more: number;
}

/** The complaint an addition waiting in triage follows, itself waiting in triage. */
export interface FollowedComplaint {
  id: string;
  ticket: string;
  /** Its card is on the same page (a link to `#t-<id>`); else its ticket's look-up. */
  onPage: boolean;
}

export interface TriageAdditions {
  /** By complaint id: the additions linked to it (StatusStore.linkAddition); absent: none. */
  of: Map<string, ComplaintAdditions>;
  /** By addition id: the complaint it waits for and follows when that one is assigned. */
  follows: Map<string, FollowedComplaint>;
}

export const NO_ADDITIONS: TriageAdditions = { of: new Map(), follows: new Map() };

/**
 * What the triage page says of additions, for the complaints it shows (up to 200): each one's
 * linked additions (the photo that shows what "yang di sana itu" is), and for each addition
 * waiting in triage, the complaint it follows. Two rounds of reads, each sent at once (ioredis
 * writes every command without waiting for the one before): the links and the tickets the
 * additions name, then the additions' records (where they are now) and first routed jobs (what
 * they carry; for one `routed` dropped, its routed copy, one read more), and the links and states
 * of named complaints not on the page.
 *
 * An addition "follows" only when the ticket its text names (additionTicket) belongs to a
 * complaint that links it (the router linked it: same sender) and that complaint is in triage:
 * an assignment of that complaint then takes it along (followAdditions).
 */
export async function readAdditions(deps: { status: StatusStore; routedQueue: Queue }, complaints: RoutedComplaint[]): Promise<TriageAdditions> {
  const byTicket = new Map(complaints.map((c) => [c.ticket, c]));
  const waiting = complaints.flatMap((c) => {
    const ticket = c.routing.triage ? additionTicket(c.text) : undefined;
    return ticket && ticket !== c.ticket ? [{ addition: c, ticket }] : [];
  });
  const [links, named] = await Promise.all([
    Promise.all(complaints.map((c) => deps.status.additions(c.id))),
    Promise.all(waiting.map(({ ticket }) => byTicket.get(ticket)?.id ?? deps.status.idForTicket(ticket))),
  ]);
  const linksOf = new Map(complaints.map((c, i) => [c.id, links[i] ?? []]));
  const shownIds = [...new Set(complaints.flatMap((c) => (linksOf.get(c.id) ?? []).slice(0, ADDITIONS_SHOWN)))];
  const offPage = [...new Set(named.filter((id): id is string => !!id && !linksOf.has(id)))];
  const [records, published, away] = await Promise.all([
    Promise.all(shownIds.map((id) => deps.status.get(id))),
    // Their first routing carries what they are; once `routed` dropped it, their routed copy does.
    Promise.all(shownIds.map(async (id) => ((await deps.routedQueue.getJob(id))?.data as RoutedComplaint | undefined) ?? (await deps.status.routedCopy(id)) ?? undefined)),
    Promise.all(offPage.map((id) => Promise.all([deps.status.additions(id), deps.status.get(id)]))),
  ]);

  const seen = new Map(shownIds.map((id, i) => [id, { record: records[i], first: published[i] }]));
  const of = new Map<string, ComplaintAdditions>();
  for (const c of complaints) {
    const ids = linksOf.get(c.id) ?? [];
    const shown = ids.slice(0, ADDITIONS_SHOWN).flatMap((id) => {
      const { record, first } = seen.get(id) ?? {};
      // Linked before it is published (the router), or expired: nothing to show yet, or any more.
      if (!record || !first) return [];
      const follows = additionFollows({ triage: record.state === 'triage', opd: record.opd }, c.routing);
      const words = first.text.split('\n').slice(1).join('\n').trim();
      return [{
        id,
        ticket: first.ticket,
        receivedAt: first.receivedAt,
        attachments: first.attachments,
        ...(first.location ? { location: first.location } : {}),
        ...(words ? { words } : {}),
        follows,
        ...(!follows && (record.opdName ?? record.opd) ? { opdName: record.opdName ?? record.opd } : {}),
      } satisfies AdditionView];
    });
    if (shown.length) of.set(c.id, { shown, more: ids.length - ADDITIONS_SHOWN > 0 ? ids.length - ADDITIONS_SHOWN : 0 });
  }

  const elsewhere = new Map(offPage.map((id, i) => [id, away[i]]));
  const follows = new Map<string, FollowedComplaint>();
  waiting.forEach(({ addition, ticket }, i) => {
    const id = named[i];
    if (!id) return;
    const here = byTicket.get(ticket);
    const [linked, record] = here ? [linksOf.get(id) ?? [], undefined] : (elsewhere.get(id) ?? [[], null]);
    const inTriage = here ? here.routing.triage : record?.state === 'triage';
    if (linked.includes(addition.id) && inTriage) follows.set(addition.id, { id, ticket, onPage: !!here });
  });
  return { of, follows };
}
