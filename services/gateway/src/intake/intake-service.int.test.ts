import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DurableProducer, StatusStore, createRedis } from '@aduan/queue';
import { newComplaintId, ticketFor, verifyStatusToken } from '@aduan/schema';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { hashKey } from './idempotency.ts';
import { IntakeService, type SubmitInput } from './intake-service.ts';

const url = testRedisUrl();
const prefix = uniquePrefix('intake-service');
const redis = createRedis(url, 'producer');
const mem = memoryLogger('gateway');
const producer = new DurableProducer({ connection: redis, prefix, logger: mem.logger });
const status = new StatusStore(redis, prefix);
const intakeQueue = new Queue('intake', { connection: createRedis(url, 'worker'), prefix });
const secret = 'test-secret-0123456789';

beforeAll(async () => {
  // A producer connection fails fast instead of queueing commands: wait until it is up.
  if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
});

afterAll(async () => {
  await producer.close();
  await intakeQueue.close();
  redis.disconnect();
  await deletePrefix(url, prefix);
});

/** An IntakeService whose ids come from `ids` first (then random ones). */
function serviceWith(ids: string[], ticketPrefix = 'ADU'): IntakeService {
  return new IntakeService({ producer, status, prefix, ticketPrefix, statusSecret: () => secret, logger: mem.logger, newId: (now) => ids.shift() ?? newComplaintId(now) });
}

const input = (idempotencyKey?: string): SubmitInput => ({
  request: { text: 'Lampu PJU di Jl. Merdeka mati sudah seminggu', category: 'pju' },
  attachments: [],
  channel: 'webform',
  intake: { transport: 'http' },
  account: 'web',
  ...(idempotencyKey ? { idempotencyKey } : {}),
});

describe('IntakeService: a ticket another complaint already holds', () => {
  it.each([
    ['without an Idempotency-Key', undefined],
    ['with an Idempotency-Key', 'clash-key-1'],
  ])('gives the citizen a new id and ticket, %s; the earlier ticket still finds its own complaint', async (_name, key) => {
    const [clashing, fresh, earlier] = [newComplaintId(), newComplaintId(), newComplaintId()];
    // Tickets are 40 bits of the id's hash: stand in for the rare id whose ticket is taken.
    await redis.set(`${prefix}:ticket:${ticketFor(clashing)}`, earlier);
    const result = await serviceWith([clashing, fresh]).submit(input(key));

    expect(result).toMatchObject({ id: fresh, ticket: ticketFor(fresh), outcome: 'queued' });
    expect(verifyStatusToken(fresh, result.statusToken, secret)).toBe(true);
    expect(await status.idForTicket(result.ticket)).toBe(fresh);
    expect((await status.view(fresh))?.history.map((h) => h.state)).toEqual(['received']);
    expect(await status.idForTicket(ticketFor(clashing))).toBe(earlier);
    expect(await status.get(clashing)).toBeNull();
    expect((await intakeQueue.getJob(fresh))?.data).toMatchObject({ id: fresh, ticket: ticketFor(fresh) });
    expect(await intakeQueue.getJob(clashing)).toBeUndefined();
    if (key) {
      // A retry with the key gets the same (new) answer.
      expect(await serviceWith([]).submit(input(key))).toMatchObject({ id: fresh, ticket: ticketFor(fresh), outcome: 'replayed' });
    }
  });
});

describe('IntakeService: the Idempotency-Key claim in Redis', () => {
  const claimKey = (key: string) => `${prefix}:idem:${hashKey(`webform:web:${key}`)}`;

  it('keeps the body hash, the complaint id and its ticket, not the status token; another process answers a retry with the same answer', async () => {
    const first = await serviceWith([]).submit(input('claim-key-1'));
    const stored = JSON.parse((await redis.get(claimKey('claim-key-1'))) ?? 'null') as Record<string, unknown>;
    expect(Object.keys(stored).sort()).toEqual(['bodyHash', 'id', 'receivedAt', 'ticket']);
    expect([stored.id, stored.ticket]).toEqual([first.id, first.ticket]);
    expect(JSON.stringify(stored)).not.toContain(first.statusToken);

    const retry = await serviceWith([]).submit(input('claim-key-1'));
    expect(retry).toEqual({ id: first.id, ticket: first.ticket, statusToken: first.statusToken, outcome: 'replayed' });
    // After TICKET_PREFIX changed, the retry still gets the ticket the complaint is filed under.
    expect(await serviceWith([], 'KBL').submit(input('claim-key-1'))).toMatchObject({ id: first.id, ticket: first.ticket, outcome: 'replayed' });
    expect(await status.idForTicket(first.ticket)).toBe(first.id);
    expect((await intakeQueue.getJob(first.id))?.data.intake.idempotencyKeyHash).toBe(hashKey('webform:web:claim-key-1'));
  });

  it('still answers from a claim in the earlier format, which kept the whole answer', async () => {
    const id = newComplaintId();
    const svc = serviceWith([]);
    // The body hash of this request, as the first request stored it: taken from a claim made now.
    await svc.submit(input('claim-key-probe'));
    const { bodyHash } = JSON.parse((await redis.get(claimKey('claim-key-probe'))) ?? '{}') as { bodyHash: string };
    const answer = { id, ticket: ticketFor(id), statusToken: 'stored-token-of-the-first-answer' };
    await redis.set(claimKey('claim-key-old'), JSON.stringify({ bodyHash, answer, receivedAt: '2026-11-28T01:02:03.000Z' }), 'EX', 60);

    const retry = await serviceWith([]).submit(input('claim-key-old'));
    expect(retry).toMatchObject({ id, ticket: ticketFor(id), outcome: 'replayed' });
    // The token is derived from the id with the current secret: it verifies.
    expect(verifyStatusToken(id, retry.statusToken, secret)).toBe(true);
    // The replay re-adds the complaint under its first id and receive time.
    expect((await intakeQueue.getJob(id))?.data).toMatchObject({ id, receivedAt: '2026-11-28T01:02:03.000Z' });
  });

  it('refuses the same key with another body', async () => {
    await serviceWith([]).submit(input('claim-key-2'));
    await expect(serviceWith([]).submit({ ...input('claim-key-2'), request: { text: 'Jalan berlubang di depan pasar, mohon diperbaiki' } })).rejects.toMatchObject({ code: 'idempotency_key_reused' });
  });

  it("the citizen page's retry may lack the photos and the name, phone and e-mail (the restored form has neither); an API retry may not", async () => {
    const photo = { kind: 'image' as const, mimeType: 'image/png', bytes: 68, sha256: 'a'.repeat(64), storageKey: `photos/${'a'.repeat(64)}.png` };
    const withPhoto = (key: string, retryFromRestoredForm: boolean): SubmitInput => ({ ...input(key), attachments: [photo], retryFromRestoredForm });
    const page = await serviceWith([]).submit(withPhoto('claim-key-3', true));
    expect(await serviceWith([]).submit({ ...input('claim-key-3'), retryFromRestoredForm: true })).toMatchObject({ id: page.id, ticket: page.ticket, outcome: 'replayed' });
    // Other words under the page's key are still another complaint.
    await expect(serviceWith([]).submit({ ...input('claim-key-3'), request: { text: 'Jalan berlubang di depan pasar, mohon diperbaiki' }, retryFromRestoredForm: true })).rejects.toMatchObject({ code: 'idempotency_key_reused' });
    await serviceWith([]).submit(withPhoto('claim-key-4', false));
    await expect(serviceWith([]).submit(input('claim-key-4'))).rejects.toMatchObject({ code: 'idempotency_key_reused' });
    // Sent with contact details, the answer lost; the form comes back without them (and without
    // the photo) and is sent again: the same complaint, not a second one.
    const base = input('claim-key-5');
    const named = { ...base, attachments: [photo], retryFromRestoredForm: true, request: { ...base.request, reporter: { name: 'Siti Rahayu', phone: '+6281234567890', email: 'siti@contoh.id', anonymous: false, confidential: true } } };
    const first = await serviceWith([]).submit(named);
    const restored = { ...base, retryFromRestoredForm: true, request: { ...base.request, reporter: { anonymous: false, confidential: true } } };
    expect(await serviceWith([]).submit(restored)).toMatchObject({ id: first.id, outcome: 'replayed' });
    // Ticking "Rahasia" off is another request, though.
    await expect(serviceWith([]).submit({ ...restored, request: { ...base.request, reporter: { anonymous: false, confidential: false } } })).rejects.toMatchObject({ code: 'idempotency_key_reused' });
    // The API keeps them in the comparison.
    await serviceWith([]).submit({ ...named, idempotencyKey: 'claim-key-6', retryFromRestoredForm: false });
    await expect(serviceWith([]).submit({ ...restored, idempotencyKey: 'claim-key-6', retryFromRestoredForm: false, attachments: [photo] })).rejects.toMatchObject({ code: 'idempotency_key_reused' });
  });
});
