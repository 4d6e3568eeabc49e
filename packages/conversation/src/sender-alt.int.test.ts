import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deletePrefix, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { createTexts } from './texts.ts';
import { complaints, jid, m, notes, quiet, rig, type Rig } from './test-support/engine-rig.ts';

const texts = createTexts({ em: (s) => `*${s}*` });
/** The rig's citizen as WhatsApp names them by LID; `jid` is their phone-number JID. */
const lid = '123456789012345@lid';
/** A message under the phone-number JID alone (the rig's default), the LID alone, or the LID with the number as its alternate. */
const pn = {};
const lidOnly = { senderId: lid, threadId: lid, reporter: { name: 'Siti' } };
const both = { senderId: lid, senderAlt: jid, threadId: lid };
const photo = { kind: 'image', mimeType: 'image/jpeg', bytes: 10, sha256: 'a'.repeat(64), storageKey: 'sha256/aa/photo' } as const;

describe('ConversationEngine: one sender under two ids (senderAlt, real Redis)', () => {
  let prefix: string;
  let r: Rig;
  beforeEach(async () => {
    prefix = uniquePrefix('walid-alt');
    r = await rig(prefix, { texts });
  });
  afterEach(async () => {
    await r.close();
    await deletePrefix(testRedisUrl(), prefix);
  });


  it('files a burst begun under the phone number and continued under the LID as one complaint, the 112 notice said once', async () => {
    await r.engine.ingest(m(r, 'Tolong ada kebakaran di gang 3 Sananwetan', pn));
    await r.engine.ingest(m(r, 'apinya sudah besar, ada yang terbakar', both));
    expect(await quiet(r)).toBe(1);
    const [c] = await complaints(r);
    expect(c!.text).toBe('Tolong ada kebakaran di gang 3 Sananwetan\napinya sudah besar, ada yang terbakar');
    // The reply goes where the citizen first wrote; the sender is the LID.
    expect(c!.source).toMatchObject({ senderId: lid, threadId: jid });
    expect((await notes(r)).map((n) => [n.kind, n.to])).toEqual([['guide', jid], ['ack', jid]]);
  });

  it('moves what was kept under the phone number to the LID: the acknowledgement (an addition follows it), the tickets, contact cards held', async () => {
    await r.engine.ingest(m(r, 'Lampu PJU mati di Jl. Kenari', pn));
    expect(await quiet(r)).toBe(1);
    const [first] = await complaints(r);

    // A photo alone minutes later, now under the LID with the number: an addition to that complaint.
    await r.engine.ingest(m(r, undefined, { ...both, attachments: [photo] }));
    expect(await quiet(r)).toBe(1);
    expect((await complaints(r))[1]!.text).toBe(`(foto tambahan untuk aduan ${first!.ticket}, dikirim setelah aduan itu tercatat)`);

    // "sudah ada kabar?" under the LID alone: the tickets kept under the number answer it.
    await r.engine.ingest(m(r, 'sudah ada kabar?', lidOnly));
    const answer = (await notes(r)).at(-1)!;
    expect(answer).toMatchObject({ kind: 'lookup', to: lid });
    expect(answer.text).toContain(first!.ticket);
    // "cek" too; another LID, never linked to the number, learns nothing of it.
    await r.engine.ingest(m(r, `cek ${first!.ticket}`, lidOnly));
    expect((await notes(r)).at(-1)).toMatchObject({ kind: 'lookup', to: lid, text: expect.stringContaining('sudah diterima') });
    await r.engine.ingest(m(r, `cek ${first!.ticket}`, { senderId: '999999999999999@lid', threadId: '999999999999999@lid', reporter: {} }));
    expect((await notes(r)).at(-1)).toMatchObject({ kind: 'lookup', to: '999999999999999@lid', text: expect.stringContaining('tidak ditemukan') });

    // A contact card alone under the number (linked now: kept under the LID), the words under the LID alone.
    r.now.ms += 1_200_000;
    await r.engine.ingest(m(r, undefined, { ...pn, contacts: [{ name: 'Pak RT', phone: '+6285700000001' }] }));
    expect(await quiet(r)).toBe(0);
    await r.engine.ingest(m(r, 'Sampah menumpuk di TPS Sentul', lidOnly));
    expect(await quiet(r)).toBe(1);
    expect((await complaints(r)).at(-1)!.text).toBe('Kontak: Pak RT (+6285700000001)\nSampah menumpuk di TPS Sentul');
  });

  it('links what the previous version kept under the phone-number JID when a message first names both: held cards, tickets of both ids', async () => {
    // Before any message named both: a complaint under each id, and a card held under the number.
    await r.engine.ingest(m(r, 'Jalan berlubang di Jl. Anggrek', pn));
    expect(await quiet(r)).toBe(1);
    r.now.ms += 1_200_000;
    await r.engine.ingest(m(r, 'Drainase mampet di Jl. Melati', lidOnly));
    expect(await quiet(r)).toBe(1);
    const [a, b] = await complaints(r);
    r.now.ms += 1_200_000;
    await r.engine.ingest(m(r, undefined, { ...pn, contacts: [{ name: 'Bu RW', phone: '+6285700000002' }] }));
    expect(await quiet(r)).toBe(0);

    await r.engine.ingest(m(r, 'sudah ada kabar?', both));
    const answer = (await notes(r)).at(-1)!;
    expect(answer).toMatchObject({ kind: 'lookup', to: lid });
    expect(answer.text).toContain(a!.ticket);
    expect(answer.text).toContain(b!.ticket);

    await r.engine.ingest(m(r, 'Pohon miring di Jl. Kenanga', lidOnly));
    expect(await quiet(r)).toBe(1);
    expect((await complaints(r)).at(-1)!.text).toBe('Kontak: Bu RW (+6285700000002)\nPohon miring di Jl. Kenanga');
  });

  it('closes a conversation open under the phone number as it is when one is open under the LID too: nothing lost', async () => {
    await r.engine.ingest(m(r, 'Got mampet di Jl. Mawar', pn));
    await r.engine.ingest(m(r, 'Lampu taman mati', lidOnly));
    await r.engine.ingest(m(r, 'di taman kota', both));
    expect((await complaints(r)).map((c) => [c.text, c.source.senderId, c.source.threadId])).toEqual([['Got mampet di Jl. Mawar', lid, jid]]);
    expect(await quiet(r)).toBe(1);
    expect((await complaints(r)).map((c) => c.text)).toEqual(['Got mampet di Jl. Mawar', 'Lampu taman mati\ndi taman kota']);
    expect(await r.engine.openConversations()).toBe(0);
  });

  it('keys a sender named only by phone number on it, as before', async () => {
    const res = await r.engine.ingest(m(r, 'Sampah menumpuk di Jl. Cemara', pn));
    expect(res.conversation).toBe(await r.engine.conversationOf('whatsapp', '+6281100000000', jid));
    expect(await quiet(r)).toBe(1);
    expect((await complaints(r))[0]!.source).toMatchObject({ senderId: jid, threadId: jid });
  });
});
