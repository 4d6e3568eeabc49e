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
});
