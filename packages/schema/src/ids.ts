import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Crockford base32: no I, L, O, U, so a ticket read aloud on radio is not misheard or misread. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function base32(bytes: Uint8Array, length: number): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += CROCKFORD[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  return out.padEnd(length, '0');
}

function timePart(ms: number): string {
  let t = Math.max(0, Math.floor(ms));
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

/** A new random complaint id: 10 chars of milliseconds + 16 random chars (ULID layout, sortable by time). */
export function newComplaintId(now: Date = new Date()): string {
  return timePart(now.getTime()) + base32(randomBytes(10), 16);
}

/**
 * A complaint id derived from what identifies it at the source (channel, account and first
 * message id; or an Idempotency-Key). The same inputs always give the same id, so a
 * redelivered message or a retried request dedupes on the BullMQ jobId.
 */
export function deterministicComplaintId(at: Date, ...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  return timePart(at.getTime()) + base32(digest, 16);
}

/** The ticket the citizen is given: PREFIX-XXXX-XXXX, derived from the id (40 bits). */
export function ticketFor(id: string, prefix = 'ADU'): string {
  const body = base32(createHash('sha256').update(`ticket:${id}`).digest(), 8);
  return `${prefix}-${body.slice(0, 4)}-${body.slice(4)}`;
}

/** Normalizes what a person typed ("adu 7k3m 9q2x", "ADU-7K3M-9Q2X") into the canonical ticket, or null. */
export function normalizeTicket(input: string): string | null {
  const cleaned = input
    .toUpperCase()
    .replace(/[^0-9A-Z]/g, '')
    .replace(/[IL]/g, '1')
    .replace(/O/g, '0');
  const m = /^([A-Z]{2,5}?)([0-9A-Z]{8})$/.exec(cleaned);
  if (!m || !m[1] || !m[2]) return null;
  if (/[U]/.test(m[2])) return null;
  return `${m[1]}-${m[2].slice(0, 4)}-${m[2].slice(4)}`;
}

/** A bearer token that proves the right to see a complaint's status: HMAC of the id. */
export function statusTokenFor(id: string, secret: string): string {
  return createHmac('sha256', secret).update(`status:${id}`).digest('base64url').slice(0, 32);
}

export function verifyStatusToken(id: string, token: string, secret: string): boolean {
  const expected = Buffer.from(statusTokenFor(id, secret));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
