import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { proto } from '@whiskeysockets/baileys';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { QueueNames, createRedis } from '@aduan/queue';
import { Complaint, type Notification } from '@aduan/schema';
import { deletePrefix, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { ACCOUNT, CITIZEN, citizenMessage, intakeJobs, notifyJobs, startHarness, testConfig, type Harness } from './test-support/harness.ts';
import { MediaServer } from './test-support/media-server.ts';
import type { ServiceConfig } from './service.ts';

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(64, 7)]);
const OGG = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(60, 1)]);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('WhatsApp adapter through the socket seam (real Baileys objects, real Redis)', () => {
  const url = testRedisUrl();
  const media = new MediaServer();
  let prefix: string;
  let config: ServiceConfig;
  let h: Harness;

  beforeAll(() => media.start());
  afterAll(() => media.stop());
  beforeEach(async () => {
    prefix = uniquePrefix('wa');
    config = testConfig(url, prefix);
    h = await startHarness(config);
    await waitFor(() => h.service.sessions.get(ACCOUNT)!.status.state === 'connected', { what: 'connected' });
  });
  afterEach(async () => {
    await h.stop();
    await deletePrefix(url, prefix);
  });

  it('turns a burst (greeting, photo, text, location pin) into one complaint and one acknowledgement', async () => {
    const photo = await media.add('/burst/photo', PNG, 'image');
    h.socket.deliver([citizenMessage({ conversation: 'Pak mau lapor' })]);
    h.socket.deliver([citizenMessage({ imageMessage: { ...photo, mimetype: 'image/jpeg', caption: 'jukir liar minta 5 ribu' } })]);
    h.socket.deliver([citizenMessage({ extendedTextMessage: { text: 'di depan Pasar Legi' } })]);
    h.socket.deliver([citizenMessage({ locationMessage: { degreesLatitude: -8.0955, degreesLongitude: 112.1609, name: 'Pasar Legi', address: 'Jl. Kalimantan, Blitar' } })]);

    const [c, ...more] = await waitFor(async () => {
      const jobs = await intakeJobs(url, prefix);
      return jobs.length > 0 ? jobs : null;
    }, { what: 'complaint on intake' });
    expect(more).toHaveLength(0);
    Complaint.parse(c);
    expect(c!.channel).toBe('whatsapp');
    expect(c!.source).toMatchObject({ account: ACCOUNT, senderId: CITIZEN, threadId: CITIZEN });
    expect(c!.source.messageIds).toHaveLength(4);
    expect(c!.reporter).toMatchObject({ name: 'Siti Aminah', phone: '+6281234567890' });
    expect(c!.intake.transport).toBe('baileys');
    expect(c!.text).toBe('Pak mau lapor\njukir liar minta 5 ribu\ndi depan Pasar Legi');
    expect(c!.location).toEqual({ lat: -8.0955, lon: 112.1609, description: 'Pasar Legi, Jl. Kalimantan, Blitar' });
    expect(c!.attachments).toHaveLength(1);
    expect(c!.attachments[0]).toMatchObject({ kind: 'image', mimeType: 'image/png', sha256: sha(PNG), bytes: PNG.length, caption: 'jukir liar minta 5 ribu' });
    expect(await readFile(join(config.ATTACHMENT_DIR, c!.attachments[0]!.storageKey))).toEqual(PNG);

    // The guide for the opening "Pak mau lapor", then ONE acknowledgement with the ticket, sent with typing.
    await waitFor(() => h.socket.sent.length >= 2, { what: 'two sends' });
    await new Promise((r) => setTimeout(r, 300));
    const texts = h.socket.sent.map((s) => (s.content as { text: string }).text);
    expect(texts).toHaveLength(2);
    expect(texts.filter((t) => t.includes(c!.ticket))).toHaveLength(1);
    expect(h.socket.sent.every((s) => s.jid === CITIZEN)).toBe(true);
    expect(h.socket.presences).toContain('composing');
    // No personal data in the log.
    expect(h.logText()).not.toMatch(/Siti|6281234567890|Pasar Legi|jukir/);
  });

  it('maps every message type a citizen sends into one complaint', async () => {
    const video = await media.add('/t/video', Buffer.concat([Buffer.from('000000186674797069736f6d', 'hex'), Buffer.alloc(40)]), 'video');
    const doc = await media.add('/t/doc', PDF, 'document');
    const voice = await media.add('/t/voice', OGG, 'audio');
    const first = citizenMessage({ conversation: 'lampu PJU mti' });
    const typo = citizenMessage({ conversation: 'salah kirim' });
    h.socket.deliver([
      first,
      citizenMessage({ videoMessage: { ...video, mimetype: 'video/mp4', caption: 'videonya' } }),
      citizenMessage({ documentWithCaptionMessage: { message: { documentMessage: { ...doc, mimetype: 'application/pdf', fileName: 'surat.pdf', caption: 'suratnya' } } } }),
      citizenMessage({ audioMessage: { ...voice, mimetype: 'audio/ogg; codecs=opus', ptt: true } }),
      citizenMessage({ liveLocationMessage: { degreesLatitude: -8.1, degreesLongitude: 112.17, caption: 'saya di sini' } }),
      citizenMessage({ contactMessage: { displayName: 'Pak RT', vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:Pak RT\nTEL;type=CELL;waid=6285700000001:+62 857-0000-0001\nEND:VCARD' } }),
      citizenMessage({ extendedTextMessage: { text: 'sudah 3 hari', contextInfo: { stanzaId: first.key.id, quotedMessage: { conversation: 'lampu PJU mti' } } } }),
      typo,
      citizenMessage({ protocolMessage: { type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT, key: { id: first.key.id, remoteJid: CITIZEN }, editedMessage: { conversation: 'lampu PJU mati di Jl. Mastrip' } } }),
      citizenMessage({ protocolMessage: { type: proto.Message.ProtocolMessage.Type.REVOKE, key: { id: typo.key.id, remoteJid: CITIZEN } } }),
      citizenMessage({ conversation: 'kirim' }),
    ]);
    const [c] = await waitFor(async () => ((await intakeJobs(url, prefix)).length ? intakeJobs(url, prefix) : null), { what: 'complaint' });
    expect(c!.text.split('\n')).toEqual([
      'lampu PJU mati di Jl. Mastrip',
      'videonya',
      'suratnya',
      'saya di sini',
      'Kontak: Pak RT (+6285700000001)',
      'sudah 3 hari (membalas: "lampu PJU mti")',
    ]);
    expect(c!.attachments.map((a) => [a.kind, a.mimeType])).toEqual([
      ['video', 'video/mp4'],
      ['document', 'application/pdf'],
      ['audio', 'audio/ogg'],
    ]);
    expect(c!.attachments[1]!.fileName).toBe('surat.pdf');
    expect(c!.location).toEqual({ lat: -8.1, lon: 112.17 });
  });

  it("keeps of a reply to our own notice only the ticket it names, not our text (the citizen's own quotes stay whole)", async () => {
    // Citizens swipe-reply to the guide or the acknowledgement; the phone quotes our whole text.
    h.socket.deliver([citizenMessage({ conversation: 'Assalamualaikum' })]);
    await waitFor(() => h.socket.sent.length === 1, { what: 'guide sent' });
    const guide = (h.socket.sent[0]!.content as { text: string }).text;
    const ours = '6281100000000@s.whatsapp.net';
    const first = citizenMessage({ extendedTextMessage: { text: 'lampu PJU mati di Jl. Kenari', contextInfo: { stanzaId: 'OUT1', participant: ours, quotedMessage: { conversation: guide } } } });
    h.socket.deliver([first, citizenMessage({ extendedTextMessage: { text: 'sudah seminggu', contextInfo: { stanzaId: first.key.id, participant: CITIZEN, quotedMessage: { conversation: 'lampu PJU mati di Jl. Kenari' } } } }), citizenMessage({ conversation: 'kirim' })]);
    const [c] = await waitFor(async () => ((await intakeJobs(url, prefix)).length ? intakeJobs(url, prefix) : null), { what: 'complaint' });
    expect(c!.text).toBe('Assalamualaikum\nlampu PJU mati di Jl. Kenari\nsudah seminggu (membalas: "lampu PJU mati di Jl. Kenari")');

    // A reply to the acknowledgement, our number known to this chat by its LID: the ticket tells the OPD what it is about.
    await waitFor(() => h.socket.sent.length === 2, { what: 'ack sent' });
    const ack = (h.socket.sent[1]!.content as { text: string }).text;
    h.socket.user!.lid = '217600000000001@lid';
    h.socket.deliver([citizenMessage({ extendedTextMessage: { text: 'tiangnya juga miring pak', contextInfo: { stanzaId: 'OUT2', participant: '217600000000001@lid', quotedMessage: { extendedTextMessage: { text: ack } } } } }), citizenMessage({ conversation: 'kirim' })]);
    const second = await waitFor(async () => (await intakeJobs(url, prefix)).find((x) => x.id !== c!.id), { what: 'second complaint' });
    expect(second.text).toBe(`tiangnya juga miring pak (membalas: "${c!.ticket}")`);
  });

  it('asks the citizen to send a "sekali lihat" photo again as an ordinary one (a linked device gets only its empty shell)', async () => {
    // What Baileys rc14 emits for a view-once photo or video: no content, `key.isViewOnce` set (not a protobuf field).
    const shell = () => {
      const m = citizenMessage({});
      m.message = undefined;
      m.key.isViewOnce = true;
      return m;
    };
    const once = shell();
    h.socket.deliver([once]);
    h.socket.deliver([once, shell()]); // redelivered, and a second one
    await waitFor(() => h.socket.sent.length === 2, { what: 'two notices' });
    await new Promise((r) => setTimeout(r, 2_800)); // past the quiet period and a sweep
    expect(h.socket.sent.map((s) => [s.jid, (s.content as { text: string }).text])).toEqual([
      [CITIZEN, 'Maaf, foto atau video *sekali lihat* tidak dapat kami buka. Mohon kirim ulang sebagai foto atau video biasa.'],
      [CITIZEN, 'Maaf, foto atau video *sekali lihat* tidak dapat kami buka. Mohon kirim ulang sebagai foto atau video biasa.'],
    ]);
    expect(await intakeJobs(url, prefix)).toHaveLength(0);
  });

  it('takes a photo sent in HD once, although WhatsApp sends it twice (standard quality, then the HD copy as its child)', async () => {
    const sd = await media.add('/hd/sd', PNG, 'image');
    const hd = await media.add('/hd/hd', Buffer.concat([PNG, Buffer.alloc(32, 9)]), 'image');
    const first = citizenMessage({ imageMessage: { ...sd, mimetype: 'image/jpeg', caption: 'jalan berlubang di Jl. Anggrek' } });
    const copy = citizenMessage({
      messageContextInfo: { messageAssociation: { associationType: proto.MessageAssociation.AssociationType.HD_IMAGE_DUAL_UPLOAD, parentMessageKey: first.key } },
      associatedChildMessage: { message: { imageMessage: { ...hd, mimetype: 'image/jpeg', caption: 'jalan berlubang di Jl. Anggrek' } } },
    });
    h.socket.deliver([first]);
    h.socket.deliver([copy]);
    h.socket.deliver([citizenMessage({ conversation: 'kirim' })]);
    const [c] = await waitFor(async () => ((await intakeJobs(url, prefix)).length ? intakeJobs(url, prefix) : null), { what: 'complaint' });
    expect(c!.text).toBe('jalan berlubang di Jl. Anggrek');
    expect(c!.attachments.map((a) => a.sha256)).toEqual([sha(PNG)]);
  });

  it('tells a citizen who edits a message already filed that the change is not in the complaint', async () => {
    const first = citizenMessage({ conversation: 'jalan rusak di Jl. Mawar' });
    h.socket.deliver([first, citizenMessage({ conversation: 'kirim' })]);
    const [c] = await waitFor(async () => ((await intakeJobs(url, prefix)).length ? intakeJobs(url, prefix) : null), { what: 'complaint' });
    await waitFor(() => h.socket.sent.length === 1, { what: 'ack sent' });
    // The address corrected a minute later, as a phone sends an edit (WhatsApp takes edits for 15 minutes).
    h.socket.deliver([citizenMessage({ editedMessage: { message: { protocolMessage: { type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT, key: { remoteJid: CITIZEN, fromMe: true, id: first.key.id }, editedMessage: { conversation: 'jalan rusak di Jl. Melati' }, timestampMs: Date.now() } } } })]);
    await waitFor(() => h.socket.sent.length === 2, { what: 'answer to the edit' });
    expect((h.socket.sent[1]!.content as { text: string }).text).toBe(`Mohon maaf, aduan *${c!.ticket}* sudah terkirim sebelum pesan Anda diubah, sehingga perubahannya tidak ikut tercatat. Bila ada koreksi, silakan kirim sebagai pesan baru dengan menyebut nomor tiket ${c!.ticket}.`);
    await new Promise((r) => setTimeout(r, 2_800)); // past the quiet period and a sweep
    expect((await intakeJobs(url, prefix)).map((x) => x.text)).toEqual(['jalan rusak di Jl. Mawar']);
    expect(h.socket.sent).toHaveLength(2);
  });

  it('tells a citizen who deletes a message already filed ("hapus untuk semua orang") that it stays in the complaint, once', async () => {
    const first = citizenMessage({ conversation: 'lampu PJU mati di Jl. Anggrek' });
    const second = citizenMessage({ conversation: 'sudah seminggu gelap' });
    h.socket.deliver([first, second, citizenMessage({ conversation: 'kirim' })]);
    const [c] = await waitFor(async () => ((await intakeJobs(url, prefix)).length ? intakeJobs(url, prefix) : null), { what: 'complaint' });
    await waitFor(() => h.socket.sent.length === 1, { what: 'ack sent' });
    // As a phone sends it: a protocol message naming the deleted one; then a second message of the same complaint.
    const revoke = (id: string) => citizenMessage({ protocolMessage: { type: proto.Message.ProtocolMessage.Type.REVOKE, key: { remoteJid: CITIZEN, fromMe: true, id } } });
    h.socket.deliver([revoke(first.key.id!)]);
    await waitFor(() => h.socket.sent.length === 2, { what: 'answer to the deletion' });
    expect((h.socket.sent[1]!.content as { text: string }).text).toBe(`Pesan yang Anda hapus sudah tercatat dalam aduan *${c!.ticket}* sebelum dihapus, sehingga tetap kami teruskan ke instansi terkait. Bila ada koreksi, silakan kirim sebagai pesan baru dengan menyebut nomor tiket ${c!.ticket}.`);
    h.socket.deliver([revoke(second.key.id!)]);
    await new Promise((r) => setTimeout(r, 2_800)); // past the quiet period and a sweep
    expect(h.socket.sent).toHaveLength(2);
    expect((await intakeJobs(url, prefix)).map((x) => x.text)).toEqual(['lampu PJU mati di Jl. Anggrek\nsudah seminggu gelap']);
  });

  it('files no complaint for a contact card alone: asks what the complaint is, and files the card with the words sent next', async () => {
    h.socket.deliver([citizenMessage({ contactMessage: { displayName: 'Pak RT', vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:Pak RT\nTEL;type=CELL;waid=6285700000001:+62 857-0000-0001\nEND:VCARD' } })]);
    await waitFor(() => h.socket.sent.length === 1, { what: 'question sent' });
    expect(h.socket.sent[0]!.jid).toBe(CITIZEN);
    expect((h.socket.sent[0]!.content as { text: string }).text).toBe('Terima kasih, kontak yang Anda kirim sudah kami terima. Mohon tuliskan juga aduan Anda: apa masalahnya dan di mana lokasinya. Kontak tersebut akan kami sertakan bersama aduan Anda.');
    expect(await intakeJobs(url, prefix)).toHaveLength(0);
    h.socket.deliver([citizenMessage({ conversation: 'lampu PJU mati di Jl. Kenari' }), citizenMessage({ conversation: 'kirim' })]);
    const [c, ...more] = await waitFor(async () => ((await intakeJobs(url, prefix)).length ? intakeJobs(url, prefix) : null), { what: 'complaint' });
    expect(more).toHaveLength(0);
    expect(c!.text).toBe('Kontak: Pak RT (+6285700000001)\nlampu PJU mati di Jl. Kenari');
    expect(c!.source.messageIds).toHaveLength(3);
  });

  it('re-requests expired media from the phone and downloads the re-upload', async () => {
    const gone = await media.add('/exp/old', PNG, 'image', { gone: true });
    const msg = citizenMessage({ imageMessage: { ...gone, mimetype: 'image/png', caption: 'pohon tumbang' } });
    const fresh = await media.add('/exp/new', PNG, 'image');
    h.socket.reupload.set(msg.key.id!, citizenMessage({ imageMessage: { ...fresh, mimetype: 'image/png' } }, { key: msg.key }));
    h.socket.deliver([msg, citizenMessage({ conversation: 'selesai' })]);
    const [c] = await waitFor(async () => ((await intakeJobs(url, prefix)).length ? intakeJobs(url, prefix) : null), { what: 'complaint' });
    expect(h.socket.reuploads).toBe(1);
    expect(c!.attachments[0]!.sha256).toBe(sha(PNG));
  });

  it('ignores groups, status, newsletters, own messages, reactions and protocol messages, and survives junk', async () => {
    h.socket.deliver([
      citizenMessage({ conversation: 'grup' }, {}, '120363000000000000@g.us'),
      citizenMessage({ conversation: 'status' }, { key: { remoteJid: 'status@broadcast', id: 'S1', participant: CITIZEN } }),
      citizenMessage({ conversation: 'news' }, {}, '120363000000000001@newsletter'),
      citizenMessage({ conversation: 'dari kami' }, { key: { remoteJid: CITIZEN, fromMe: true, id: 'OWN1' } }),
      citizenMessage({ reactionMessage: { key: { id: 'X', remoteJid: CITIZEN }, text: '👍' } }),
      citizenMessage({ protocolMessage: { type: proto.Message.ProtocolMessage.Type.EPHEMERAL_SETTING, ephemeralExpiration: 86400 } }),
      citizenMessage({ pollCreationMessage: { name: 'poll', options: [{ optionName: 'a' }] } }),
      citizenMessage({ lottieStickerMessage: { message: { stickerMessage: { mimetype: 'application/was', isLottie: true } } } }),
      citizenMessage({ albumMessage: { expectedImageCount: 2 } }), // its photos come as messages of their own
      citizenMessage({ imageMessage: { mimetype: 'image/jpeg' } }), // no url, no key: download fails, message kept without it
      { key: null } as never,
      { key: { remoteJid: CITIZEN, id: 'BROKEN' }, message: { locationMessage: { degreesLatitude: 999 } } } as never,
    ]);
    h.socket.deliver([citizenMessage({ conversation: 'lampu PJU mati di Jl. Kenari' }), citizenMessage({ conversation: 'kirim' })]);
    const [c, ...more] = await waitFor(async () => ((await intakeJobs(url, prefix)).length ? intakeJobs(url, prefix) : null), { what: 'complaint' });
    expect(more).toHaveLength(0);
    expect(c!.text).toBe('lampu PJU mati di Jl. Kenari\n[foto tidak dapat diunduh]');
    expect(c!.source.messageIds).toHaveLength(3);
    // Known shapes are not reported as unsupported (an alarm for content we would lose).
    expect(h.logText()).not.toMatch(/unsupported:(albumMessage|lottieStickerMessage)/);
  });

  it('leaves out a damaged photo whose metadata cannot be removed, and says so in the complaint (not "could not be downloaded")', async () => {
    const jpeg = await readFile(join(import.meta.dirname, '../../../tests/fixtures/photos/phone-orientation6.jpg'));
    const cut = await media.add('/damaged/photo', jpeg.subarray(0, jpeg.indexOf('Exif\0', 0, 'latin1') + 100), 'image');
    h.socket.deliver([citizenMessage({ imageMessage: { ...cut, mimetype: 'image/jpeg', caption: 'lampu jalan mati di Jl. Kenari' } })]);
    h.socket.deliver([citizenMessage({ conversation: 'kirim' })]);
    const [c] = await waitFor(async () => ((await intakeJobs(url, prefix)).length ? intakeJobs(url, prefix) : null), { what: 'complaint' });
    expect(c!.attachments).toHaveLength(0);
    expect(c!.text).toBe('lampu jalan mati di Jl. Kenari\n[foto rusak, tidak dapat dibaca]');
  });

  it('leaves out an image format whose metadata cannot be removed (a TIFF document), and says why in the complaint', async () => {
    const tiff = Buffer.from('MM\0\x2a\0\0\0\x08\0\x01\x01\x3b\0\x02\0\0\0\x0d\0\0\0\x1a\0\0\0\0Budi Santoso\0', 'latin1');
    const doc = await media.add('/unsupported/scan', tiff, 'document');
    h.socket.deliver([citizenMessage({ documentMessage: { ...doc, mimetype: 'image/tiff', fileName: 'scan.tif', caption: 'surat pengantar RT' } })]);
    h.socket.deliver([citizenMessage({ conversation: 'kirim' })]);
    const [c] = await waitFor(async () => ((await intakeJobs(url, prefix)).length ? intakeJobs(url, prefix) : null), { what: 'complaint' });
    expect(c!.attachments).toHaveLength(0);
    expect(c!.text).toBe('surat pengantar RT\n[dokumen tidak disimpan: formatnya tidak didukung]');
  });

  it('keeps a photo with a caption near the 5,000-character limit whose download failed, caption shortened to fit the note', async () => {
    const caption = `Jalan berlubang di depan SD. ${'Mohon segera diperbaiki. '.repeat(200)}`.slice(0, 4_990);
    h.socket.deliver([citizenMessage({ imageMessage: { mimetype: 'image/jpeg', caption } })]);
    h.socket.deliver([citizenMessage({ conversation: 'kirim' })]);
    const [c] = await waitFor(async () => ((await intakeJobs(url, prefix)).length ? intakeJobs(url, prefix) : null), { what: 'complaint' });
    expect(c!.text.startsWith('Jalan berlubang di depan SD.')).toBe(true);
    expect(c!.text.endsWith('[foto tidak dapat diunduh]')).toBe(true);
  });

  it('takes messages that arrived while offline (Baileys delivers them as "append"), but not ancient ones', async () => {
    const hourAgo = Math.floor(Date.now() / 1000) - 3_600;
    h.socket.deliver(
      [
        citizenMessage({ conversation: 'drainase mampet, banjir tiap hujan' }, { messageTimestamp: hourAgo }),
        citizenMessage({ conversation: 'pesan lama sekali' }, { messageTimestamp: hourAgo - 30 * 86_400 }),
        citizenMessage({ conversation: 'balasan kami' }, { key: { remoteJid: CITIZEN, fromMe: true, id: 'OWN2' } }),
      ],
      'append',
    );
    h.socket.deliver([citizenMessage({ conversation: 'kirim' })]);
    const [c, ...more] = await waitFor(async () => ((await intakeJobs(url, prefix)).length ? intakeJobs(url, prefix) : null), { what: 'complaint' });
    expect(more).toHaveLength(0);
    expect(c!.text).toBe('drainase mampet, banjir tiap hujan');
    expect(c!.receivedAt).toBe(new Date(hourAgo * 1000).toISOString());
  });

  it('answers a greeting alone with a short guide and no ticket', async () => {
    h.socket.deliver([citizenMessage({ conversation: 'Assalamualaikum' })]);
    await waitFor(() => h.socket.sent.length === 1, { what: 'guide sent' });
    await new Promise((r) => setTimeout(r, 2_800)); // past the quiet period and a sweep
    expect(await intakeJobs(url, prefix)).toHaveLength(0);
    expect(h.socket.sent).toHaveLength(1);
    expect((h.socket.sent[0]!.content as { text: string }).text).toContain('ketik *kirim*');
    expect(await h.service.pipeline.engine.openConversations()).toBe(0);
  });

  it("after the router's notice (\"selesai\"), a short reply gets neither a ticket nor the guide", async () => {
    const notify = new Queue(QueueNames.notify('whatsapp'), { connection: createRedis(url, 'worker'), prefix });
    try {
      const note: Notification = { schemaVersion: 1, channel: 'whatsapp', account: ACCOUNT, to: CITIZEN, ticket: 'ADU-7K3M-9Q2X', kind: 'status', text: 'Aduan ADU-7K3M-9Q2X sudah selesai ditangani Dinas Perhubungan.', createdAt: new Date().toISOString() };
      await notify.add('status', note, { jobId: 'status.dishub.t-1' });
      await waitFor(() => h.socket.sent.length === 1, { what: 'notice sent' });
      h.socket.deliver([citizenMessage({ conversation: 'Pak?' }), citizenMessage({ conversation: 'Alhamdulillah 🙏' })]);
      await new Promise((r) => setTimeout(r, 2_800)); // past the quiet period and a sweep
      expect(h.socket.sent).toHaveLength(1);
      expect(await intakeJobs(url, prefix)).toHaveLength(0);
    } finally {
      await notify.close();
    }
  });

  it('makes no second complaint or acknowledgement from a redelivered message', async () => {
    const a = citizenMessage({ conversation: 'sampah menumpuk di Jl. Cemara' });
    const b = citizenMessage({ conversation: 'kirim' });
    h.socket.deliver([a, a, b]);
    await waitFor(async () => (await intakeJobs(url, prefix)).length === 1, { what: 'complaint' });
    h.socket.deliver([a, b]); // redelivered after the close, e.g. after a reconnect
    await waitFor(() => h.socket.sent.length >= 1, { what: 'ack' });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await intakeJobs(url, prefix)).toHaveLength(1);
    expect((await notifyJobs(url, prefix)).filter((n) => n.kind === 'ack')).toHaveLength(1);
    expect(h.socket.sent).toHaveLength(1);
  });

  it('answers "cek <ticket>" with the status of the sender\'s own complaint only', async () => {
    h.socket.deliver([citizenMessage({ conversation: 'wifi taman kebon rojo mati' }), citizenMessage({ conversation: 'kirim' })]);
    const [c] = await waitFor(async () => ((await intakeJobs(url, prefix)).length ? intakeJobs(url, prefix) : null), { what: 'complaint' });
    h.socket.deliver([citizenMessage({ conversation: `cek ${c!.ticket}` })]);
    h.socket.deliver([citizenMessage({ conversation: `cek ${c!.ticket}` }, {}, '6289999999999@s.whatsapp.net')]);
    await waitFor(() => h.socket.sent.length >= 3, { what: 'ack + two lookups' });
    const byJid = (jid: string) => h.socket.sent.filter((s) => s.jid === jid).map((s) => (s.content as { text: string }).text);
    expect(byJid(CITIZEN).some((t) => t.includes('sudah diterima'))).toBe(true);
    expect(byJid('6289999999999@s.whatsapp.net')).toEqual([expect.stringContaining('tidak ditemukan')]);
  });

  it('sends the acknowledgement once after a send failed on a closed connection', async () => {
    h.socket.failSends = 1;
    h.socket.deliver([citizenMessage({ conversation: 'reklame roboh di Jl. Merdeka' }), citizenMessage({ conversation: 'kirim' })]);
    await waitFor(() => h.socket.sent.length === 1, { what: 'ack after retry', timeoutMs: 8_000 });
    expect(h.socket.failSends).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(h.socket.sent).toHaveLength(1);
  });

  it('keeps an open conversation across a restart of the service', async () => {
    await h.stop();
    config = { ...config, CONVERSATION_QUIET: 30_000 };
    h = await startHarness(config);
    await waitFor(() => h.service.sessions.get(ACCOUNT)!.status.state === 'connected', { what: 'connected' });
    h.socket.deliver([citizenMessage({ conversation: 'pohon besar miring' })]);
    await waitFor(async () => (await h.service.pipeline.engine.openConversations()) === 1, { what: 'open conversation' });
    await h.stop();
    h = await startHarness(config);
    await waitFor(() => h.service.sessions.get(ACCOUNT)!.status.state === 'connected', { what: 'connected again' });
    h.socket.deliver([citizenMessage({ conversation: 'di depan SDN Sananwetan 1' }), citizenMessage({ conversation: 'kirim' })]);
    const [c] = await waitFor(async () => ((await intakeJobs(url, prefix)).length ? intakeJobs(url, prefix) : null), { what: 'complaint' });
    expect(c!.text).toBe('pohon besar miring\ndi depan SDN Sananwetan 1');
  });
});
