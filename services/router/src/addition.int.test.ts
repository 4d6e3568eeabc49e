import { afterAll, describe, expect, it } from 'vitest';
import { createRedis, senderFields, StatusStore } from '@aduan/queue';
import type { Complaint } from '@aduan/schema';
import { deletePrefix, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { whatsappComplaint } from '@aduan/testkit/complaints';
import { additionOutcome } from './addition.ts';

const url = testRedisUrl();
const prefix = uniquePrefix('addition');
const redis = createRedis(url, 'worker');
const status = new StatusStore(redis, prefix);

afterAll(async () => {
  redis.disconnect();
  await deletePrefix(url, prefix);
});

const chatComplaint = (text: string): Complaint => whatsappComplaint(prefix, text);

describe('additionOutcome (real Redis)', () => {
  it('reads its complaint again when that one was decided while it looked (its intake job done between the two reads): follows it, not waits in triage', async () => {
    const earlier = chatComplaint('Sampah di TPS Jl. Anggrek sudah seminggu tidak diangkut, bau busuk sekali');
    await status.recordReceived({ id: earlier.id, ticket: earlier.ticket, channel: 'whatsapp', receivedAt: earlier.receivedAt, ...senderFields('whatsapp', earlier.source.senderId, earlier.reporter.phone), replyAccount: earlier.source.account, replyTo: earlier.source.threadId! });
    const extra = chatComplaint(`(foto tambahan untuk aduan ${earlier.ticket}, dikirim setelah aduan itu tercatat)`);
    const outcome = await additionOutcome(status, extra, earlier.id, {
      // The router, at concurrency 16, finishes the earlier complaint's job right now: its record
      // says "routed" (publishRouted writes it last), then the job is done.
      undecided: async () => {
        await status.transition(earlier.id, { state: 'routed', at: new Date().toISOString(), dedupeKey: 'decision:r0', opd: 'dlh', opdName: 'Dinas Lingkungan Hidup' });
        return false;
      },
      routing: async () => undefined,
    });
    expect(outcome).toMatchObject({ kind: 'follows', earlierId: earlier.id, decision: { opd: 'dlh' } });
  });
});
