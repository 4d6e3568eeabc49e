import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Complaint } from '@aduan/schema';
import { ChatMessage } from './chat-message.ts';
import { classifyMessage } from './classify.ts';
import { buildComplaint, type StoredMessage } from './build-complaint.ts';

/**
 * Property: any burst of valid chat messages (texts up to the limit, 20 photos each, places,
 * contact cards, replies, edits and deletions aimed at any message, in any time order, filed on
 * its own or as an addition) closes into nothing or
 * into a complaint that matches the queue contract. buildComplaint parses its result, so a gap
 * would throw at close time: the conversation could then never become a complaint.
 */
const account = '+6281100000000';
const sender = '6281234567890@s.whatsapp.net';
const t0 = Date.parse('2026-01-05T01:00:00Z');
const text = fc.oneof(fc.constantFrom('halo', 'kirim', 'cek', 'lampu mati di Jl. Merdeka', ' ', '🙏'), fc.string({ maxLength: 80 }), fc.string({ minLength: 4990, maxLength: 5000 }));
const photo = fc.nat(0xfffff).map((n) => {
  const sha = n.toString(16).padStart(64, 'a');
  return { kind: 'image' as const, mimeType: 'image/jpeg', bytes: n, sha256: sha, storageKey: `sha256/${sha.slice(0, 2)}/${sha}`, caption: undefined as string | undefined };
});
const place = fc.oneof(fc.record({ lat: fc.double({ min: -90, max: 90, noNaN: true }), lon: fc.double({ min: -180, max: 180, noNaN: true }) }), fc.record({ description: fc.string({ minLength: 1, maxLength: 500 }).filter((s) => s.trim() !== '') }));

const card = fc.oneof(
  fc.record({ name: fc.oneof(fc.constantFrom('Pak RT', '🙏'), fc.string({ minLength: 120, maxLength: 120 })).filter((s) => s.trim() !== ''), phone: fc.constantFrom('+6285700000001', '081234567800', '123456') }, { requiredKeys: ['name'] }),
  fc.record({ phone: fc.constantFrom('+6285700000001', '0'.repeat(20)) }),
);

const burst = fc.integer({ min: 1, max: 25 }).chain((n) =>
  fc.tuple(
    ...Array.from({ length: n }, (_, i) =>
      fc.record(
        {
          text: fc.option(text, { nil: undefined }),
          attachments: fc.array(photo, { maxLength: 20 }),
          location: fc.option(place, { nil: undefined }),
          contacts: fc.option(fc.array(card, { minLength: 1, maxLength: 20 }), { nil: undefined }),
          quoted: fc.option(fc.record({ messageId: fc.constant(`M${Math.max(0, i - 1)}`), text: fc.string({ maxLength: 2000 }) }), { nil: undefined }),
          target: fc.option(fc.tuple(fc.constantFrom('edits', 'revokes'), fc.nat(n)), { nil: undefined }),
          dt: fc.integer({ min: -60_000, max: 600_000 }),
          name: fc.option(fc.string({ minLength: 1, maxLength: 120 }).filter((s) => s.trim() !== ''), { nil: undefined }),
        },
        { requiredKeys: ['attachments', 'dt'] },
      ),
    ),
  ),
);

type Burst = typeof burst extends fc.Arbitrary<infer T> ? T : never;

function stored(parts: Burst): StoredMessage[] {
  return parts.map((p, i) => {
    const [rel, target] = p.target ?? [];
    const m = ChatMessage.parse({
      channel: 'whatsapp', account, senderId: sender, threadId: sender, messageId: `M${i}`, at: new Date(t0 + i * 1000 + p.dt).toISOString(),
      reporter: p.name ? { name: p.name } : {},
      ...(p.text !== undefined ? { text: p.text } : {}),
      attachments: rel ? [] : p.attachments,
      ...(p.location && !rel ? { location: p.location } : {}),
      ...(p.contacts && !rel ? { contacts: p.contacts } : {}),
      ...(p.quoted && !rel ? { quoted: p.quoted } : {}),
      ...(rel === 'edits' && p.text !== undefined ? { edits: `M${target}` } : rel === 'revokes' ? { revokes: `M${target}` } : {}),
    });
    return { ...m, kind: classifyMessage(m) };
  });
}

describe('buildComplaint over arbitrary bursts', () => {
  it('gives null or a contract-valid complaint, never an error', () => {
    fc.assert(
      fc.property(burst, fc.boolean(), (parts, addition) => {
        const messages = stored(parts);
        const first = messages[0]!;
        const addendumTo = addition ? { addendumTo: { ticket: 'ADU-7K3M-9Q2X', confidential: false } } : {};
        const c = buildComplaint({ channel: 'whatsapp', account, senderId: sender, threadId: sender, firstMessageId: first.messageId, firstAt: first.at, messages }, { transport: 'baileys', ticketPrefix: 'ADU', submittedAt: new Date(t0 + 3_600_000), ...addendumTo });
        if (c) expect(Complaint.safeParse(c).success).toBe(true);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
    );
  });
});
