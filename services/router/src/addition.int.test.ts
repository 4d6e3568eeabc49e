import { afterAll, describe, expect, it } from 'vitest';
import { createRedis, senderFields, StatusStore } from '@aduan/queue';
import { deterministicComplaintId, ticketFor, type Complaint } from '@aduan/schema';
import { deletePrefix, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { additionOutcome } from './addition.ts';

const url = testRedisUrl();
const prefix = uniquePrefix('addition');
const redis = createRedis(url, 'worker');
const status = new StatusStore(redis, prefix);

afterAll(async () => {
  redis.disconnect();
  await deletePrefix(url, prefix);
});

let n = 0;
function chatComplaint(text: string): Complaint {
  const at = new Date();
  const id = deterministicComplaintId(at, 'whatsapp', '6281100000000', `MSG${++n}-${prefix}`);
  return {
    schemaVersion: 1, id, ticket: ticketFor(id), channel: 'whatsapp',
    source: { account: '6281100000000', senderId: '6285712345678@s.whatsapp.net', threadId: '6285712345678@s.whatsapp.net', messageIds: [`MSG${n}`] },
    receivedAt: at.toISOString(), submittedAt: at.toISOString(),
    reporter: { name: 'Pak Slamet', phone: '+6285712345678', anonymous: false, confidential: false },
    text, attachments: [], language: 'id', intake: { transport: 'baileys' },
  };
}

describe('additionOutcome (real Redis)', () => {
  it('reads its complaint again when that one was decided while it looked (its intake job done between the two reads): follows it, not waits in triage', async () => {
    const earlier = chatComplaint('Sampah di TPS Jl. Anggrek sudah seminggu tidak diangkut, bau busuk sekali');
    await status.recordReceived({ id: earlier.id, ticket: earlier.ticket, channel: 'whatsapp', receivedAt: earlier.receivedAt, ...senderFields('whatsapp', earlier.source.senderId, earlier.reporter.phone), replyAccount: earlier.source.account, replyTo: earlier.source.threadId! });
    const extra = chatComplaint(`(foto tambahan untuk aduan ${earlier.ticket}, dikirim setelah aduan itu tercatat)`);
    const outcome = await additionOutcome(status, extra, {
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
