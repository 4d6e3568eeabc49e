import { describe, expect, it } from 'vitest';
import { Complaint, deterministicComplaintId } from '@aduan/schema';
import { ChatMessage } from './chat-message.ts';
import { classifyMessage } from './classify.ts';
import { additionTicket } from './addition-text.ts';
import { buildComplaint, isCardsOnly, isWordless, type ConversationSnapshot, type StoredMessage } from './build-complaint.ts';

const account = '+6281100000000';
let t = Date.parse('2026-01-05T01:00:00Z');
function msg(id: string, extra: Record<string, unknown>): StoredMessage {
  const m = ChatMessage.parse({ channel: 'whatsapp', account, senderId: '628123@s.whatsapp.net', threadId: '628123@s.whatsapp.net', messageId: id, at: new Date((t += 1000)).toISOString(), reporter: { name: 'Budi', phone: '+628123456789' }, ...extra });
  return { ...m, kind: classifyMessage(m) };
}
function snap(messages: StoredMessage[]): ConversationSnapshot {
  const first = messages[0]!;
  return { channel: 'whatsapp', account, senderId: first.senderId, threadId: first.threadId, firstMessageId: first.messageId, firstAt: first.at, messages };
}
/** A high or a low surrogate without its other half: JSON with one is refused by PHP's json_decode. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Every string in a value, one a line (JSON.stringify would escape a lone surrogate and hide it). */
function strings(value: unknown): string {
  const out: string[] = [];
  JSON.stringify(value, (_k, v: unknown) => (typeof v === 'string' && out.push(v), v));
  return out.join('\n');
}
const opts = { transport: 'baileys' as const, ticketPrefix: 'ADU', submittedAt: new Date('2026-01-05T02:00:00Z') };
const photo = { kind: 'image', mimeType: 'image/jpeg', bytes: 10, sha256: 'b'.repeat(64), storageKey: `sha256/bb/${'b'.repeat(64)}` };

describe('buildComplaint', () => {
  it('joins a burst into one valid complaint with a deterministic id', () => {
    const messages = [msg('A1', { text: 'Pak mau lapor' }), msg('A2', { attachments: [photo], text: 'jukir liar' }), msg('A3', { text: 'di depan Pasar Legi' }), msg('A4', { location: { lat: -8.1, lon: 112.16, description: 'Pasar Legi' } })];
    const c = buildComplaint(snap(messages), opts)!;
    expect(Complaint.parse(c)).toBeTruthy();
    expect(c.id).toBe(deterministicComplaintId(new Date(messages[0]!.at), 'whatsapp', account, 'A1'));
    expect(c.text).toBe('Pak mau lapor\njukir liar\ndi depan Pasar Legi');
    expect(c.attachments).toHaveLength(1);
    expect(c.attachments[0]!.caption).toBe('jukir liar');
    expect(c.location).toEqual({ lat: -8.1, lon: 112.16, description: 'Pasar Legi' });
    expect(c.source.messageIds).toEqual(['A1', 'A2', 'A3', 'A4']);
    expect(c.reporter).toEqual({ name: 'Budi', phone: '+628123456789', anonymous: false, confidential: false });
  });

  it('marks the complaint confidential when the citizen asked, in its own message or within the complaint', () => {
    const asked = buildComplaint(snap([msg('R1', { text: 'Ada pungli di loket parkir Pasar Legi' }), msg('R2', { text: 'mohon identitas saya dirahasiakan' })]), opts)!;
    expect(asked.reporter.confidential).toBe(true);
    // The bare request is no part of what the OPD reads.
    expect(asked.text).toBe('Ada pungli di loket parkir Pasar Legi');
    expect(buildComplaint(snap([msg('R3', { text: 'Jukir liar minta lima ribu di Alun-alun, tolong rahasiakan nama saya' })]), opts)!.reporter.confidential).toBe(true);
    expect(buildComplaint(snap([msg('R4', { text: 'Jukir liar minta lima ribu di Alun-alun' })]), opts)!.reporter.confidential).toBe(false);
    // The request alone makes no complaint; taken back by an edit, it no longer counts.
    expect(buildComplaint(snap([msg('R5', { text: 'rahasia' })]), opts)).toBeNull();
    const takenBack = buildComplaint(snap([msg('R6', { text: 'Sampah menumpuk, rahasiakan nama saya' }), msg('R7', { edits: 'R6', text: 'Sampah menumpuk di TPS Sentul' })]), opts)!;
    expect(takenBack.reporter.confidential).toBe(false);
  });

  it("reads the ticket back from an addition's text, and from no other text", () => {
    const addendumTo = { ticket: 'ADU-7K3M-9Q2X', confidential: false };
    const extra = buildComplaint(snap([msg('P1', { attachments: [photo] }), msg('P2', { location: { lat: -8.1, lon: 112.16 } })]), { ...opts, addendumTo })!;
    expect(extra.text).toBe('(foto, lokasi tambahan untuk aduan ADU-7K3M-9Q2X, dikirim setelah aduan itu tercatat)');
    expect(additionTicket(extra.text)).toBe('ADU-7K3M-9Q2X');
    expect(additionTicket(buildComplaint(snap([msg('P3', { attachments: [{ ...photo, kind: 'audio', mimeType: 'audio/ogg' }] })]), { ...opts, addendumTo: { ticket: 'LPR-AAAA-0000', confidential: true } })!.text)).toBe('LPR-AAAA-0000');
    expect(additionTicket(buildComplaint(snap([msg('P4', { attachments: [photo] })]), opts)!.text)).toBeUndefined();
    // Words of the citizen's own that name a ticket are no addition of ours.
    expect(additionTicket('foto tambahan untuk aduan ADU-7K3M-9Q2X, dikirim setelah aduan itu tercatat')).toBeUndefined();
    expect(additionTicket('Lampu mati lagi (foto tambahan untuk aduan ADU-7K3M-9Q2X, dikirim setelah aduan itu tercatat)')).toBeUndefined();
  });

  it('returns null for greetings only, or when everything was deleted', () => {
    expect(buildComplaint(snap([msg('G1', { text: 'halo' }), msg('G2', { text: 'selamat siang' })]), opts)).toBeNull();
    expect(buildComplaint(snap([msg('D1', { text: 'lampu mati' }), msg('D2', { revokes: 'D1' })]), opts)).toBeNull();
  });

  it('applies edits, keeps quoted context and describes media without a caption', () => {
    const c = buildComplaint(snap([msg('E1', { text: 'lampu mti' }), msg('E2', { edits: 'E1', text: 'lampu mati di Jl. Merdeka' }), msg('E3', { text: 'sejak kemarin', quoted: { messageId: 'E1', text: 'lampu mati di Jl. Merdeka' } })]), opts)!;
    expect(c.text).toBe('lampu mati di Jl. Merdeka\nsejak kemarin (membalas: "lampu mati di Jl. Merdeka")');
    const onlyPhoto = buildComplaint(snap([msg('P1', { attachments: [photo] })]), opts)!;
    expect(onlyPhoto.text).toBe('(laporan berupa foto tanpa keterangan)');
  });

  it('writes contact cards as lines of their own, and tells cards alone from cards with something to act on', () => {
    const rt = { name: 'Pak RT 03', phone: '+6285700000001' };
    const cards = [msg('K1', { contacts: [rt, { phone: '081234567800' }] })];
    expect(isCardsOnly(snap(cards))).toBe(true);
    // Small talk adds nothing; a greeting that is all there is still is no complaint.
    expect(isCardsOnly(snap([msg('K0', { text: 'halo' }), ...cards]))).toBe(true);
    // As an addition: our first line names the complaint (the router reads it), the cards follow.
    const extra = buildComplaint(snap(cards), { ...opts, addendumTo: { ticket: 'ADU-7K3M-9Q2X', confidential: false } })!;
    expect(extra.text).toBe('(kontak tambahan untuk aduan ADU-7K3M-9Q2X, dikirim setelah aduan itu tercatat)\nKontak: Pak RT 03 (+6285700000001)\nKontak: (081234567800)');
    expect(additionTicket(extra.text)).toBe('ADU-7K3M-9Q2X');
    // With words: part of the complaint in order, a reply's quote kept.
    const worded = [msg('K2', { text: 'Pohon tumbang di Jl. Anggrek' }), msg('K3', { contacts: [rt], quoted: { messageId: 'K2', text: 'Pohon tumbang di Jl. Anggrek' } }), msg('K4', { text: 'hubungi Pak RT' })];
    expect(isCardsOnly(snap(worded))).toBe(false);
    expect(buildComplaint(snap(worded), opts)!.text).toBe('Pohon tumbang di Jl. Anggrek\nKontak: Pak RT 03 (+6285700000001) (membalas: "Pohon tumbang di Jl. Anggrek")\nhubungi Pak RT');
    // With a photo and no words: filed as a photo is, the card under our words.
    const withPhoto = [msg('K5', { attachments: [photo] }), msg('K6', { contacts: [rt] })];
    expect(isCardsOnly(snap(withPhoto))).toBe(false);
    expect(buildComplaint(snap(withPhoto), opts)!.text).toBe('(laporan berupa foto, kontak tanpa keterangan)\nKontak: Pak RT 03 (+6285700000001)');
    // A card deleted: nothing left.
    expect(isCardsOnly(snap([...cards, msg('K7', { revokes: 'K1' })]))).toBe(false);
    // Sixty messages of twenty cards each: within 5,000 characters, the addition's first line whole.
    const many = Array.from({ length: 60 }, (_, i) => msg(`KM${i}`, { contacts: Array.from({ length: 20 }, (_, j) => ({ name: `Warga ${i}-${j} ${'x'.repeat(100)}`, phone: '+6285700000001' })) }));
    const long = buildComplaint(snap(many), { ...opts, addendumTo: { ticket: 'ADU-7K3M-9Q2X', confidential: false } })!;
    expect(long.text.length).toBeLessThanOrEqual(5000);
    expect(additionTicket(long.text)).toBe('ADU-7K3M-9Q2X');
  });

  it('an edit of a photo caption replaces the caption the adapter filled in', () => {
    const old = 'jalan rusak, hubungi saya 081234567890';
    const c = buildComplaint(snap([msg('C1', { attachments: [{ ...photo, caption: old }], text: old }), msg('C2', { edits: 'C1', text: 'jalan rusak di Jl. Kenari' })]), opts)!;
    expect(c.text).toBe('jalan rusak di Jl. Kenari');
    expect(c.attachments[0]!.caption).toBe('jalan rusak di Jl. Kenari');
    expect(JSON.stringify(c)).not.toContain('081234567890');
    // Edited down to nothing: no caption left either.
    const emptied = buildComplaint(snap([msg('C3', { attachments: [{ ...photo, caption: old }], text: old }), msg('C4', { edits: 'C3', text: '' })]), opts)!;
    expect(emptied.attachments[0]!.caption).toBeUndefined();
  });

  it('says in the text how many attachments past the 20th it left out', () => {
    const shot = (i: number) => ({ ...photo, sha256: i.toString(16).padStart(64, '0') });
    const photos = Array.from({ length: 25 }, (_, i) => msg(`P${i}`, { attachments: [shot(i)] }));
    const c = buildComplaint(snap([msg('P-', { text: 'Banjir di Jl. Kenari, rumah warga terendam' }), ...photos]), opts)!;
    expect(c.attachments.map((a) => a.sha256)).toEqual(Array.from({ length: 20 }, (_, i) => shot(i).sha256));
    expect(c.text).toBe('Banjir di Jl. Kenari, rumah warga terendam\n(5 foto lain tidak disertakan: batas 20 lampiran per aduan)');
    // Without words, after ours; of several kinds, "lampiran".
    const video = { ...photo, kind: 'video', mimeType: 'video/mp4' };
    const mixed = buildComplaint(snap([...photos.slice(0, 20), msg('V1', { attachments: [video] }), msg('V2', { attachments: [shot(99)] })]), opts)!;
    expect(mixed.text).toBe('(laporan berupa foto, video tanpa keterangan)\n(2 lampiran lain tidak disertakan: batas 20 lampiran per aduan)');
    // A burst at the length limit keeps the note whole, at its end.
    const long = buildComplaint(snap([msg('L1', { text: 'x'.repeat(4_990) }), ...photos.slice(0, 21)]), opts)!;
    expect(long.text.length).toBeLessThanOrEqual(5_000);
    expect(long.text.endsWith('\n(1 foto lain tidak disertakan: batas 20 lampiran per aduan)')).toBe(true);
    // Twenty: nothing to say.
    expect(buildComplaint(snap(photos.slice(0, 20)), opts)!.text).toBe('(laporan berupa foto tanpa keterangan)');
  });

  it("notes files that were not stored for the staff, as ours and never as the citizen's words", () => {
    const tooBig = { failedMedia: [{ kind: 'video', reason: 'too-big' }] };
    // Alone: nothing to file (the engine asks for the video again).
    expect(buildComplaint(snap([msg('F1', tooBig)]), opts)).toBeNull();
    // With a photo that was stored: wordless, so an addition when one is possible.
    const withPhoto = snap([msg('F2', { attachments: [photo] }), msg('F3', tooBig)]);
    expect(isWordless(withPhoto)).toBe(true);
    expect(buildComplaint(withPhoto, { ...opts, addendumTo: { ticket: 'ADU-7K3M-9Q2X', confidential: false } })!.text).toBe('(foto tambahan untuk aduan ADU-7K3M-9Q2X, dikirim setelah aduan itu tercatat)\n[video tidak disimpan: terlalu besar]');
    // With words: the words, then one note a kind and reason, counted, whole at the end of a long burst.
    const failed = [{ kind: 'image', reason: 'download-failed' }, { kind: 'image', reason: 'download-failed' }, { kind: 'document', reason: 'unsupported' }];
    const worded = buildComplaint(snap([msg('F4', { text: 'Jalan berlubang di Jl. Anggrek', failedMedia: failed }), msg('F5', { failedMedia: [{ kind: 'image', reason: 'unreadable' }] })]), opts)!;
    expect(worded.text).toBe('Jalan berlubang di Jl. Anggrek\n[2 foto tidak dapat diunduh]\n[dokumen tidak disimpan: formatnya tidak didukung]\n[foto rusak, tidak dapat dibaca]');
    const long = buildComplaint(snap([msg('F6', { text: 'x'.repeat(4_990), failedMedia: failed })]), opts)!;
    expect(long.text.length).toBeLessThanOrEqual(5_000);
    expect(long.text.endsWith('…\n[2 foto tidak dapat diunduh]\n[dokumen tidak disimpan: formatnya tidak didukung]')).toBe(true);
    // A message deleted takes its failure with it.
    expect(buildComplaint(snap([msg('F7', { text: 'Lampu mati di Jl. Mawar' }), msg('F8', tooBig), msg('F9', { revokes: 'F8' })]), opts)!.text).toBe('Lampu mati di Jl. Mawar');
  });

  it('cuts a quoted reply and a photo caption between characters, never inside an emoji', () => {
    const quote = `${'a'.repeat(198)}🙏 tolong segera`;
    const caption = `${'b'.repeat(1998)}😡 masih rusak`;
    const c = buildComplaint(snap([msg('Q1', { text: 'lampu mati di Jl. Merdeka' }), msg('Q2', { text: 'sejak kemarin', quoted: { messageId: 'Q1', text: quote } }), msg('Q3', { attachments: [photo], text: caption })]), opts)!;
    expect(strings(c)).not.toMatch(LONE_SURROGATE);
    expect(c.text).toContain(`(membalas: "${'a'.repeat(198)}…")`);
    expect(c.attachments[0]!.caption).toBe(`${'b'.repeat(1998)}…`);
  });

  it('keeps the last message (usually the address) whole when the burst is too long, and cuts the story before it', () => {
    // A long story with an emoji where the story must be cut, then the address.
    const story = `Jalan di kampung kami rusak parah. ${'Setiap hujan air menggenang dan motor jatuh 😭 '.repeat(105)}`.trim();
    const address = 'Lokasi: Jl. Cemara gang 3, RT 02 RW 05, Kel. Sentul';
    const c = buildComplaint(snap([msg('L1', { text: story }), msg('L2', { text: 'mohon segera diperbaiki' }), msg('L3', { text: address })]), opts)!;
    expect(c.text.length).toBeLessThanOrEqual(5000);
    expect(c.text).not.toMatch(LONE_SURROGATE);
    expect(c.text.startsWith('Jalan di kampung kami rusak parah.')).toBe(true);
    expect(c.text.endsWith(`…\nmohon segera diperbaiki\n${address}`)).toBe(true);
    expect(Complaint.parse(c).text).toBe(c.text);
  });

  it('cuts every emoji position of an over-long burst cleanly', () => {
    const address = 'di depan Pasar Legi';
    for (let pad = 0; pad < 4; pad++) {
      const story = `${'x'.repeat(pad)}${'🙏'.repeat(2600)}`;
      const c = buildComplaint(snap([msg(`S${pad}`, { text: story.slice(0, 5000) }), msg(`A${pad}`, { text: address })]), opts)!;
      expect(c.text.length).toBeLessThanOrEqual(5000);
      expect(c.text, `pad ${pad}`).not.toMatch(LONE_SURROGATE);
      expect(c.text.endsWith(`…\n${address}`)).toBe(true);
    }
  });

  it('gives a well-formed complaint even from a message an adapter cut inside an emoji', () => {
    // What services/whatsapp's `.slice(0, 5000)` hands over when an emoji straddles the limit.
    const broken = `${'a'.repeat(4999)}🙏`.slice(0, 5000);
    expect(broken).toMatch(LONE_SURROGATE);
    const c = buildComplaint(snap([msg('W1', { text: broken, attachments: [photo] })]), opts)!;
    expect(strings(c)).not.toMatch(LONE_SURROGATE);
    expect(c.text.length).toBeLessThanOrEqual(5000);
  });
});
