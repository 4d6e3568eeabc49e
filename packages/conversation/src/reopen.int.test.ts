import { Queue } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRedis, QueueNames } from '@aduan/queue';
import type { Complaint, ReopenRequest } from '@aduan/schema';
import { deletePrefix, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { createTexts } from './texts.ts';
import { jid, jobs, m, rig, type Rig } from './test-support/engine-rig.ts';

/** "BELUM <ticket> <keadaannya>" on a chat (ADR 0014): the engine on real Redis. */
describe('a citizen says on their chat that a resolved complaint is not solved', () => {
  let prefix: string;
  let r: Rig;
  let reopen: Queue;
  const stranger = { senderId: '6289900001111@s.whatsapp.net', threadId: '6289900001111@s.whatsapp.net', reporter: { phone: '+6289900001111' } };
  beforeEach(async () => {
    prefix = uniquePrefix('conv-reopen');
    r = await rig(prefix, { texts: createTexts({ em: (s) => `*${s}*` }) });
    reopen = new Queue(QueueNames.reopen, { connection: createRedis(testRedisUrl(), 'client'), prefix });
  });
  afterEach(async () => {
    await reopen.close();
    await r.close();
    await deletePrefix(testRedisUrl(), prefix);
  });

  /** A complaint of this chat, routed to dishub and resolved `daysAgo` days before the rig's now. */
  async function resolved(daysAgo = 0): Promise<Complaint> {
    await r.engine.ingest(m(r, 'Jalan berlubang besar di depan SDN Sananwetan 1'));
    const [c] = await r.engine.closeAll();
    const at = (ms: number) => new Date(ms).toISOString();
    await r.status.recordReceived({ id: c!.id, ticket: c!.ticket, channel: 'whatsapp', receivedAt: c!.receivedAt });
    await r.status.transition(c!.id, { state: 'routed', opd: 'dishub', opdName: 'Dinas Perhubungan', at: at(r.now.ms - daysAgo * 86_400_000 - 60_000) });
    await r.status.transition(c!.id, { state: 'resolved', at: at(r.now.ms - daysAgo * 86_400_000) });
    return c!;
  }
  const answers = async (to = jid) => (await jobs(r.notify)).filter((n) => n.kind === 'lookup' && n.to === to).map((n) => n.text);
  const requests = async () => (await reopen.getJobs(['waiting', 'delayed', 'active', 'completed'])).map((j) => j.data as ReopenRequest);

  it('queues the reopen with the reason for the sender who filed it, and answers another chat as for a "cek" of a stranger', async () => {
    const c = await resolved();
    // As the resolved notice shows the ticket: bold, copied with its marks.
    const result = await r.engine.ingest(m(r, `BELUM *${c.ticket}* lubangnya masih ada, malah makin lebar`));
    expect(result).toMatchObject({ kind: 'check', outcome: 'lookup' });
    expect(await requests()).toMatchObject([{ complaintId: c.id, reason: 'lubangnya masih ada, malah makin lebar', via: 'whatsapp' }]);
    expect(await answers()).toEqual([`Terima kasih, keterangan Anda untuk aduan *${c.ticket}* sudah kami terima.`]);
    // No complaint was filed from it.
    expect(await jobs(r.intake)).toHaveLength(1);

    await r.engine.ingest(m(r, `belum ${c.ticket} masih rusak`, stranger));
    expect(await answers(stranger.threadId)).toEqual([`Maaf, tiket ${c.ticket} tidak ditemukan untuk nomor WhatsApp Anda. Mohon periksa kembali penulisan tiketnya.`]);
    expect(await requests()).toHaveLength(1);
  });

  it('asks for the reason when there is none, and says why when refused', async () => {
    const c = await resolved();
    await r.engine.ingest(m(r, `belum ${c.ticket.toLowerCase()}`));
    expect((await answers()).join('\n')).toContain(`ceritakan keadaannya sekarang setelah nomor tiket, contoh: BELUM ${c.ticket} lubangnya masih ada`);
    expect(await requests()).toHaveLength(0);

    const old = await resolved(15);
    await r.engine.ingest(m(r, `belum ${old.ticket} masih berlubang`));
    expect((await answers()).filter((t) => t.includes(old.ticket))).toEqual([`Mohon maaf, aduan *${old.ticket}* sudah terlalu lama selesai untuk dibuka kembali. Silakan kirim aduan baru tentang keadaannya sekarang.`]);
    expect(await requests()).toHaveLength(0);
  });

  it('leaves "belum ..." without a ticket to the complaint it is', async () => {
    await r.engine.ingest(m(r, 'belum ada tindak lanjut, lampu jalan di Jl. Kenari masih mati'));
    const [c] = await r.engine.closeAll();
    expect(c?.text).toBe('belum ada tindak lanjut, lampu jalan di Jl. Kenari masih mati');
    expect(await requests()).toHaveLength(0);
  });
});
