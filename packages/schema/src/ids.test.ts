import { hash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deterministicComplaintId, newComplaintId, normalizeStatusToken, normalizeTicket, statusTokenFor, ticketFor, verifyStatusToken } from './ids.ts';
import { Complaint } from './complaint.ts';

describe('ids', () => {
  it('new ids are 26 Crockford chars, unique and sortable by time', () => {
    const a = newComplaintId(new Date('2026-01-01T00:00:00Z'));
    const b = newComplaintId(new Date('2026-01-01T00:00:01Z'));
    expect(a).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(a < b).toBe(true);
    expect(new Set(Array.from({ length: 1000 }, () => newComplaintId())).size).toBe(1000);
  });

  it('deterministic ids repeat for the same source and differ otherwise', () => {
    const at = new Date('2026-03-01T10:00:00Z');
    expect(deterministicComplaintId(at, 'whatsapp', '628', 'MSG1')).toBe(deterministicComplaintId(at, 'whatsapp', '628', 'MSG1'));
    expect(deterministicComplaintId(at, 'whatsapp', '628', 'MSG1')).not.toBe(deterministicComplaintId(at, 'whatsapp', '628', 'MSG2'));
  });

  it('tickets are short, readable and survive being read aloud and retyped', () => {
    const t = ticketFor(newComplaintId());
    expect(t).toMatch(/^ADU-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(normalizeTicket(t.toLowerCase().replace(/-/g, ' '))).toBe(t);
    expect(normalizeTicket('ADU-0000-1111'.replace(/0/g, 'O').replace(/1/g, 'l'))).toBe('ADU-0000-1111');
    expect(normalizeTicket('hello')).toBeNull();
    // A TICKET_PREFIX with I, L or O in it (BLT for Blitar, LAPOR) is read as written.
    expect(normalizeTicket('blt 7k3m 9q2x')).toBe('BLT-7K3M-9Q2X');
    expect(normalizeTicket('LAPOR-7K3M-9Q2O')).toBe('LAPOR-7K3M-9Q20');
    // The code alone is a ticket only where the deployment's prefix is known; a prefix typed wins.
    expect(normalizeTicket('7k3m 9q2x')).toBeNull();
    expect(normalizeTicket('7k3m 9q2x', 'BLT')).toBe('BLT-7K3M-9Q2X');
    expect(normalizeTicket('ADU-7K3M-9Q2X', 'BLT')).toBe('ADU-7K3M-9Q2X');
  });

  it('status tokens verify only for their own id and secret', () => {
    const id = newComplaintId();
    const tok = statusTokenFor(id, 's3cret');
    expect(verifyStatusToken(id, tok, 's3cret')).toBe(true);
    expect(verifyStatusToken(id, tok, 'other')).toBe(false);
    expect(verifyStatusToken(newComplaintId(), tok, 's3cret')).toBe(false);
    expect(verifyStatusToken(id, 'short', 's3cret')).toBe(false);
    expect(verifyStatusToken(id, '', 's3cret')).toBe(false);
  });

  it('a status token is 12 characters a person can copy by hand, and is read back as typed', () => {
    const id = newComplaintId();
    const tok = statusTokenFor(id, 's3cret');
    expect(tok).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    const code = tok.replace(/-/g, '');
    // Lower case, spaces for dashes, no separators at all, a line break from a chat app.
    for (const typed of [tok.toLowerCase(), tok.replace(/-/g, ' '), code, ` ${code.slice(0, 6)}\n${code.slice(6)} `]) expect(verifyStatusToken(id, typed, 's3cret')).toBe(true);
    // 0 and 1 written as the letters they look like.
    expect(normalizeStatusToken('0000-1111-0101'.replace(/0/g, 'o').replace(/1/g, 'l'))).toBe('0000-1111-0101');
    expect(normalizeStatusToken('0000-1111-0101'.replace(/1/g, 'I'))).toBe('0000-1111-0101');
    // One character wrong, one missing, or a U (never written) is no token of this id.
    const wrong = `${code.slice(0, 11)}${code[11] === 'A' ? 'B' : 'A'}`;
    expect(verifyStatusToken(id, wrong, 's3cret')).toBe(false);
    expect(verifyStatusToken(id, code.slice(0, 11), 's3cret')).toBe(false);
    expect(normalizeStatusToken('UUUU-UUUU-UUUU')).toBeNull();
  });

  it('tickets, status tokens and deterministic ids never change for a given input (tickets already handed out must keep working)', () => {
    // Values computed by the first release; a faster implementation must give the same bytes.
    expect(ticketFor('01KB0000000000000000000000')).toBe('ADU-TRMB-VFET');
    expect(statusTokenFor('01KB0000000000000000000000', 's3cret')).toBe('AZ99-TSAW-DAR5');
    expect(statusTokenFor('01KB0000000000000000000000', 'other')).not.toBe('AZ99-TSAW-DAR5');
    expect(statusTokenFor('01KB0000000000000000000000', 's3cret')).toBe('AZ99-TSAW-DAR5');
    // Tokens of the first format (32 base64url characters, until session 20) still verify, exactly as given.
    expect(verifyStatusToken('01KB0000000000000000000000', 'V9KdZVxqsFFblb__taojdqtrbt9koszl', 's3cret')).toBe(true);
    expect(verifyStatusToken('01KB0000000000000000000000', 'v9kdzvxqsfFblb__taojdqtrbt9koszl', 's3cret')).toBe(false);
    expect(verifyStatusToken('01KB0000000000000000000000', 'V9KdZVxqsFFblb__taojdqtrbt9koszl', 'other')).toBe(false);
    expect(deterministicComplaintId(new Date('2026-03-01T10:00:00Z'), 'whatsapp', '628', 'MSG1')).toBe('01KJMDEB802ZWZ1YDHXEZ7J1EF');
  });

  it('the id and ticket encoders write what a character-at-a-time base32 wrote, for any input', () => {
    // The first release's encoder, kept here as the reference.
    const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    const base32 = (bytes: Uint8Array, length: number) => {
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
    };
    const timePart = (ms: number) => {
      let t = ms;
      let out = '';
      for (let i = 0; i < 10; i++) {
        out = CROCKFORD[t % 32] + out;
        t = Math.floor(t / 32);
      }
      return out;
    };
    for (let i = 0; i < 2000; i++) {
      const id = newComplaintId(new Date(Date.UTC(2026, 0, 1) + i * 7_919_993));
      expect(id.slice(0, 10)).toBe(timePart(Date.UTC(2026, 0, 1) + i * 7_919_993));
      const body = base32(Buffer.from(hash('sha256', `ticket:${id}`).slice(0, 10), 'hex'), 8);
      expect(ticketFor(id, 'KBL')).toBe(`KBL-${body.slice(0, 4)}-${body.slice(4)}`);
      const at = new Date(i * 1_000_003_117);
      const part = randomBytes(8).toString('hex');
      expect(deterministicComplaintId(at, 'webform', part)).toBe(timePart(at.getTime()) + base32(hash('sha256', `webform\u0000${part}`, 'buffer'), 16));
    }
  });

  it('the complaint schema accepts generated ids and tickets', () => {
    const id = newComplaintId();
    const now = new Date().toISOString();
    const c = Complaint.parse({
      schemaVersion: 1, id, ticket: ticketFor(id), channel: 'webform', source: { account: 'web' },
      receivedAt: now, submittedAt: now, reporter: {}, text: 'Lampu PJU mati', intake: { transport: 'http' },
    });
    expect(c.reporter.anonymous).toBe(false);
    expect(c.attachments).toEqual([]);
  });
});
