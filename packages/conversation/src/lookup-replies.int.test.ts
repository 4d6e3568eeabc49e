import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deletePrefix, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { jid, jobs, m, rig, type Rig } from './test-support/engine-rig.ts';

/** A look-up as citizens send it on WhatsApp: a swipe-reply to the acknowledgement, a typo corrected by editing. */
describe('"cek" sent as a reply, or corrected by an edit', () => {
  let prefix: string;
  let r: Rig;
  beforeEach(async () => {
    prefix = uniquePrefix('lookup-replies');
    r = await rig(prefix);
  });
  afterEach(async () => {
    await r.close();
    await deletePrefix(testRedisUrl(), prefix);
  });

  const lookups = async () => (await jobs(r.notify)).filter((n) => n.kind === 'lookup' && n.to === jid).map((n) => n.text);

  it('answers "cek" alone, replying to the acknowledgement (the quote names the ticket), with that complaint\'s status', async () => {
    await r.engine.ingest(m(r, 'wifi publik di taman mati'));
    const [c] = await r.engine.closeAll();
    // The WhatsApp adapter keeps only the tickets of a quoted notice of ours.
    await r.engine.ingest(m(r, 'cek', { quoted: { messageId: 'ACK1', text: c!.ticket } }));
    const [answer] = await lookups();
    expect(answer).toContain(c!.ticket);
    expect(answer).toContain('sudah diterima');
    expect(answer).not.toContain('ketik cek diikuti');
  });

  it('answers a look-up whose mistyped ticket was corrected by an edit', async () => {
    await r.engine.ingest(m(r, 'wifi publik di taman mati'));
    const [c] = await r.engine.closeAll();
    const typo = m(r, `cek ${c!.ticket.slice(0, -1)}`);
    await r.engine.ingest(typo);
    await r.engine.ingest(m(r, `cek ${c!.ticket}`, { edits: typo.messageId }));
    const answers = await lookups();
    // The typo got the usage hint; the corrected look-up, the status.
    expect(answers).toHaveLength(2);
    expect(answers).toContainEqual(expect.stringContaining('ketik cek diikuti'));
    expect(answers).toContainEqual(expect.stringMatching(new RegExp(`${c!.ticket}.*sudah diterima`, 's')));
    expect(await jobs(r.intake)).toHaveLength(1);
  });
});
