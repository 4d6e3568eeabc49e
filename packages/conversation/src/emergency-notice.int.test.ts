import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deletePrefix, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { createTexts } from './texts.ts';
import { jobs, m, rig, type Rig } from './test-support/engine-rig.ts';

const texts = createTexts({ em: (s) => `*${s}*` });

describe('ConversationEngine: a message that tells of an emergency happening now (real Redis)', () => {
  let prefix: string;
  let r: Rig;
  beforeEach(async () => {
    prefix = uniquePrefix('emergency');
    r = await rig(prefix, { texts });
  });
  afterEach(async () => {
    await r.close();
    await deletePrefix(testRedisUrl(), prefix);
  });
  const notes = async () => (await jobs(r.notify)).sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));

  it('is answered at once with 112, before the quiet period files it, and once a burst; the complaint is filed as any other', async () => {
    await r.engine.ingest(m(r, 'Tolong pak ada kebakaran di gang 3 Sananwetan'));
    // No quiet period waited for: the citizen reads it while the fire burns.
    expect((await notes()).map((n) => [n.kind, n.text])).toEqual([['guide', texts.emergency()]]);
    expect(texts.emergency()).toContain('112');
    // Urgent: its number sends it next, ahead of whatever a flood has queued (jobOrder in @aduan/queue).
    expect((await notes())[0]!.urgent).toBe(true);
    await r.engine.ingest(m(r, 'apinya sudah besar, ada yang terbakar'));
    expect(await jobs(r.notify)).toHaveLength(1);

    r.now.ms += 121_000;
    expect(await r.engine.sweep()).toBe(1);
    const [complaint] = await jobs(r.intake);
    expect(complaint!.text).toContain('kebakaran');
    expect((await notes()).map((n) => [n.kind, n.urgent])).toEqual([
      ['guide', true],
      ['ack', undefined],
    ]);
  });

  it('says nothing of 112 to an ordinary complaint that speaks of a risk', async () => {
    await r.engine.ingest(m(r, 'Lampu jalan di Jl. Merdeka mati, rawan kecelakaan kalau malam'));
    expect(await jobs(r.notify)).toEqual([]);
  });
});
