import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deletePrefix, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { ACCOUNT, CITIZEN, citizenMessage, intakeJobs, startHarness, testConfig, type Harness } from './test-support/harness.ts';
import { MediaServer } from './test-support/media-server.ts';

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(64, 7)]);
const MP4 = Buffer.concat([Buffer.from('000000186674797069736f6d', 'hex'), Buffer.alloc(40)]);
/** Past the quiet period (1.5 s in the test config) and a sweep: whatever the burst makes is made. */
const settle = () => new Promise((r) => setTimeout(r, 2_800));

describe('a photo or video that cannot be stored (real service, fake socket, encrypted media server, real Redis)', () => {
  const url = testRedisUrl();
  const media = new MediaServer();
  let prefix: string;
  let h: Harness;
  const sentTexts = () => h.socket.sent.map((s) => [s.jid, (s.content as { text: string }).text]);

  beforeAll(() => media.start());
  afterAll(() => media.stop());
  beforeEach(async () => {
    prefix = uniquePrefix('wa-failed-media');
    h = await startHarness(testConfig(url, prefix));
    await waitFor(() => h.service.sessions.get(ACCOUNT)!.status.state === 'connected', { what: 'connected' });
  });
  afterEach(async () => {
    await h.stop();
    await deletePrefix(url, prefix);
  });

  it('sent right after a complaint, too big: no complaint of its own; the citizen is asked for a shorter video, which then adds to the complaint', async () => {
    h.socket.deliver([citizenMessage({ conversation: 'Jalan berlubang besar di Jl. Kenari depan SD' })]);
    const [first] = await waitFor(async () => ((await intakeJobs(url, prefix)).length === 1 ? intakeJobs(url, prefix) : null), { what: 'first complaint' });
    await waitFor(() => h.socket.sent.length === 1, { what: 'ack sent' });
    // The video the citizen walked over to take: over MAX_MEDIA_BYTES (1 MB in the test config).
    const video = await media.add('/big/video', MP4, 'video');
    h.socket.deliver([citizenMessage({ videoMessage: { ...video, mimetype: 'video/mp4', fileLength: 40_000_000 } })]);
    await waitFor(() => h.socket.sent.length === 2, { what: 'notice sent' });
    await settle();
    expect(await intakeJobs(url, prefix)).toHaveLength(1);
    expect(sentTexts()[1]).toEqual([CITIZEN, `Maaf, video Anda terlalu besar sehingga tidak ikut tercatat. Mohon kirim video yang lebih pendek atau foto sekarang tanpa keterangan, agar kami catat sebagai tambahan untuk aduan *${first!.ticket}*.`]);
    expect(h.socket.sent).toHaveLength(2);

    // Done as asked: a photo instead, without words, is filed as an addition to the complaint.
    const photo = await media.add('/small/photo', PNG, 'image');
    h.socket.deliver([citizenMessage({ imageMessage: { ...photo, mimetype: 'image/png' } })]);
    const added = await waitFor(async () => (await intakeJobs(url, prefix)).find((c) => c.id !== first!.id), { what: 'addition' });
    expect(added.text).toBe(`(foto tambahan untuk aduan ${first!.ticket}, dikirim setelah aduan itu tercatat)`);
    expect(added.attachments).toHaveLength(1);
  });

  it('as the first message: files no empty complaint, and asks for the photo again with the words', async () => {
    // No URL and no media key: the download fails (as an expired URL does with the phone offline).
    h.socket.deliver([citizenMessage({ imageMessage: { mimetype: 'image/jpeg' } })]);
    await waitFor(() => h.socket.sent.length === 1, { what: 'notice sent' });
    await settle();
    expect(await intakeJobs(url, prefix)).toHaveLength(0);
    // The notice says what to send; no guide besides it.
    expect(sentTexts()).toEqual([[CITIZEN, 'Maaf, foto Anda tidak dapat kami unduh sehingga tidak ikut tercatat. Mohon kirim ulang foto tersebut, beserta keterangan apa masalahnya dan di mana lokasinya.']]);
  });

  it('with words: files the words, notes the photo for the staff, and after the acknowledgement asks for the photo again', async () => {
    h.socket.deliver([citizenMessage({ imageMessage: { mimetype: 'image/jpeg', caption: 'Lampu PJU mati di Jl. Mawar' } }), citizenMessage({ conversation: 'sudah seminggu' })]);
    h.socket.deliver([citizenMessage({ conversation: 'kirim' })]);
    const [c, ...more] = await waitFor(async () => ((await intakeJobs(url, prefix)).length ? intakeJobs(url, prefix) : null), { what: 'complaint' });
    expect(more).toHaveLength(0);
    expect(c!.text).toBe('Lampu PJU mati di Jl. Mawar\nsudah seminggu\n[foto tidak dapat diunduh]');
    expect(c!.attachments).toHaveLength(0);
    await waitFor(() => h.socket.sent.length === 2, { what: 'ack and notice sent' });
    const [ack, notice] = sentTexts();
    expect(ack![1]).toContain(`nomor tiket *${c!.ticket}*`);
    expect(notice).toEqual([CITIZEN, `Maaf, foto Anda tidak dapat kami unduh sehingga tidak ikut tercatat. Mohon kirim ulang foto tersebut sekarang tanpa keterangan, agar kami catat sebagai tambahan untuk aduan *${c!.ticket}*.`]);
    await settle();
    expect(h.socket.sent).toHaveLength(2);
  });
});
