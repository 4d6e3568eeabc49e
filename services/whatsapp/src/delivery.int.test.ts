import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deletePrefix, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { ACCOUNT, citizenMessage, intakeJobs, startHarness, testConfig, type Harness } from './test-support/harness.ts';
import { MediaServer } from './test-support/media-server.ts';

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(64, 9)]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => Math.floor(ms / 1000);

/** The harness's CONVERSATION_QUIET. */
const QUIET_MS = 1_500;

describe('WhatsApp reports delivery: the quiet period counts from the messages\' own times (real Baileys objects, real Redis)', () => {
  const url = testRedisUrl();
  const media = new MediaServer();
  let prefix: string;
  let h: Harness;

  beforeAll(() => media.start());
  afterAll(() => media.stop());
  beforeEach(async () => {
    prefix = uniquePrefix('wadel');
    h = await startHarness(testConfig(url, prefix));
    await waitFor(() => h.service.sessions.get(ACCOUNT)!.status.state === 'connected', { what: 'connected' });
  });
  afterEach(async () => {
    await h.stop();
    await deletePrefix(url, prefix);
  });

  it('files a burst whose second message came after a reconnect (as "append", with its own time) as one complaint', async () => {
    const sentAt = Date.now();
    h.socket.deliver([citizenMessage({ conversation: 'Lampu PJU di Jl. Mawar mati' }, { messageTimestamp: seconds(sentAt) })]);
    await waitFor(async () => (await h.service.pipeline.engine.openConversations()) === 1, { what: 'open conversation' });

    // The connection drops; the citizen writes on a second later, WhatsApp holds it meanwhile.
    h.holdCatchUp = true;
    const first = h.socket;
    first.closeWith(428);
    await waitFor(() => h.socket !== first && h.service.sessions.get(ACCOUNT)!.status.state === 'connected', { what: 'reconnected' });
    // Well past the quiet period on our clock while the new socket still catches up.
    await sleep(QUIET_MS + 1_500);
    expect(await intakeJobs(url, prefix)).toHaveLength(0);

    h.socket.deliver([citizenMessage({ conversation: 'di depan SDN Sentul 2, sudah seminggu' }, { messageTimestamp: seconds(sentAt) + 1 })], 'append');
    h.socket.catchUp();
    const [c, ...more] = await waitFor(async () => {
      const jobs = await intakeJobs(url, prefix);
      return jobs.length > 0 ? jobs : null;
    }, { what: 'complaint', timeoutMs: 15_000 });
    // A second complaint would be filed at most a sweep after the first.
    await sleep(1_500);
    expect(more).toHaveLength(0);
    expect(await intakeJobs(url, prefix)).toHaveLength(1);
    expect(c!.text).toBe('Lampu PJU di Jl. Mawar mati\ndi depan SDN Sentul 2, sudah seminggu');
    expect(c!.source.messageIds).toHaveLength(2);
  });

  it('files a text and a photo whose download takes longer than the quiet period as one complaint with the photo', async () => {
    const path = '/slow/photo';
    // The download takes well past the quiet period: the text alone must not be filed meanwhile.
    media.delay(path, QUIET_MS + 2_500);
    const photo = await media.add(path, PNG, 'image');
    const sentAt = Date.now();
    h.socket.deliver([citizenMessage({ conversation: 'Pohon tumbang menutup jalan' }, { messageTimestamp: seconds(sentAt) })]);
    h.socket.deliver([citizenMessage({ imageMessage: { ...photo, mimetype: 'image/jpeg' } }, { messageTimestamp: seconds(sentAt) + 1 })]);
    await waitFor(() => media.requests.get(path), { what: 'the photo download under way' });

    await sleep(QUIET_MS + 1_500);
    expect(await intakeJobs(url, prefix)).toHaveLength(0);

    const [c, ...more] = await waitFor(async () => {
      const jobs = await intakeJobs(url, prefix);
      return jobs.length > 0 ? jobs : null;
    }, { what: 'complaint', timeoutMs: 15_000 });
    await sleep(1_500);
    expect(more).toHaveLength(0);
    expect(await intakeJobs(url, prefix)).toHaveLength(1);
    expect(c!.source.messageIds).toHaveLength(2);
    expect(c!.text).toBe('Pohon tumbang menutup jalan');
    expect(c!.attachments[0]).toMatchObject({ kind: 'image', sha256: sha(PNG) });
  }, 45_000);

  it('in a flood of photos (always one downloading), files a text by its quiet period, not once the flood is over', async () => {
    // Other citizens' photos, one every 400 ms, each taking 1.5 s to download: from the first
    // on, the number always has a message in hand, as it has at a few photos a second.
    let stop = false;
    let sent = 0;
    const flood = (async () => {
      while (!stop && sent < 80) {
        const path = `/flood/${++sent}`;
        media.delay(path, 1_500);
        const photo = await media.add(path, PNG, 'image');
        h.socket.deliver([citizenMessage({ imageMessage: { ...photo, mimetype: 'image/jpeg' } }, {}, `62813000${String(sent).padStart(5, '0')}@s.whatsapp.net`)]);
        await sleep(400);
      }
    })();
    try {
      await waitFor(() => h.service.adapters.get(ACCOUNT)!.inFlight >= 2, { what: 'photos in hand' });
      h.socket.deliver([citizenMessage({ conversation: 'Lampu PJU di Jl. Mawar mati' })]);
      const mine = await waitFor(async () => (await intakeJobs(url, prefix)).find((c) => c.text === 'Lampu PJU di Jl. Mawar mati') ?? null, { what: 'the text filed', timeoutMs: 20_000 });
      // Filed while the flood goes on (it used to wait for a moment with nothing in hand: here,
      // the end of the flood; in production, CONVERSATION_MAX_OPEN).
      expect(stop).toBe(false);
      expect(h.service.adapters.get(ACCOUNT)!.inFlight).toBeGreaterThan(0);
      expect(mine.source.messageIds).toHaveLength(1);
    } finally {
      stop = true;
      await flood;
      await waitFor(() => h.service.adapters.get(ACCOUNT)!.inFlight === 0, { what: 'the flood downloaded', timeoutMs: 10_000 });
    }
  }, 60_000);
});
