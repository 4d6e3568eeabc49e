import { describe, expect, it } from 'vitest';
import { deterministicComplaintId, newComplaintId, normalizeTicket, statusTokenFor, ticketFor, verifyStatusToken } from './ids.ts';
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
  });

  it('status tokens verify only for their own id and secret', () => {
    const id = newComplaintId();
    const tok = statusTokenFor(id, 's3cret');
    expect(verifyStatusToken(id, tok, 's3cret')).toBe(true);
    expect(verifyStatusToken(id, tok, 'other')).toBe(false);
    expect(verifyStatusToken(newComplaintId(), tok, 's3cret')).toBe(false);
    expect(verifyStatusToken(id, 'short', 's3cret')).toBe(false);
  });

  it('tickets, status tokens and deterministic ids never change for a given input (tickets already handed out must keep working)', () => {
    // Values computed by the first release; a faster implementation must give the same bytes.
    expect(ticketFor('01KB0000000000000000000000')).toBe('ADU-TRMB-VFET');
    expect(statusTokenFor('01KB0000000000000000000000', 's3cret')).toBe('V9KdZVxqsFFblb__taojdqtrbt9koszl');
    expect(statusTokenFor('01KB0000000000000000000000', 'other')).not.toBe('V9KdZVxqsFFblb__taojdqtrbt9koszl');
    expect(statusTokenFor('01KB0000000000000000000000', 's3cret')).toBe('V9KdZVxqsFFblb__taojdqtrbt9koszl');
    expect(deterministicComplaintId(new Date('2026-03-01T10:00:00Z'), 'whatsapp', '628', 'MSG1')).toBe('01KJMDEB802ZWZ1YDHXEZ7J1EF');
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
