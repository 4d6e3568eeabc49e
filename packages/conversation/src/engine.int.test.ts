import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRedis, senderFields } from '@aduan/queue';
import { deterministicComplaintId, ticketFor, type Complaint } from '@aduan/schema';
import { deletePrefix, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import type { ChatMessageInput } from './chat-message.ts';
import { createTexts } from './texts.ts';
import { account, jid, jobs, m, rig, type Rig } from './test-support/engine-rig.ts';

describe('ConversationEngine (real Redis)', () => {
  let prefix: string;
  let r: Rig;
  beforeEach(async () => {
    prefix = uniquePrefix('conv');
    r = await rig(prefix);
  });
  afterEach(async () => {
    await r.close();
    await deletePrefix(testRedisUrl(), prefix);
  });

  it('turns a burst into one complaint and one acknowledgement after the quiet period', async () => {
    await r.engine.ingest(m(r, 'Pak mau lapor'));
    await r.engine.ingest(m(r, 'ada jukir liar minta 5 ribu'));
    await r.engine.ingest(m(r, 'di depan Pasar Legi'));
    await r.engine.ingest(m(r, undefined, { location: { lat: -8.0983, lon: 112.1681 } }));
    expect(await r.engine.sweep()).toBe(0); // still within the quiet period
    expect(await jobs(r.intake)).toHaveLength(0);
    r.now.ms += 121_000;
    expect(await r.engine.sweep()).toBe(1);
    const [c, ...more] = await jobs(r.intake);
    expect(more).toHaveLength(0);
    expect(c!.text).toContain('jukir liar');
    expect(c!.location).toMatchObject({ lat: -8.0983 });
    expect(c!.source.threadId).toBe(jid);
    const notes = await jobs(r.notify);
    expect(notes.map((n) => n.kind).sort()).toEqual(['ack', 'guide']); // guide answered the opening "Pak mau lapor"
    const ack = notes.find((n) => n.kind === 'ack')!;
    expect(ack.ticket).toBe(c!.ticket);
    expect(ack.to).toBe(jid);
    expect(ack.text).toContain(c!.ticket);
    expect(await r.engine.openConversations()).toBe(0);
  });

  it('files a complaint confidential when the citizen writes "rahasia", and says so in the acknowledgement', async () => {
    await r.engine.ingest(m(r, 'Ada pungli di loket retribusi pasar, petugas minta uang tambahan'));
    await r.engine.ingest(m(r, 'rahasia ya pak'));
    const { complaint } = await r.engine.ingest(m(r, 'kirim'));
    expect(complaint?.reporter).toMatchObject({ confidential: true, phone: '+6281234567890' });
    expect(complaint?.text).toBe('Ada pungli di loket retribusi pasar, petugas minta uang tambahan');
    const ack = (await jobs(r.notify)).find((n) => n.kind === 'ack')!;
    expect(ack.text).toContain('aduan akan kami teruskan ke instansi terkait tanpa identitas Anda');
    // Asked only once the complaint is in: too late for it, and the citizen is told so.
    const other = { senderId: '6289911112222@s.whatsapp.net', threadId: '6289911112222@s.whatsapp.net' };
    await r.engine.ingest(m(r, 'Sampah menumpuk di TPS Sentul', other));
    const filed = (await r.engine.ingest(m(r, 'kirim', other))).complaint!;
    expect(filed.reporter.confidential).toBe(false);
    await r.engine.ingest(m(r, 'mohon nama saya dirahasiakan', other));
    await r.engine.closeAll();
    const late = (await jobs(r.notify)).filter((n) => n.kind === 'lookup' && n.to === other.threadId);
    expect(late).toHaveLength(1);
    expect(late[0]!.ticket).toBe(filed.ticket);
    expect(late[0]!.text).toContain('telanjur tercatat beserta identitas Anda');
    // Asked in more words right after the acknowledgement: still the request, not a new complaint.
    const third = { senderId: '6289933334444@s.whatsapp.net', threadId: '6289933334444@s.whatsapp.net' };
    await r.engine.ingest(m(r, 'Jalan berlubang di depan SDN Sentul 2', third));
    await r.engine.ingest(m(r, 'kirim', third));
    await r.engine.ingest(m(r, 'tolong rahasiakan nomor WA saya karena saya takut ada yang tidak suka', third));
    await r.engine.closeAll();
    expect((await jobs(r.intake)).filter((c) => c.source.senderId === third.senderId)).toHaveLength(1);
    expect((await jobs(r.notify)).filter((n) => n.to === third.threadId && n.kind === 'lookup').map((n) => n.text)).toEqual([expect.stringContaining('telanjur tercatat')]);
    // Not asked: not said.
    await r.engine.ingest(m(r, 'Lampu PJU di Jl. Kalimantan mati', { senderId: '6285700000000@s.whatsapp.net', threadId: '6285700000000@s.whatsapp.net' }));
    await r.engine.closeAll();
    const plain = (await jobs(r.notify)).find((n) => n.kind === 'ack' && n.to === '6285700000000@s.whatsapp.net')!;
    expect(plain.text).not.toContain('identitas');
  });

  it('answers a late request for confidentiality truthfully: already granted, too late (also a day later), or by an edit of the filed message', async () => {
    // Confidential from the start: asked again, the citizen is told it already is.
    await r.engine.ingest(m(r, 'Lapor pak, ada pungli di kantor kelurahan Sananwetan, tolong rahasiakan nama saya'));
    const secret = (await r.engine.ingest(m(r, 'kirim'))).complaint!;
    expect(secret.reporter.confidential).toBe(true);
    await r.engine.ingest(m(r, 'tolong dirahasiakan ya pak'));
    await r.engine.closeAll();
    const again = (await jobs(r.notify)).filter((n) => n.kind === 'lookup');
    expect(again.map((n) => n.text)).toEqual([`Aduan ${secret.ticket} memang diteruskan ke instansi terkait tanpa identitas Anda.`]);

    // Filed with the identity; a day later a bare "rahasia": too late for that one, said so (not the guide).
    const other = { senderId: '6285611112222@s.whatsapp.net', threadId: '6285611112222@s.whatsapp.net' };
    const firstMsg = m(r, 'Selokan mampet di Jl. Cemara, air meluap', other);
    await r.engine.ingest(firstMsg);
    const filed = (await r.engine.ingest(m(r, 'kirim', other))).complaint!;
    r.now.ms += 86_400_000;
    await r.engine.ingest(m(r, 'rahasia', other));
    await r.engine.closeAll();
    // And an edit of the filed message that adds the request.
    await r.engine.ingest(m(r, 'Selokan mampet di Jl. Cemara, air meluap. Mohon nama saya dirahasiakan', { ...other, edits: firstMsg.messageId }));
    const told = (await jobs(r.notify)).filter((n) => n.to === other.threadId && n.kind !== 'ack');
    expect(told.map((n) => [n.kind, n.ticket])).toEqual([['lookup', filed.ticket], ['lookup', filed.ticket]]);
    for (const n of told) expect(n.text).toContain('telanjur tercatat beserta identitas Anda');
    expect((await jobs(r.intake)).filter((c) => c.source.senderId === other.senderId)).toHaveLength(1);
  });

  it('closes at once on "kirim", and a redelivered message changes nothing', async () => {
    const first = m(r, 'lampu PJU mati di Jl. Kalimantan');
    await r.engine.ingest(first);
    expect((await r.engine.ingest(first)).outcome).toBe('duplicate');
    const res = await r.engine.ingest(m(r, 'kirim'));
    expect(res.outcome).toBe('closed');
    expect(res.complaint?.source.messageIds).toHaveLength(2);
    expect((await r.engine.ingest(first)).outcome).toBe('duplicate');
    await r.engine.closeAll();
    expect(await jobs(r.intake)).toHaveLength(1);
    expect((await jobs(r.notify)).filter((n) => n.kind === 'ack')).toHaveLength(1);
  });

  it('derives the id again, deterministically, when its ticket already belongs to another complaint', async () => {
    const first = m(r, 'jalan berlubang di Jl. Mastrip');
    const base = deterministicComplaintId(new Date(first.at), 'whatsapp', account, first.messageId);
    // Tickets are 40 bits of the id's hash: stand in for the rare id whose ticket is taken.
    await r.status.recordNew({ id: '01J0000000000000000000OTHR', ticket: ticketFor(base), channel: 'webform', receivedAt: first.at });
    await r.engine.ingest(first);
    const res = await r.engine.ingest(m(r, 'kirim'));
    const retried = deterministicComplaintId(new Date(first.at), 'whatsapp', account, first.messageId, 'ticket-retry-1');
    expect(res.complaint).toMatchObject({ id: retried, ticket: ticketFor(retried) });
    expect(await r.status.idForTicket(ticketFor(retried))).toBe(retried);
    expect(await r.status.idForTicket(ticketFor(base))).toBe('01J0000000000000000000OTHR');
    expect((await jobs(r.intake)).map((c) => c.id)).toEqual([retried]);
    expect((await jobs(r.notify)).find((n) => n.kind === 'ack')?.text).toContain(ticketFor(retried));
  });

  it('answers a greeting alone with one guide and no ticket', async () => {
    await r.engine.ingest(m(r, 'Assalamualaikum'));
    await r.engine.ingest(m(r, 'selamat siang'));
    await r.engine.closeAll();
    expect(await jobs(r.intake)).toHaveLength(0);
    const notes = await jobs(r.notify);
    expect(notes.map((n) => n.kind)).toEqual(['guide']);
  });

  it('answers an opener that asks for information or help ("Info min", "Mohon bantuannya pak") with the guide, as a greeting', async () => {
    const openers = ['Info min', 'Min, info dong', 'mohon info pak', 'Mohon bantuannya pak', 'Halo min'];
    const chats = openers.map((_, i) => `62812000000${i}@s.whatsapp.net`);
    for (const [i, text] of openers.entries()) await r.engine.ingest(m(r, text, { senderId: chats[i], threadId: chats[i] }));
    const guided = async () => (await jobs(r.notify)).filter((n) => n.kind === 'guide').map((n) => n.to).sort();
    expect(await guided()).toEqual([...chats].sort()); // at once, not only after the quiet period
    await r.engine.closeAll();
    expect(await guided()).toEqual([...chats].sort());
    expect(await jobs(r.intake)).toHaveLength(0);
  });

  it('splits bursts by message time (replay of an old day)', async () => {
    await r.engine.ingest(m(r, 'sampah menumpuk di Kelurahan Bendo'));
    r.now.ms += 3_600_000;
    await r.engine.ingest(m(r, 'pohon tumbang di Jl. Sudanco Supriyadi'));
    await r.engine.closeAll();
    expect(await jobs(r.intake)).toHaveLength(2);
  });

  it('keeps the conversation across an engine restart', async () => {
    await r.engine.ingest(m(r, 'reklame roboh'));
    const again = await rig(prefix);
    again.now.ms = r.now.ms;
    await again.engine.ingest(m(again, 'di simpang tiga Jl. Ahmad Yani'));
    const [c] = await again.engine.closeAll();
    expect(c!.text).toBe('reklame roboh\ndi simpang tiga Jl. Ahmad Yani');
    await again.close();
  });

  it('answers "cek <ticket>" only for the sender who filed it', async () => {
    await r.engine.ingest(m(r, 'wifi publik di taman mati'));
    const [c] = await r.engine.closeAll();
    await r.engine.ingest(m(r, `cek ${c!.ticket.toLowerCase()}`));
    await r.engine.ingest(m(r, `cek ${c!.ticket}`, { senderId: '6289900001111@s.whatsapp.net', threadId: '6289900001111@s.whatsapp.net', reporter: { phone: '+6289900001111' } }));
    const lookups = (await jobs(r.notify)).filter((n) => n.kind === 'lookup');
    const mine = lookups.find((n) => n.to === jid)!;
    const theirs = lookups.find((n) => n.to !== jid)!;
    expect(mine.text).toContain('sudah diterima');
    expect(theirs.text).toContain('tidak ditemukan untuk nomor WhatsApp Anda');
    expect(await jobs(r.intake)).toHaveLength(1);
  });

  it('still answers "cek" when WhatsApp moved the sender to a @lid chat id, by the number WhatsApp gives', async () => {
    await r.engine.ingest(m(r, 'lampu taman kota mati semua'));
    const [c] = await r.engine.closeAll();
    const lid = (id: string, phone?: string) => m(r, `cek ${c!.ticket}`, { senderId: id, threadId: id, reporter: phone ? { phone } : {} });
    // The same citizen after the move: a new chat id, the number from its phone-number alternate.
    await r.engine.ingest(lid('123456789012345@lid', '+6281234567890'));
    // Someone else, and a LID chat whose number WhatsApp did not give: nothing revealed.
    await r.engine.ingest(lid('999999999999999@lid', '+6289900001111'));
    await r.engine.ingest(lid('888888888888888@lid'));
    const lookups = (await jobs(r.notify)).filter((n) => n.kind === 'lookup');
    expect(lookups.find((n) => n.to === '123456789012345@lid')!.text).toContain('sudah diterima');
    expect(lookups.find((n) => n.to === '999999999999999@lid')!.text).toContain('tidak ditemukan');
    expect(lookups.find((n) => n.to === '888888888888888@lid')!.text).toContain('tidak ditemukan');
  });

  it('finishes a close that a crashed process left half done', async () => {
    await r.engine.ingest(m(r, 'jalan berlubang di Jl. Veteran'));
    const member = (await r.engine.store.openMembers(-1))[0]!;
    const token = await r.engine.store.claim(member, r.now.ms, true); // "crash" right after claiming
    expect(token).toBeTruthy();
    r.now.ms += 61_000;
    expect(await r.engine.sweep()).toBe(1);
    expect(await jobs(r.intake)).toHaveLength(1);
  });

  it('after the acknowledgement: a late "kirim" is told the ticket, thanks get no reply, and no guide is sent', async () => {
    await r.engine.ingest(m(r, 'lampu PJU mati, jalan gelap di Jl. Cemara'));
    r.now.ms += 121_000;
    expect(await r.engine.sweep()).toBe(1); // closed by the quiet period: the ack is out
    const [c] = await jobs(r.intake);
    // As the guide told them, the citizen types "kirim"; then thanks the admin.
    const late = await r.engine.ingest(m(r, 'kirim'));
    expect(late.complaint).toBeUndefined();
    for (const text of ['Ok terima kasih min', 'siap pak', 'baik, terima kasih']) await r.engine.ingest(m(r, text));
    r.now.ms += 121_000;
    await r.engine.sweep();
    expect(await jobs(r.intake)).toHaveLength(1);
    const notes = await jobs(r.notify);
    expect(notes.filter((n) => n.kind === 'guide')).toEqual([]);
    const answer = notes.filter((n) => n.kind !== 'ack');
    expect(answer).toHaveLength(1);
    expect(answer[0]!.ticket).toBe(c!.ticket);
    expect(answer[0]!.text).toContain(`nomor tiket ${c!.ticket}`);
  });

  it.each(['🙏', '👍🏻👍🏻', 'Alhamdulillah, terima kasih', 'Terima kasih atas respon cepatnya 🙏', 'Aamiin', 'siap, matur nuwun', 'oke'])('after the acknowledgement, "%s" makes no new complaint and gets no reply', async (text) => {
    await r.engine.ingest(m(r, 'Lampu PJU di Jl. Kalimantan mati sejak seminggu'));
    r.now.ms += 121_000;
    expect(await r.engine.sweep()).toBe(1);
    await r.engine.ingest(m(r, text));
    r.now.ms += 121_000;
    expect(await r.engine.sweep()).toBe(0);
    expect(await jobs(r.intake)).toHaveLength(1);
    expect((await jobs(r.notify)).map((n) => n.kind)).toEqual(['ack']);
  });

  it('after the acknowledgement, a complaint that starts with thanks is still filed', async () => {
    await r.engine.ingest(m(r, 'Lampu PJU di Jl. Kalimantan mati sejak seminggu'));
    await r.engine.ingest(m(r, 'kirim'));
    await r.engine.ingest(m(r, 'terima kasih, tapi lampu di gang sebelahnya juga masih mati'));
    r.now.ms += 121_000;
    expect(await r.engine.sweep()).toBe(1);
    const filed = await jobs(r.intake);
    expect(filed.map((c) => c.text)).toContain('terima kasih, tapi lampu di gang sebelahnya juga masih mati');
    expect((await jobs(r.notify)).map((n) => n.kind)).toEqual(['ack', 'ack']);
  });

  it('after any notice (a status update the adapter sent, a "cek" answer) small talk gets neither a ticket nor the guide', async () => {
    await r.engine.ingest(m(r, 'Lampu PJU di Jl. Kalimantan mati'));
    const [c] = await r.engine.closeAll();
    // Days later the OPD reports it done; the adapter sends the router's notice and tells the engine.
    r.now.ms += 3 * 86_400_000;
    await r.engine.rememberNotice({ schemaVersion: 1, channel: 'whatsapp', account, to: jid, kind: 'status', ticket: c!.ticket, complaintId: c!.id, text: `Aduan ${c!.ticket} sudah selesai ditangani.`, createdAt: new Date(r.now.ms).toISOString() });
    for (const text of ['Aamiin', '🙏', 'Alhamdulillah sudah diperbaiki, terima kasih banyak pak', 'Pak?']) {
      await r.engine.ingest(m(r, text));
      r.now.ms += 121_000;
      expect(await r.engine.sweep(), text).toBe(0);
    }
    expect(await jobs(r.intake)).toHaveLength(1);
    expect((await jobs(r.notify)).map((n) => n.kind)).toEqual(['ack']);
    // A "cek" answer is a notice too.
    r.now.ms += 86_400_000;
    await r.engine.ingest(m(r, `cek ${c!.ticket}`));
    await r.engine.ingest(m(r, '??'));
    r.now.ms += 121_000;
    await r.engine.sweep();
    expect((await jobs(r.notify)).map((n) => n.kind).sort()).toEqual(['ack', 'lookup']);
    // Long after any notice, and for anyone else, "?" gets the guide; a real complaint is filed.
    r.now.ms += 86_400_000;
    const other = '6285700003333@s.whatsapp.net';
    await r.engine.ingest(m(r, '?', { senderId: other, threadId: other }));
    await r.engine.ingest(m(r, '?'));
    r.now.ms += 121_000;
    await r.engine.sweep();
    expect((await jobs(r.notify)).filter((n) => n.kind === 'guide').map((n) => n.to).sort()).toEqual([jid, other].sort());
    await r.engine.ingest(m(r, 'terima kasih, tapi lampu masih mati lagi'));
    expect(await r.engine.closeAll()).toHaveLength(1);
  });

  it('sends no guide to a sender who was acknowledged a moment ago, but does after a while and to others', async () => {
    await r.engine.ingest(m(r, 'saluran air mampet di Jl. Anggrek'));
    await r.engine.ingest(m(r, 'kirim'));
    await r.engine.ingest(m(r, 'Halo'));
    await r.engine.closeAll();
    expect((await jobs(r.notify)).map((n) => n.kind)).toEqual(['ack']);
    const other = '6285700002222@s.whatsapp.net';
    await r.engine.ingest(m(r, 'Halo', { senderId: other, threadId: other }));
    r.now.ms += 3_600_000;
    await r.engine.ingest(m(r, 'Assalamualaikum'));
    await r.engine.closeAll();
    expect((await jobs(r.notify)).filter((n) => n.kind === 'guide').map((n) => n.to).sort()).toEqual([jid, other].sort());
  });

  it('takes "cek" followed by something that is no ticket as complaint text', async () => {
    await r.engine.ingest(m(r, 'Cek RT 05'));
    await r.engine.ingest(m(r, 'lampu jalan mati semua'));
    const [c] = await r.engine.closeAll();
    expect(c!.text).toBe('Cek RT 05\nlampu jalan mati semua');
    expect((await jobs(r.notify)).filter((n) => n.kind === 'lookup')).toEqual([]);
  });
});

describe('ConversationEngine: a photo sent after the complaint was filed', () => {
  let prefix: string;
  let r: Rig;
  beforeEach(async () => {
    prefix = uniquePrefix('conv3');
    r = await rig(prefix, { texts: createTexts({ em: (s) => `*${s}*` }) });
  });
  afterEach(async () => {
    await r.close();
    await deletePrefix(testRedisUrl(), prefix);
  });

  const photo = { kind: 'image', mimeType: 'image/jpeg', bytes: 10, sha256: 'b'.repeat(64), storageKey: `sha256/bb/${'b'.repeat(64)}` } as const;
  const voice = { ...photo, kind: 'audio', mimeType: 'audio/ogg' } as const;
  /** Closes what the quiet period let close, as the service's timer would, and returns its complaint. */
  async function quiet(): Promise<Complaint> {
    r.now.ms += 121_000;
    expect(await r.engine.sweep()).toBe(1);
    return (await jobs(r.intake)).sort((a, b) => Date.parse(b.submittedAt) - Date.parse(a.submittedAt))[0]!;
  }
  const ackOf = async (c: Complaint) => (await jobs(r.notify)).find((n) => n.kind === 'ack' && n.complaintId === c.id)!;

  it('files a photo without words sent minutes after the acknowledgement as an addition to that complaint, and says so', async () => {
    await r.engine.ingest(m(r, 'Pohon tumbang menutup jalan di Jl. Anggrek'));
    const first = await quiet();
    r.now.ms += 300_000; // the citizen walked over and took the photo
    await r.engine.ingest(m(r, undefined, { attachments: [photo] }));
    await r.engine.ingest(m(r, undefined, { location: { lat: -8.1, lon: 112.16 } }));
    const extra = await quiet();
    expect(extra.ticket).not.toBe(first.ticket);
    expect(extra.text).toBe(`(foto, lokasi tambahan untuk aduan ${first.ticket}, dikirim setelah aduan itu tercatat)`);
    expect(extra.attachments).toHaveLength(1);
    expect(extra.reporter.confidential).toBe(false);
    const ack = await ackOf(extra);
    expect(ack.ticket).toBe(extra.ticket);
    expect(ack.text).toBe(`Terima kasih, kiriman Anda sudah kami terima dengan nomor tiket *${extra.ticket}* dan kami catat sebagai tambahan untuk aduan *${first.ticket}*. Untuk melihat perkembangannya, ketik: cek ${extra.ticket}`);
  });

  it('tells the citizen which photos past the 20th were left out, and files them as an addition when sent again', async () => {
    const shot = (i: number) => ({ ...photo, sha256: i.toString(16).padStart(64, '0') });
    await r.engine.ingest(m(r, 'Banjir di Jl. Kenari, rumah warga terendam'));
    for (let i = 0; i < 25; i++) await r.engine.ingest(m(r, undefined, { attachments: [shot(i)] }));
    const first = await quiet();
    expect(first.attachments).toHaveLength(20);
    expect(first.text).toBe('Banjir di Jl. Kenari, rumah warga terendam\n(5 foto lain tidak disertakan: batas 20 lampiran per aduan)');
    expect((await ackOf(first)).text).toBe(
      `Terima kasih, aduan Anda sudah kami terima dengan nomor tiket *${first.ticket}*. Aduan akan kami teruskan ke instansi terkait. ` +
        'Pesan Anda berikutnya akan kami catat sebagai aduan baru. ' +
        'Sebanyak 5 foto terakhir tidak ikut tercatat (batas 20 lampiran per aduan). Bila perlu, kirim ulang sekarang tanpa keterangan agar kami catat sebagai tambahan untuk aduan ini. ' +
        `Untuk melihat perkembangannya, ketik: cek ${first.ticket}`,
    );
    // As told: sent again, they are an addition to it.
    for (let i = 20; i < 25; i++) await r.engine.ingest(m(r, undefined, { attachments: [shot(i)] }));
    const extra = await quiet();
    expect(extra.text).toBe(`(foto tambahan untuk aduan ${first.ticket}, dikirim setelah aduan itu tercatat)`);
    expect(extra.attachments).toHaveLength(5);
    expect((await ackOf(extra)).text).not.toContain('tidak ikut tercatat');
  });

  it('keeps an addition to a confidential complaint without the identity, naming only the ticket', async () => {
    await r.engine.ingest(m(r, 'Ada pungli di loket retribusi pasar, tolong rahasiakan nama saya'));
    const first = await quiet();
    expect(first.reporter.confidential).toBe(true);
    r.now.ms += 240_000;
    await r.engine.ingest(m(r, undefined, { attachments: [voice] }));
    const extra = await quiet();
    expect(extra.text).toBe(`(pesan suara tambahan untuk aduan ${first.ticket}, dikirim setelah aduan itu tercatat)`);
    expect(extra.reporter.confidential).toBe(true);
    expect((await ackOf(extra)).text).toContain('kiriman ini akan kami teruskan ke instansi terkait tanpa identitas Anda');
  });

  it('files a photo sent after ackMemoryMs, a photo with words, or a photo asking a secret the filed complaint did not keep, as before', async () => {
    await r.engine.ingest(m(r, 'Lampu PJU di Jl. Kalimantan mati'));
    const first = await quiet();
    r.now.ms += 1_200_000; // 20 minutes: beyond the acknowledgement's memory
    await r.engine.ingest(m(r, undefined, { attachments: [photo] }));
    const late = await quiet();
    expect(late.text).toBe('(laporan berupa foto tanpa keterangan)');
    expect((await ackOf(late)).text).toContain('aduan Anda sudah kami terima dengan nomor tiket');

    r.now.ms += 300_000;
    await r.engine.ingest(m(r, 'ini fotonya pak', { attachments: [photo] }));
    const worded = await quiet();
    expect(worded.text).toBe('ini fotonya pak');
    expect((await ackOf(worded)).text).not.toContain('tambahan');

    // Linked to a complaint filed with the identity, a confidential one would tell the OPD who sent it.
    r.now.ms += 300_000;
    await r.engine.ingest(m(r, undefined, { attachments: [photo] }));
    await r.engine.ingest(m(r, 'rahasia'));
    const secret = await quiet();
    expect(secret.text).toBe('(laporan berupa foto tanpa keterangan)');
    expect(secret.reporter.confidential).toBe(true);
    expect([first.ticket, late.ticket, worded.ticket].some((t) => secret.text.includes(t))).toBe(false);
  });
});

describe('ConversationEngine: WhatsApp and Instagram on one Redis', () => {
  let prefix: string;
  let wa: Rig;
  let ig: Rig;
  let redis: Redis;
  beforeEach(async () => {
    prefix = uniquePrefix('conv2');
    wa = await rig(prefix, { channel: 'whatsapp', transport: 'baileys', texts: createTexts({ em: (s) => `*${s}*` }) });
    ig = await rig(prefix, { channel: 'instagram', transport: 'instagram-private-api' });
    // A worker connection queues commands until it is ready (a client one would refuse them).
    redis = createRedis(testRedisUrl(), 'worker');
  });
  afterEach(async () => {
    await wa.close();
    await ig.close();
    redis.disconnect();
    await deletePrefix(testRedisUrl(), prefix);
  });

  const igMessage = (text: string, sender: string): ChatMessageInput => ({ ...m(ig, text), channel: 'instagram', account: '17841400000000', senderId: sender, threadId: `thread-${sender}`, reporter: { handle: 'warga.blitar' } });

  it('files an Instagram photo without words sent after the acknowledgement as an addition too', async () => {
    const sender = '5566771111';
    await ig.engine.ingest(igMessage('Trotoar ambles di Jl. Merdeka', sender));
    ig.now.ms += 121_000;
    const [first] = await ig.engine.closeAll();
    ig.now.ms += 300_000;
    const photo = { kind: 'image', mimeType: 'image/jpeg', bytes: 10, sha256: 'c'.repeat(64), storageKey: `sha256/cc/${'c'.repeat(64)}` } as const;
    await ig.engine.ingest({ ...igMessage('', sender), attachments: [photo] });
    const [extra] = await ig.engine.closeAll();
    expect(extra!.text).toBe(`(foto tambahan untuk aduan ${first!.ticket}, dikirim setelah aduan itu tercatat)`);
    const ack = (await jobs(ig.notify)).find((n) => n.kind === 'ack' && n.complaintId === extra!.id)!;
    expect(ack.text).toContain(`dengan nomor tiket ${extra!.ticket} dan kami catat sebagai tambahan untuk aduan ${first!.ticket}.`);
  });

  it('each sweeper closes only its own channel, also conversations the old code left in the shared zset', async () => {
    await ig.engine.ingest(igMessage('lampu jalan mati di Jl. Mawar', '5566778899'));
    const old = await ig.engine.ingest(igMessage('trotoar rusak di Jl. Melati', '5566770000'));
    await wa.engine.ingest(m(wa, 'sampah menumpuk di Jl. Kenanga'));
    // The old code kept every channel's conversation in one `<prefix>:conv:due` zset.
    await redis.zadd(`${prefix}:conv:due`, ig.now.ms, old.conversation!);
    await redis.zrem(`${prefix}:conv:due:instagram`, old.conversation!);
    wa.now.ms = ig.now.ms = Math.max(wa.now.ms, ig.now.ms) + 600_000;

    expect(await wa.engine.sweep()).toBe(1);
    const afterWa = await jobs(wa.intake);
    expect(afterWa.map((c) => [c.channel, c.intake.transport])).toEqual([['whatsapp', 'baileys']]);
    expect(await ig.engine.sweep()).toBe(2);
    const igComplaints = (await jobs(ig.intake)).filter((c) => c.channel === 'instagram');
    expect(igComplaints.map((c) => c.intake.transport)).toEqual(['instagram-private-api', 'instagram-private-api']);
    const igAcks = (await jobs(ig.notify)).filter((n) => n.kind === 'ack');
    expect(igAcks).toHaveLength(2);
    for (const n of igAcks) expect(n.text).not.toContain('*');
    expect(await redis.zcard(`${prefix}:conv:due`)).toBe(0);
  });

  it('"cek" on WhatsApp answers a radio or web complaint filed with that number; never by a number typed on Instagram', async () => {
    const filed = async (n: number, channel: 'radio' | 'webform', phone: string) => {
      const id = deterministicComplaintId(new Date(wa.now.ms), channel, 'Radio Patria FM', `filed-${n}-${prefix}`);
      const rec = { id, ticket: ticketFor(id), channel, receivedAt: new Date(wa.now.ms).toISOString(), ...senderFields(channel, undefined, phone) };
      expect(await wa.status.recordNew(rec)).toMatchObject({ outcome: 'recorded' });
      return rec.ticket;
    };
    const radio = await filed(1, 'radio', '+6281234567890');
    const web = await filed(2, 'webform', '+6285700001111');
    // m(): a WhatsApp sender whose number WhatsApp gives as +6281234567890.
    await wa.engine.ingest(m(wa, `cek ${radio}`));
    await wa.engine.ingest(m(wa, `cek ${web}`));
    // The web form's number, claimed in an Instagram DM: proves nothing.
    await ig.engine.ingest({ ...igMessage(`cek ${web}`, '5566778899'), reporter: { handle: 'warga.blitar', phone: '+6285700001111' } });
    const waLookups = (await jobs(wa.notify)).filter((n) => n.kind === 'lookup');
    expect(waLookups.find((n) => n.ticket === radio)!.text).toContain('sudah diterima');
    expect(waLookups.find((n) => n.ticket === web)!.text).toContain('tidak ditemukan');
    const igLookups = (await jobs(ig.notify)).filter((n) => n.kind === 'lookup');
    // Instagram has no number: "akun Instagram Anda"; WhatsApp: "nomor WhatsApp Anda".
    expect(igLookups.find((n) => n.ticket === web)!.text).toContain('tidak ditemukan untuk akun Instagram Anda');
    expect(waLookups.find((n) => n.ticket === web)!.text).toContain('tidak ditemukan untuk nomor WhatsApp Anda');
  });

  it('"cek" on WhatsApp of a radio or web complaint makes that chat where its news goes, and says so; a stranger\'s or a chat complaint\'s "cek" changes nothing', async () => {
    const id = deterministicComplaintId(new Date(wa.now.ms), 'webform', 'web', `follow-${prefix}`);
    const web = { id, ticket: ticketFor(id), channel: 'webform' as const, receivedAt: new Date(wa.now.ms).toISOString(), ...senderFields('webform', undefined, '+6281234567890') };
    await wa.status.recordNew(web);
    // A stranger's "cek" is told nothing and follows nothing.
    const stranger = '6289900001111@s.whatsapp.net';
    await wa.engine.ingest(m(wa, `cek ${web.ticket}`, { senderId: stranger, threadId: stranger, reporter: { phone: '+6289900001111' } }));
    expect(await wa.status.noticeAddress(id)).toBeUndefined();

    await wa.engine.ingest(m(wa, `cek ${web.ticket}`));
    expect(await wa.status.noticeAddress(id)).toEqual({ channel: 'whatsapp', account, to: jid });
    await wa.engine.ingest(m(wa, `cek ${web.ticket}`));
    const answers = (await jobs(wa.notify)).filter((n) => n.kind === 'lookup' && n.to === jid).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    expect(answers.map((n) => n.text.includes('kami kirimkan ke WhatsApp ini'))).toEqual([true, true]);
    // "sudah ada kabar?" in that chat answers about it too, without the ticket.
    await wa.engine.ingest(m(wa, 'sudah ada kabar?'));
    const followUp = (await jobs(wa.notify)).filter((n) => n.kind === 'lookup' && n.to === jid).sort((a, b) => a.createdAt.localeCompare(b.createdAt)).at(-1)!;
    expect(followUp.text).toContain(web.ticket);

    // A WhatsApp complaint's news already goes to its own chat: another chat's "cek" by the same number does not take it.
    await wa.engine.ingest(m(wa, 'lampu jalan di Jl. Merdeka padam'));
    const [c] = await wa.engine.closeAll();
    const lid = '12345678901234@lid';
    await wa.engine.ingest(m(wa, `cek ${c!.ticket}`, { senderId: lid, threadId: lid }));
    expect(await wa.status.noticeAddress(c!.id)).toEqual({ channel: 'whatsapp', account, to: jid });
  });
});

describe('ConversationEngine: a channel whose adapter reports how far delivery got (Instagram)', () => {
  let prefix: string;
  let ig: Rig;
  const account = '17841400000000';
  const msg = (id: string, atMs: number, text: string): ChatMessageInput => ({ channel: 'instagram', account, senderId: '5566778899', threadId: 'thread-late', messageId: id, at: new Date(atMs).toISOString(), reporter: { handle: 'warga.blitar' }, text });
  beforeEach(async () => {
    prefix = uniquePrefix('conv3');
    ig = await rig(prefix, { channel: 'instagram', transport: 'instagram-private-api' });
  });
  afterEach(async () => {
    await ig.close();
    await deletePrefix(testRedisUrl(), prefix);
  });

  it('closes by the quiet period only once delivery passed it: a burst whose second message came late is one complaint', async () => {
    const t0 = ig.now.ms;
    // Polled 10 s after it was sent, by a poll that read everything up to its start.
    ig.now.ms = t0 + 10_000;
    await ig.engine.ingest(msg('L1', t0, 'Lampu PJU di Jl. Mawar mati'));
    await ig.engine.markDelivered(account, t0 + 10_000);
    // Instagram answers 429: no poll for 5 minutes. The quiet period (2 min) passes by our clock...
    ig.now.ms = t0 + 200_000;
    expect(await ig.engine.sweep()).toBe(0);
    // ...while the citizen had written on 100 s after the first message: it comes with the next poll.
    ig.now.ms = t0 + 310_000;
    await ig.engine.ingest(msg('L2', t0 + 100_000, 'di depan SDN Sentul 2, sudah seminggu'));
    await ig.engine.markDelivered(account, t0 + 310_000);
    ig.now.ms += 121_000;
    expect(await ig.engine.sweep()).toBe(1);
    const complaints = await jobs(ig.intake);
    expect(complaints.map((c) => c.source.messageIds)).toEqual([['L1', 'L2']]);
    expect(complaints[0]!.text).toBe('Lampu PJU di Jl. Mawar mati\ndi depan SDN Sentul 2, sudah seminggu');
  });

  it('closes once delivery has passed the last message and the quiet period, and at the latest 30 minutes after it opened', async () => {
    const t0 = ig.now.ms;
    ig.now.ms = t0 + 5_000;
    await ig.engine.ingest(msg('Q1', t0, 'Sampah menumpuk di TPS Sentul'));
    await ig.engine.markDelivered(account, t0 + 5_000);
    ig.now.ms = t0 + 130_000;
    expect(await ig.engine.sweep()).toBe(0);
    // A poll that started after the message's time plus the quiet period: nothing more can come.
    await ig.engine.markDelivered(account, t0 + 121_000);
    ig.now.ms += 6_000; // a held-back conversation is looked at again within seconds
    expect(await ig.engine.sweep()).toBe(1);

    // Delivery stalls for good (a checkpoint waits for an operator): it closes 30 minutes after it opened.
    const t1 = ig.now.ms;
    ig.now.ms = t1 + 5_000;
    await ig.engine.ingest(msg('Q2', t1, 'Trotoar rusak di Jl. Merdeka'));
    for (const after of [200_000, 1_000_000, 1_700_000]) {
      ig.now.ms = t1 + 5_000 + after;
      expect(await ig.engine.sweep(), `after ${after} ms`).toBe(0);
    }
    ig.now.ms = t1 + 5_000 + 1_800_000;
    expect(await ig.engine.sweep()).toBe(1);
    // "kirim" and close() never wait for delivery.
    await ig.engine.ingest(msg('Q3', ig.now.ms, 'Reklame roboh di simpang Jl. Kalimantan'));
    expect((await ig.engine.ingest(msg('Q4', ig.now.ms + 1_000, 'kirim'))).complaint).toBeDefined();
    expect(await jobs(ig.intake)).toHaveLength(3);
  });
});
