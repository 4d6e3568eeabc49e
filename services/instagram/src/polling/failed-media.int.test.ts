import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { FakeIgClient } from '../testing/fake-ig-client.ts';
import { buildRig, MP4, queuedJobs, startMediaServer, testEnv, intakeQueue, type Rig } from '../testing/harness.ts';
import { makeItems, threadOf, userOf } from '../testing/ig-fixtures.ts';

const url = testRedisUrl();

describe('Instagram media that cannot be stored (fake client seam, real Redis, real conversation engine)', () => {
  let prefix: string;
  let media: Awaited<ReturnType<typeof startMediaServer>>;
  let rig: Rig;
  let client: FakeIgClient;
  const closeAll = () => rig.pipeline.engine.closeAll({ channel: 'instagram', account: 'pemkotblitar' });
  /** What was queued to a chat, in the order queued (notify.instagram sends in that order). */
  const noticesTo = (thread: string) => rig.notifications.filter((n) => n.to === thread);

  beforeEach(async () => {
    prefix = uniquePrefix('ig-failed-media');
    // The video is over MEDIA_MAX_BYTES; '/photo.png' is not served (an expired CDN URL answers 404).
    media = await startMediaServer({ '/video.mp4': Buffer.concat([MP4, Buffer.alloc(4_096)]) });
    client = new FakeIgClient();
    rig = await buildRig({ redisUrl: url, prefix, client, logger: memoryLogger().logger, env: testEnv(prefix, { MEDIA_MAX_BYTES: '1024' }) });
  });
  afterEach(async () => {
    await rig.close();
    await media.close();
    await deletePrefix(url, prefix);
  });

  it('a video too big, sent after the complaint was acknowledged: no complaint of its own, and the citizen is asked for a shorter one', async () => {
    const citizen = userOf(5550001, 'warga.blitar', 'Siti Warga');
    const items = makeItems(citizen.pk, Date.now() - 120_000, media.url);
    client.inboxPages = [[threadOf({ threadId: 'th-video', user: citizen, items: [items.text] })]];
    await rig.poller.pollOnce();
    const [first] = await closeAll();
    client.inboxPages = [[threadOf({ threadId: 'th-video', user: citizen, items: [items.video, items.text] })]];
    expect((await rig.poller.pollOnce()).items).toMatchObject({ ingested: 1 });
    expect(await closeAll()).toEqual([]);

    expect((await queuedJobs(url, prefix, intakeQueue)).map((j) => j.id)).toEqual([first!.id]);
    expect(noticesTo('th-video').map((n) => [n.kind, n.text])).toEqual([
      ['ack', expect.stringContaining(first!.ticket)],
      ['guide', `Maaf, video Anda terlalu besar sehingga tidak ikut tercatat. Mohon kirim video yang lebih pendek atau foto sekarang tanpa keterangan, agar kami catat sebagai tambahan untuk aduan ${first!.ticket}.`],
    ]);
  });

  it('a photo that could not be downloaded: alone, no empty complaint; with words, filed with them, noted for the staff', async () => {
    const alone = userOf(5550002, 'warga.foto', 'Foto Saja');
    const worded = userOf(5550003, 'warga.kata', 'Dengan Kata');
    const at = Date.now() - 120_000;
    const photoOf = (u: typeof alone) => ({ ...makeItems(u.pk, at, media.url).photo, item_id: `photo-${u.pk}` });
    client.inboxPages = [[
      threadOf({ threadId: 'th-alone', user: alone, items: [photoOf(alone)] }),
      threadOf({ threadId: 'th-worded', user: worded, items: [photoOf(worded), { ...makeItems(worded.pk, at, media.url).text, item_id: `text-${worded.pk}` }] }),
    ]];
    expect((await rig.poller.pollOnce()).items).toMatchObject({ ingested: 3 });
    const filed = await closeAll();

    expect(filed.map((c) => [c.source.threadId, c.text, c.attachments.length])).toEqual([['th-worded', 'Lampu PJU di Jl. Kalimantan mati sejak seminggu\n[foto tidak dapat diunduh]', 0]]);
    expect(noticesTo('th-alone').map((n) => [n.kind, n.text])).toEqual([
      ['guide', 'Maaf, foto Anda tidak dapat kami unduh sehingga tidak ikut tercatat. Mohon kirim ulang foto tersebut, beserta keterangan apa masalahnya dan di mana lokasinya.'],
    ]);
    expect(noticesTo('th-worded').map((n) => [n.kind, n.text])).toEqual([
      ['ack', expect.stringContaining(filed[0]!.ticket)],
      ['guide', `Maaf, foto Anda tidak dapat kami unduh sehingga tidak ikut tercatat. Mohon kirim ulang foto tersebut sekarang tanpa keterangan, agar kami catat sebagai tambahan untuk aduan ${filed[0]!.ticket}.`],
    ]);
  });

  it('a view-once photo already viewed, alone: no complaint of nothing, and the citizen is asked to send it again', async () => {
    const citizen = userOf(5550004, 'warga.sekali', 'Sekali Lihat');
    const seen = { ...makeItems(citizen.pk, Date.now() - 120_000, media.url).camera, item_id: 'seen-once', visual_media: { view_mode: 'once', media: { media_type: 1 } } };
    client.inboxPages = [[threadOf({ threadId: 'th-once', user: citizen, items: [seen] })]];
    expect((await rig.poller.pollOnce()).items).toMatchObject({ ingested: 1 });
    expect(await closeAll()).toEqual([]);
    expect(await queuedJobs(url, prefix, intakeQueue)).toEqual([]);
    expect(noticesTo('th-once').map((n) => [n.kind, n.text])).toEqual([['guide', expect.stringContaining('foto Anda tidak dapat kami unduh')]]);
  });
});
