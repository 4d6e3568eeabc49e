import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRedis } from '@aduan/queue';
import { deletePrefix, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { additionTicket } from './addition-text.ts';
import { createTexts } from './texts.ts';
import { complaints, jobs, m, notes, quiet, rig, type Rig } from './test-support/engine-rig.ts';

const rt = { name: 'Pak RT 03', phone: '+6285700000001' };
const rw = { name: 'Bu RW', phone: '081234567800' };
const texts = createTexts({ em: (s) => `*${s}*` });

describe('ConversationEngine: contact cards (real Redis)', () => {
  let prefix: string;
  let r: Rig;
  beforeEach(async () => {
    prefix = uniquePrefix('cards');
    r = await rig(prefix, { texts });
  });
  afterEach(async () => {
    await r.close();
    await deletePrefix(testRedisUrl(), prefix);
  });

  /** Lets the quiet period pass and sweeps, as the service's timer would; returns how many complaints it filed. */

  it('files no complaint for contact cards alone: asks once what the complaint is, and files the cards with the words sent next', async () => {
    const card = m(r, undefined, { contacts: [rt] });
    await r.engine.ingest(card);
    expect(await quiet(r)).toBe(0);
    expect(await complaints(r)).toEqual([]);
    expect((await notes(r)).map((n) => [n.kind, n.text])).toEqual([['guide', texts.cardsAlone()]]);

    // Another card a minute later: kept too, and not asked again.
    r.now.ms += 60_000;
    const second = m(r, undefined, { contacts: [rw] });
    await r.engine.ingest(second);
    expect(await quiet(r)).toBe(0);
    expect(await jobs(r.notify)).toHaveLength(1);

    // The words come: one complaint, with both cards, acknowledged as any other.
    r.now.ms += 300_000;
    const words = m(r, 'Lampu PJU mati sudah seminggu di Jl. Kenari');
    await r.engine.ingest(words);
    expect(await quiet(r)).toBe(1);
    const [c] = await complaints(r);
    expect(c!.text).toBe('Kontak: Pak RT 03 (+6285700000001)\nKontak: Bu RW (081234567800)\nLampu PJU mati sudah seminggu di Jl. Kenari');
    expect(c!.source.messageIds).toEqual(expect.arrayContaining([card.messageId, second.messageId, words.messageId]));
    expect(c!.receivedAt).toBe(words.at);
    expect((await notes(r)).at(-1)).toMatchObject({ kind: 'ack', ticket: c!.ticket, text: texts.ack(c!.ticket) });

    // Filed once: the next complaint does not carry them again.
    r.now.ms += 1_200_000;
    await r.engine.ingest(m(r, 'Sampah menumpuk di TPS Sentul'));
    expect(await quiet(r)).toBe(1);
    expect((await complaints(r))[1]!.text).toBe('Sampah menumpuk di TPS Sentul');
  });

  it('keeps a card sent with words in that complaint, as before: no question asked', async () => {
    await r.engine.ingest(m(r, 'Lampu PJU mati di Jl. Anggrek, hubungi Pak RT'));
    await r.engine.ingest(m(r, undefined, { contacts: [rt] }));
    expect(await quiet(r)).toBe(1);
    expect((await complaints(r))[0]!.text).toBe('Lampu PJU mati di Jl. Anggrek, hubungi Pak RT\nKontak: Pak RT 03 (+6285700000001)');
    expect((await notes(r)).map((n) => n.kind)).toEqual(['ack']);
  });

  it('files contact cards sent soon after an acknowledgement as an addition to that complaint, with the cards', async () => {
    await r.engine.ingest(m(r, 'Jalan berlubang di depan SDN Sentul 2'));
    expect(await quiet(r)).toBe(1);
    const [first] = await complaints(r);
    r.now.ms += 300_000; // "ini nomor pak RT-nya"
    await r.engine.ingest(m(r, undefined, { contacts: [rt, rw] }));
    expect(await quiet(r)).toBe(1);
    const extra = (await complaints(r))[1]!;
    expect(extra.text).toBe(`(kontak tambahan untuk aduan ${first!.ticket}, dikirim setelah aduan itu tercatat)\nKontak: Pak RT 03 (+6285700000001)\nKontak: Bu RW (081234567800)`);
    // The router reads the ticket back and sends it where that complaint is.
    expect(additionTicket(extra.text)).toBe(first!.ticket);
    const ack = (await notes(r)).find((n) => n.kind === 'ack' && n.complaintId === extra.id)!;
    expect(ack.text).toBe(texts.addendumAck(extra.ticket, first!.ticket));
    expect((await notes(r)).filter((n) => n.kind === 'guide')).toEqual([]);
  });

  it('leaves out of the next complaint a kept card the citizen deleted, and says nothing about it', async () => {
    const card = m(r, undefined, { contacts: [rt] });
    await r.engine.ingest(card);
    expect(await quiet(r)).toBe(0);
    await r.engine.ingest(m(r, undefined, { revokes: card.messageId }));
    await r.engine.ingest(m(r, 'Lampu PJU mati di Jl. Kalimantan'));
    expect(await quiet(r)).toBe(1);
    expect((await complaints(r))[0]!.text).toBe('Lampu PJU mati di Jl. Kalimantan');
    expect((await notes(r)).map((n) => n.kind)).toEqual(['guide', 'ack']);
  });

  it('files an addition of cards once when its close is taken again after a crash that followed the acknowledgement', async () => {
    await r.engine.ingest(m(r, 'Reklame roboh di Jl. Merdeka'));
    expect(await quiet(r)).toBe(1);
    await r.engine.ingest(m(r, undefined, { contacts: [rt] }));
    const member = (await r.engine.store.openMembers(-1))[0]!;
    const token = (await r.engine.store.claim(member, r.now.ms, true))!;
    // What a crash right after the acknowledgement leaves: the same claimed conversation, to be finished again.
    const redis = createRedis(testRedisUrl(), 'worker');
    try {
      const key = `${prefix}:conv:closing:${token}`;
      const [items, meta] = await Promise.all([redis.lrange(key, 0, -1), redis.hgetall(`${key}:meta`)]);
      r.now.ms += 61_000;
      expect(await r.engine.sweep()).toBe(1); // the stale claim, finished: the addition
      await redis.multi().rpush(`${key}x`, ...items).hset(`${key}x:meta`, meta).zadd(`${prefix}:conv:closing`, 0, `${token}x`).exec();
      expect(await r.engine.sweep()).toBe(1); // finished again: the same complaint, deduplicated
    } finally {
      redis.disconnect();
    }
    expect(await complaints(r)).toHaveLength(2);
    expect((await notes(r)).map((n) => n.kind)).toEqual(['ack', 'ack']);
    // Not kept for the next complaint either.
    r.now.ms += 1_200_000;
    await r.engine.ingest(m(r, 'Sampah menumpuk di TPS Sentul'));
    expect(await quiet(r)).toBe(1);
    expect((await complaints(r))[2]!.text).toBe('Sampah menumpuk di TPS Sentul');
  });
});
