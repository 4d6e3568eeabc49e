/**
 * The text of an addition: a burst without words (a photo taken after walking over to the place)
 * sent soon after the citizen's complaint was acknowledged, filed naming that complaint
 * (buildComplaint's fallback text). The router reads the ticket back (additionTicket) and sends
 * the addition where that complaint is. The text and its reading live here together, in a module
 * of its own with no imports: the router (and so the all-in-one) loads this, not the conversation
 * engine.
 */
const MIDDLE = 'tambahan untuk aduan';
const END = ', dikirim setelah aduan itu tercatat)';
/** The first line; the lines after it are what the addition carries in words (contact cards: "Kontak: …"). */
const ADDITION = /^\([^()\n]+ tambahan untuk aduan ([A-Z]{2,5}-[0-9A-Z]{4}-[0-9A-Z]{4}), dikirim setelah aduan itu tercatat\)(?:\n|$)/;

/**
 * "(foto, lokasi tambahan untuk aduan ADU-…, dikirim setelah aduan itu tercatat)"; `what` as the
 * fallback text words it. buildComplaint puts the contact cards of an addition on the lines after it.
 */
export function additionText(what: string, ticket: string): string {
  return `(${what} ${MIDDLE} ${ticket}${END}`;
}

/** The ticket an addition's text names on its first line; undefined for any other text (a citizen's own words quoting it too). */
export function additionTicket(text: string): string | undefined {
  return ADDITION.exec(text)?.[1];
}
