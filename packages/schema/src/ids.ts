import { createHmac, createSecretKey, hash, randomFillSync, timingSafeEqual, type KeyObject } from 'node:crypto';

/**
 * Random bytes for ids come from a pool refilled 4 KiB at a time: one randomBytes() call per
 * complaint was 3% of the gateway's CPU at full load. Same CSPRNG, fewer calls.
 */
const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let poolOffset = POOL_SIZE;
/** Takes n random bytes from the pool; returns where they start in `pool`. */
function pooledRandom(n: number): number {
  if (poolOffset + n > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const start = poolOffset;
  poolOffset += n;
  return start;
}

/** Crockford base32: no I, L, O, U, so a ticket read aloud on radio is not misheard or misread. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODES = Buffer.from(CROCKFORD, 'latin1');
const DASH = 0x2d;

/**
 * Where an id's or a ticket's characters are written before they become one string: building
 * them a character at a time made a string per character (~1 KB of garbage per complaint).
 * Every writer below fills it and reads it back synchronously.
 */
const chars = Buffer.alloc(26);

/**
 * Writes `length` base32 characters of bytes[start, end) (most significant bit first; five bits
 * a character; what is left over is dropped, and missing characters are '0') to chars at `at`.
 */
function writeBase32(bytes: Uint8Array, start: number, end: number, length: number, at: number): void {
  let n = 0;
  let buffer = 0;
  let bits = 0;
  for (let i = start; i < end && n < length; i++) {
    buffer = (buffer << 8) | bytes[i]!;
    bits += 8;
    while (bits >= 5 && n < length) {
      chars[at + n++] = CODES[(buffer >>> (bits - 5)) & 31]!;
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  chars.fill(CODES[0]!, at + n, at + length);
}

/** Writes the 10 characters of a time in ms (base32, most significant first) to chars at 0. */
function writeTime(ms: number): void {
  let t = Math.max(0, Math.floor(ms));
  for (let i = 9; i >= 0; i--) {
    chars[i] = CODES[t % 32]!;
    t = Math.floor(t / 32);
  }
}

/** A new random complaint id: 10 chars of milliseconds + 16 random chars (ULID layout, sortable by time). */
export function newComplaintId(now: Date = new Date()): string {
  writeTime(now.getTime());
  const start = pooledRandom(10);
  writeBase32(pool, start, start + 10, 16, 10);
  return chars.toString('latin1', 0, 26);
}

/**
 * A complaint id derived from what identifies it at the source (channel, account and first
 * message id; or an Idempotency-Key). The same inputs always give the same id, so a
 * redelivered message or a retried request dedupes on the BullMQ jobId.
 */
export function deterministicComplaintId(at: Date, ...parts: string[]): string {
  const digest = hash('sha256', parts.join('\u0000'), 'buffer');
  writeTime(at.getTime());
  writeBase32(digest, 0, digest.length, 16, 10);
  return chars.toString('latin1', 0, 26);
}

/** The ticket the citizen is given: PREFIX-XXXX-XXXX, derived from the id (40 bits). */
export function ticketFor(id: string, prefix = 'ADU'): string {
  // The hash's first 40 bits as a number (a 'buffer' digest allocates an ArrayBuffer per call),
  // written as 8 base32 characters, most significant first, with a dash in the middle.
  let v = Number.parseInt(hash('sha256', `ticket:${id}`).slice(0, 10), 16);
  for (let i = 8; i >= 0; i--) {
    if (i === 4) {
      chars[i] = DASH;
      continue;
    }
    chars[i] = CODES[v % 32]!;
    v = Math.floor(v / 32);
  }
  return `${prefix}-${chars.toString('latin1', 0, 9)}`;
}

/**
 * `length` Crockford characters as they are written, in groups of four joined by dashes
 * ("7K3M-9Q2X"), from what a person typed without separators: I and L read as 1, O as 0; null
 * when it cannot be that (U never occurs).
 */
function readCode(typed: string, length: number): string | null {
  const code = typed.toUpperCase().replace(/[IL]/g, '1').replace(/O/g, '0');
  if (code.length !== length || !/^[0-9A-Z]+$/.test(code) || code.includes('U')) return null;
  return code.match(/.{4}/g)!.join('-');
}

/** A ticket's 8-character code as ticketFor writes it, "7K3M-9Q2X", from what a person typed without separators; null when it cannot be one. */
export const normalizeTicketCode = (typed: string): string | null => readCode(typed, 8);

/**
 * Normalizes what a person typed ("adu 7k3m 9q2x", "ADU-7K3M-9Q2X") into the canonical ticket, or
 * null. With `prefix` (TICKET_PREFIX), the eight code characters alone ("7k3m 9q2x", as a caller
 * may read them) are that prefix's ticket.
 */
export function normalizeTicket(input: string, prefix?: string): string | null {
  const m = /^([A-Z]{2,5}?)?([0-9A-Z]{8})$/.exec(input.toUpperCase().replace(/[^0-9A-Z]/g, ''));
  const ticketPrefix = m?.[1] ?? prefix?.toUpperCase();
  if (!m?.[2] || !ticketPrefix) return null;
  // Misread letters are mapped in the code only: a prefix such as BLT or LAPOR keeps its letters.
  const code = normalizeTicketCode(m[2]);
  return code ? `${ticketPrefix}-${code}` : null;
}

// Importing the secret as a KeyObject once, not on every token.
let cachedKey: { secret: string; key: KeyObject } | undefined;
function secretKey(secret: string): KeyObject {
  if (cachedKey?.secret !== secret) cachedKey = { secret, key: createSecretKey(Buffer.from(secret, 'utf8')) };
  return cachedKey.key;
}

/**
 * A bearer token that proves the right to see a complaint's status: HMAC of the id, its first
 * 60 bits as 12 Crockford base32 characters, "7K3M-9Q2X-4HCE". A citizen copies it by hand from
 * the thank-you page or hears it read out, so it has the ticket's alphabet (no I, L, O, U) and
 * is typed back in any case, with or without dashes (ADR 0004).
 */
export function statusTokenFor(id: string, secret: string): string {
  const digest = createHmac('sha256', secretKey(secret)).update(`status:${id}`).digest();
  writeBase32(digest, 0, 8, 12, 0);
  // XXXXXXXXXXXX -> XXXX-XXXX-XXXX, in place.
  chars.copyWithin(10, 8, 12);
  chars[9] = DASH;
  chars.copyWithin(5, 4, 8);
  chars[4] = DASH;
  return chars.toString('latin1', 0, 14);
}

/** Tokens handed out before session 20: 32 base64url characters of the same HMAC, case-sensitive. */
const LEGACY_TOKEN = /^[A-Za-z0-9_-]{32}$/;
function legacyStatusToken(id: string, secret: string): string {
  return createHmac('sha256', secretKey(secret)).update(`status:${id}`).digest('base64url').slice(0, 32);
}

/**
 * A status token as statusTokenFor writes it, from what a person typed ("7k3m 9q2x 4hce",
 * "7K3M9Q2X4HCE"): I and L read as 1, O as 0; null when it cannot be one.
 */
export function normalizeStatusToken(typed: string): string | null {
  return readCode(typed.replace(/[^0-9A-Za-z]/g, ''), 12);
}

/** Whether `token` (as typed: whitespace, dashes and case forgiven; or a legacy token, exactly) is this id's. */
export function verifyStatusToken(id: string, token: string, secret: string): boolean {
  const compact = token.replace(/\s+/g, '');
  const legacy = LEGACY_TOKEN.test(compact);
  const given = legacy ? compact : normalizeStatusToken(compact);
  if (!given) return false;
  const expected = Buffer.from(legacy ? legacyStatusToken(id, secret) : statusTokenFor(id, secret));
  const bytes = Buffer.from(given);
  return bytes.length === expected.length && timingSafeEqual(bytes, expected);
}
