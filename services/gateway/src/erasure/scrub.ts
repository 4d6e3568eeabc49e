import { withoutIdentity } from '@aduan/queue';
import type { Complaint, Notification, Reporter, RoutedComplaint } from '@aduan/schema';

/** What stands where an address of the citizen was and the contract needs a value (`Notification.to`). */
export const ERASED = '[dihapus]';

/**
 * Everything known to name the citizen of one complaint, gathered from every copy before any is
 * rewritten: a run that stopped half-way finds what it needs in the copies it had not reached yet.
 */
export interface Identity {
  reporters: Pick<Reporter, 'name' | 'phone' | 'email' | 'handle'>[];
  /** Chat ids (a WhatsApp JID holds the phone number, an Instagram thread id leads to the account). */
  chatIds: string[];
}

export const emptyIdentity = (): Identity => ({ reporters: [], chatIds: [] });

/** Adds what `c` says about its citizen to `into`. */
export function gatherIdentity(into: Identity, c: { reporter?: Reporter | undefined; source?: { senderId?: string | undefined; threadId?: string | undefined } }): void {
  const r = c.reporter;
  if (r && (r.name || r.phone || r.email || r.handle)) into.reporters.push({ ...(r.name ? { name: r.name } : {}), ...(r.phone ? { phone: r.phone } : {}), ...(r.email ? { email: r.email } : {}), ...(r.handle ? { handle: r.handle } : {}) });
  for (const id of [c.source?.senderId, c.source?.threadId]) if (id && id !== ERASED && !into.chatIds.includes(id)) into.chatIds.push(id);
}

/**
 * Free text with the citizen's identifiers masked, as a confidential complaint's text reaches its
 * OPD (withoutIdentity): their name, number, e-mail, handle, and any chat id of theirs.
 */
export function maskIdentity(text: string, who: Identity): string {
  let t = who.reporters.reduce((s, r) => withoutIdentity(s, r), text);
  for (const id of who.chatIds) t = t.split(id).join(ERASED);
  return t;
}

/**
 * A complaint (intake) or a routing publication (routed, triage, opd.<code>) without its citizen:
 * a reporter that names nobody, flagged anonymous and confidential so that no later step (an
 * admin's re-assignment reads `routed`) shows one; no chat sender or thread; their identifiers
 * masked in the text, the place description, captions and file names, and in a routing
 * decision's note (an admin's to the OPD, or an OPD's return, "bukan kewenangan kami", which
 * may name the citizen it spoke to). The complaint's words otherwise stay: they are the
 * public-service record. A job of `opd.<code>` that carried no reporter (confidential) gets none.
 */
export function erasedComplaint<T extends Complaint | RoutedComplaint>(c: T, who: Identity): T {
  const mask = (s: string) => maskIdentity(s, who);
  const { senderId: _sender, threadId: _thread, ...source } = c.source;
  return {
    ...c,
    ...(c.reporter ? { reporter: { anonymous: true, confidential: true } } : {}),
    source,
    text: mask(c.text),
    ...(c.location?.description ? { location: { ...c.location, description: mask(c.location.description) } } : {}),
    attachments: c.attachments.map((a) => ({ ...a, ...(a.caption ? { caption: mask(a.caption) } : {}), ...(a.fileName ? { fileName: mask(a.fileName) } : {}) })),
    ...('routing' in c && c.routing.note ? { routing: { ...c.routing, note: mask(c.routing.note) } } : {}),
  };
}

/** A notice to the citizen without their chat address (a marker: the contract requires one) or identifiers in its text. */
export function erasedNotification(n: Notification, who: Identity): Notification {
  const { replyTo: _replyTo, ...rest } = n;
  return { ...rest, to: ERASED, text: maskIdentity(n.text, who) };
}

/** Whether rewriting changed anything (a second run finds nothing to do). */
export const differs = (a: unknown, b: unknown) => JSON.stringify(a) !== JSON.stringify(b);
