import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Complaint } from '@aduan/schema';
import { deletePrefix, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { createTexts } from './texts.ts';
import { jobs, m, rig, type Rig } from './test-support/engine-rig.ts';

const texts = createTexts({ em: (s) => `*${s}*` });

describe('ConversationEngine: a message deleted or edited after its complaint was filed (real Redis)', () => {
  let prefix: string;
  let r: Rig;
  beforeEach(async () => {
    prefix = uniquePrefix('late');
    r = await rig(prefix, { texts });
  });
  afterEach(async () => {
    await r.close();
    await deletePrefix(testRedisUrl(), prefix);
  });

  const told = async () =>
    (await jobs(r.notify))
      .filter((n) => n.kind === 'lookup')
      .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt))
      .map((n) => [n.ticket, n.text]);

  it('tells the citizen once per complaint that a deleted message was already filed and goes on, whenever it comes', async () => {
    const lamp = m(r, 'Lampu PJU mati di Jl. Kenari');
    const since = m(r, 'sudah seminggu');
    await r.engine.ingest(lamp);
    await r.engine.ingest(since);
    const first = (await r.engine.ingest(m(r, 'kirim'))).complaint!;

    // "Hapus untuk semua orang" a minute later.
    r.now.ms += 60_000;
    const del = m(r, undefined, { revokes: lamp.messageId });
    expect((await r.engine.ingest(del)).outcome).toBe('orphan-amend');
    expect(await told()).toEqual([[first.ticket, texts.deletedTooLate(first.ticket)]]);
    expect(texts.deletedTooLate(first.ticket)).toBe(
      `Pesan yang Anda hapus sudah tercatat dalam aduan *${first.ticket}* sebelum dihapus, sehingga tetap kami teruskan ke instansi terkait. Bila ada koreksi, silakan kirim sebagai pesan baru dengan menyebut nomor tiket ${first.ticket}.`,
    );
    // Redelivered, or another message of the same complaint deleted: not said again.
    await r.engine.ingest(del);
    await r.engine.ingest(m(r, undefined, { revokes: since.messageId }));
    expect(await told()).toHaveLength(1);
    // The complaint stays as filed; the deletions make no new one.
    await r.engine.closeAll();
    expect((await jobs(r.intake)).map((c) => (c as Complaint).text)).toEqual(['Lampu PJU mati di Jl. Kenari\nsudah seminggu']);

    // A day later (WhatsApp deletes for everyone for about two days), of another complaint: said about that one.
    const drain = m(r, 'Selokan mampet di Jl. Cemara');
    await r.engine.ingest(drain);
    const second = (await r.engine.ingest(m(r, 'kirim'))).complaint!;
    r.now.ms += 86_400_000;
    await r.engine.ingest(m(r, undefined, { revokes: drain.messageId }));
    expect(await told()).toEqual([
      [first.ticket, texts.deletedTooLate(first.ticket)],
      [second.ticket, texts.deletedTooLate(second.ticket)],
    ]);
  });

  it('says nothing of a deleted or edited message that went into no complaint (thanks after the acknowledgement, a "cek")', async () => {
    await r.engine.ingest(m(r, 'Jukir liar minta 5 ribu di depan Pasar Legi'));
    const filed = (await r.engine.ingest(m(r, 'kirim'))).complaint!;
    const thanks = m(r, 'makasih min');
    const check = m(r, `cek ${filed.ticket}`);
    await r.engine.ingest(thanks);
    await r.engine.ingest(check);
    await r.engine.closeAll();
    const before = await told();
    expect(before).toHaveLength(1); // the answer to "cek"
    await r.engine.ingest(m(r, 'makasih banyak min', { edits: thanks.messageId }));
    await r.engine.ingest(m(r, undefined, { revokes: thanks.messageId }));
    await r.engine.ingest(m(r, undefined, { revokes: check.messageId }));
    await r.engine.closeAll();
    expect(await told()).toEqual(before);
    expect(await jobs(r.intake)).toHaveLength(1);
  });

  it('still answers an edit of a filed message with the edit notice, per edit', async () => {
    const first = m(r, 'Jalan rusak di Jl. Mawar');
    await r.engine.ingest(first);
    const filed = (await r.engine.ingest(m(r, 'kirim'))).complaint!;
    await r.engine.ingest(m(r, 'Jalan rusak di Jl. Melati', { edits: first.messageId }));
    expect(await told()).toEqual([[filed.ticket, texts.editTooLate(filed.ticket)]]);
  });

  it('answers an edit or a deletion of a filed message also when a new conversation is open ("makasih min" after the acknowledgement)', async () => {
    const road = m(r, 'Jalan rusak di Jl. Mawar');
    const since = m(r, 'sudah seminggu');
    await r.engine.ingest(road);
    await r.engine.ingest(since);
    const filed = (await r.engine.ingest(m(r, 'kirim'))).complaint!;
    expect((await r.engine.ingest(m(r, 'makasih min'))).outcome).toBe('appended');

    // The corrected address would otherwise go into the thanks' conversation, target nothing there and be lost.
    expect((await r.engine.ingest(m(r, 'Jalan rusak di Jl. Melati', { edits: road.messageId }))).outcome).toBe('orphan-amend');
    expect((await r.engine.ingest(m(r, undefined, { revokes: since.messageId }))).outcome).toBe('orphan-amend');
    expect(await told()).toEqual([
      [filed.ticket, texts.editTooLate(filed.ticket)],
      [filed.ticket, texts.deletedTooLate(filed.ticket)],
    ]);

    await r.engine.closeAll(); // the thanks: nothing filed, nothing said

    // The same while a new complaint is being written: the edit does not go into it, and its own edits still apply.
    const drain = m(r, 'Selokan mampet di Jl. Cemara');
    await r.engine.ingest(drain);
    await r.engine.ingest(m(r, 'Jalan rusak di Jl. Kenanga', { edits: road.messageId }));
    await r.engine.ingest(m(r, 'Selokan mampet di Jl. Cemara 5', { edits: drain.messageId }));
    const second = (await r.engine.ingest(m(r, 'kirim'))).complaint!;
    expect(second.text).toBe('Selokan mampet di Jl. Cemara 5');
    expect((await told()).filter(([, text]) => text === texts.editTooLate(filed.ticket))).toHaveLength(2);
    await r.engine.closeAll();
    expect((await jobs(r.intake)).map((c) => (c as Complaint).text).sort()).toEqual(['Jalan rusak di Jl. Mawar\nsudah seminggu', 'Selokan mampet di Jl. Cemara 5']);
    expect((await jobs(r.notify)).filter((n) => n.kind === 'guide')).toEqual([]);
  });

  it('leaves a message deleted before the close out of the complaint, and says nothing (as before)', async () => {
    const photo = { kind: 'image', mimeType: 'image/jpeg', bytes: 10, sha256: 'c'.repeat(64), storageKey: `sha256/cc/${'c'.repeat(64)}` } as const;
    const typo = m(r, 'salah kirim, ini chat buat istri');
    await r.engine.ingest(m(r, 'Trotoar rusak di Jl. Merdeka', { attachments: [photo] }));
    await r.engine.ingest(typo);
    await r.engine.ingest(m(r, undefined, { revokes: typo.messageId }));
    const c = (await r.engine.ingest(m(r, 'kirim'))).complaint!;
    expect(c.text).toBe('Trotoar rusak di Jl. Merdeka');
    expect(c.attachments).toHaveLength(1);
    // Everything deleted before the close: no complaint.
    const other = { senderId: '6285600000000@s.whatsapp.net', threadId: '6285600000000@s.whatsapp.net' };
    const gone = m(r, 'Lampu mati di Jl. Kenari', other);
    await r.engine.ingest(gone);
    await r.engine.ingest(m(r, undefined, { ...other, revokes: gone.messageId }));
    await r.engine.closeAll();
    expect((await jobs(r.intake)).map((x) => x.id)).toEqual([c.id]);
    expect(await told()).toEqual([]);
  });
});
