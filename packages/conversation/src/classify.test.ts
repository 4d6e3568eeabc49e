import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ChatMessage } from './chat-message.ts';
import { asksConfidential, classifyMessage, isCloseWord, isConfidentialOnly, isFollowUp, isGreetingOnly, isSecretRequestOnly, isThanksOnly, parseCheck, parseLookup, parseReopen } from './classify.ts';

const base = { channel: 'whatsapp', account: '+6281100000000', senderId: 's', threadId: 't', messageId: 'm', at: '2026-01-05T01:00:00Z' } as const;
const kindOf = (extra: Record<string, unknown>) => classifyMessage(ChatMessage.parse({ ...base, ...extra }));

describe('classifyMessage', () => {
  it.each([
    ['Halo', true],
    ['Assalamualaikum wr wb', true],
    ['Pak mau lapor', true],
    ['selamat pagi min 🙏', true],
    ['Haloooo', true],
    ['pppp', true],
    ['ada jukir liar di alun-alun', false],
    ['Pak lampu PJU mati', false],
  ])('greeting-only %s -> %s', (text, expected) => {
    expect(isGreetingOnly(text)).toBe(expected);
  });

  it('hears a request for confidentiality in the ways people write it, and tells the bare request from a complaint that makes it', () => {
    const requests = [
      'rahasia', 'RAHASIA!', 'rahasiaaa', 'rahsia ya min', 'mohon identitas saya dirahasiakan ya pak', 'tolong rahasiakan nama saya',
      'Rahasiakan no hp saya min', 'tolong rahasiakan nomor WA saya', 'minta dirahasiakan ya pak', 'tolong dirahasiakan identitasnya',
      'identitas pelapor mohon dirahasiakan', 'Mohon dijaga kerahasiaan identitas saya', 'nama saya jangan disebut', 'saya mau anonim saja',
      'tolong rahasiakno jenengku',
    ];
    for (const t of requests) {
      expect(asksConfidential(t), t).toBe(true);
      expect(isConfidentialOnly(t), t).toBe(true);
      expect(kindOf({ text: t }), t).toBe('greeting');
    }
    const complaint = 'Ada pungli di loket parkir Pasar Legi, tolong rahasiakan nama saya';
    expect(asksConfidential(complaint)).toBe(true);
    expect(isConfidentialOnly(complaint)).toBe(false);
    expect(kindOf({ text: complaint })).toBe('content');
    // Secrets in the complaint itself are no request about the reporter.
    for (const t of ['lampu PJU mati di Jl. Merdeka', 'Pak mau lapor', 'Kenapa data penerima BLT di kelurahan kami dirahasiakan? Warga tidak tahu siapa yang dapat', 'Ada gudang rahasia penimbunan solar di dekat terminal']) {
      expect(asksConfidential(t), t).toBe(false);
    }
  });

  it('takes a question about one of our tickets for a look-up, however it is asked, and not a complaint that mentions one', () => {
    for (const t of ['Min, mau cek status aduan ADU-NBRC-RM31', 'cek tiket saya ADU-NBRC-RM31', 'Cek no tiket ADU-NBRC-RM31', 'ADU-NBRC-RM31', 'ADU-NBRC-RM31?', 'cek *ADU-NBRC-RM31*', 'Gimana perkembangan aduan saya ADU NBRC RM31 pak']) {
      expect(parseLookup(t, 'ADU'), t).toBe('ADU-NBRC-RM31');
      expect(kindOf({ text: t }), t).toBe('check');
    }
    for (const t of ['Aduan ADU-NBRC-RM31 belum ditangani, lampunya masih mati di Jl. Merdeka', 'lampu PJU mati']) {
      expect(parseLookup(t, 'ADU'), t).toBeNull();
      expect(kindOf({ text: t }), t).toBe('content');
    }
  });

  it('recognises close words only as the whole message', () => {
    expect(isCloseWord('Kirim')).toBe(true);
    expect(isCloseWord('selesai.')).toBe(true);
    expect(isCloseWord('jalan selesai diperbaiki tapi rusak lagi')).toBe(false);
  });

  it('parses "cek <ticket>" and tells a complaint that starts with "cek" apart', () => {
    expect(parseCheck('cek ADU-7K3M-9Q2X')).toBe('ADU-7K3M-9Q2X');
    expect(parseCheck('Cek adu 7k3m 9q2x')).toBe('ADU-7K3M-9Q2X');
    expect(parseCheck('cek')).toBe('');
    expect(parseCheck('cek ADU-12')).toBe('');
    expect(parseCheck('cek lokasi ini pak, lampunya mati')).toBeNull();
    expect(parseCheck('status jalan rusak di Sananwetan')).toBeNull();
    expect(parseCheck('halo')).toBeNull();
  });

  it('gives media precedence over words and routes edits and deletions', () => {
    const att = { kind: 'image', mimeType: 'image/jpeg', bytes: 3, sha256: 'a'.repeat(64), storageKey: `sha256/aa/${'a'.repeat(64)}` };
    expect(kindOf({ text: 'halo', attachments: [att] })).toBe('content');
    expect(kindOf({ text: 'kirim' })).toBe('close');
    expect(kindOf({ text: 'cek ADU-7K3M-9Q2X' })).toBe('check');
    expect(kindOf({ text: 'halo' })).toBe('greeting');
    expect(kindOf({ text: 'baru', edits: 'x' })).toBe('edit');
    expect(kindOf({ revokes: 'x' })).toBe('revoke');
  });

  it.each(['Cek RT 05', 'cek jalan2', 'Cek 3 titik', 'cek parkir liar', 'cek adu domba warga'])('"%s" is complaint text, not a look-up', (text) => {
    expect(parseCheck(text)).toBeNull();
    expect(kindOf({ text })).toBe('content');
  });

  it('takes a ticket typed loosely, with the configured prefix', () => {
    for (const text of ['cek adu7k3m9q2x', 'CEK ADU 7K3M 9Q2X', 'cek ADU-7K3M-9Q2X pak', 'cek tiket: ADU-7K3M-9Q2X ya min', 'cek ADU–7K3M–9Q2X']) expect(parseCheck(text)).toBe('ADU-7K3M-9Q2X');
    expect(parseCheck('cek lapor 7k3m 9q2x', 'LAPOR')).toBe('LAPOR-7K3M-9Q2X');
    // A ticket written out in full keeps working after TICKET_PREFIX changed.
    expect(parseCheck('cek ADU-7K3M-9Q2X', 'LAPOR')).toBe('ADU-7K3M-9Q2X');
    expect(parseCheck('cek ADU 7K3M', 'LAPOR')).toBeNull();
    expect(parseCheck('cek ADU 7K3M')).toBe('');
    expect(kindOf({ text: 'cek jalan2' })).toBe('content');
  });

  it.each([
    ['Ok terima kasih min', true],
    ['siap pak', true],
    ['baik, terima kasih', true],
    ['terimakasih banyak kak 🙏', true],
    ['matur nuwun', true],
    ['Halo', false],
    ['Pak mau lapor', false],
    ['ok lampunya masih mati', false],
    // Asking for information or help is an opener, not thanks: it has no word of thanks, ok or prayer.
    ['Info min', false],
    ['Min, info dong', false],
    ['mohon info pak', false],
    ['Mohon bantuannya pak', false],
    ['Selamat siang, mohon bantuannya', false],
    ['mohon informasinya bu', false],
    ['Mohon dibantu pak', false],
    ['mohon responnya min', false],
    // The same words after a thanks still thank.
    ['Terima kasih atas infonya min', true],
    ['makasih bantuannya pak', true],
    ['Terima kasih atas informasinya 🙏', true],
    ['Alhamdulillah sangat terbantu', true],
  ])('thanks-only %s -> %s', (text, expected) => {
    expect(isThanksOnly(text)).toBe(expected);
    if (expected) expect(isGreetingOnly(text)).toBe(true);
  });
});

/** Every complaint text of the routing fixtures (real complaint styles: typos, caps, emoji, Javanese). */
function fixtureComplaints(): { id: string; text: string }[] {
  return ['routing-dev', 'routing-holdout', 'routing-holdout-hard'].flatMap((name) =>
    readFileSync(fileURLToPath(new URL(`../../../tests/fixtures/${name}.jsonl`, import.meta.url)), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { id: string; text: string }),
  );
}

describe('small talk that closes a conversation is never a complaint', () => {
  // What citizens send after an acknowledgement, a "cek" answer or a "selesai" notice.
  it.each([
    ['🙏', true],
    ['🙏🙏🙏', true],
    ['👍🏻👍🏻', true],
    ['👌', true],
    ['❤️', true],
    ['Alhamdulillah, terima kasih', true],
    ['Terima kasih atas respon cepatnya 🙏', true],
    ['Aamiin', true],
    ['aamiin ya rabbal alamin', true],
    ['Amin', true],
    ['alhamdulillah', true],
    ['syukurlah', true],
    ['mantap min 👍', true],
    ['siap, matur nuwun', true],
    ['maturnuwun sanget', true],
    ['makasih', true],
    ['mksh min', true],
    ['trims', true],
    ['thx', true],
    ['oke', true],
    ['okey siap', true],
    ['sip', true],
    ['ok', true],
    ['Semoga cepat ditindaklanjuti', true],
    ['semoga segera diperbaiki ya pak, terima kasih', true],
    ['Barakallah', true],
    ['nuwun', true],
    ['Alhamdulillah sudah diperbaiki, terima kasih banyak pak', true],
    ['Terima kasih Pemkot Blitar, pelayanannya cepat sekali', true],
    ['Alhamdulillah, terima kasih banyak atas respon cepatnya pak, semoga berkah', true],
    // Small talk, but no thanks: the guide may still help (first contact).
    ['?', false],
    ['...', false],
    ['👋', false],
  ])('"%s" is small talk (thanks: %s)', (text, thanks) => {
    expect(kindOf({ text })).toBe('greeting');
    expect(isGreetingOnly(text)).toBe(true);
    expect(isThanksOnly(text)).toBe(thanks);
  });

  // Complaints that happen to hold a closing word: every word must be small talk, not just one.
  it.each([
    'terima kasih, tapi lampu masih mati',
    'Aamiin, tapi sampai sekarang jalan di depan rumah masih berlubang',
    'ok lampunya masih mati',
    'Alhamdulillah sudah diperbaiki, tapi sekarang bocor lagi',
    'Belum ada respon, lampu PJU di Jl. Merdeka masih mati',
    'Terima kasih. Satu lagi pak, sampah di TPS Sentul belum diangkut',
    'mantap, jukir liar di alun-alun makin banyak 😡',
    'semoga cepat ditindaklanjuti, selokan mampet di Jl. Cemara',
    '🙏 pohon tumbang di Jl. Sudanco Supriyadi',
    'Jl. Merdeka 12',
  ])('"%s" is still a complaint', (text) => {
    expect(kindOf({ text })).toBe('content');
    expect(isGreetingOnly(text)).toBe(false);
    expect(isThanksOnly(text)).toBe(false);
  });

  it('takes every complaint text of the routing fixtures for a complaint', () => {
    const texts = fixtureComplaints();
    expect(texts.length).toBeGreaterThan(400);
    const smallTalk = texts.filter((t) => kindOf({ text: t.text }) !== 'content').map((t) => t.id);
    expect(smallTalk).toEqual([]);
  });

  it('keeps an Instagram story mention without words (incidental) out of the complaints, whatever it carries', () => {
    const att = { kind: 'image', mimeType: 'image/jpeg', bytes: 3, sha256: 'a'.repeat(64), storageKey: `sha256/aa/${'a'.repeat(64)}` };
    expect(kindOf({ text: '(Menyebut akun kami di story.)', attachments: [att], incidental: true })).toBe('greeting');
    expect(kindOf({ text: '(Menyebut akun kami di story.)', attachments: [att] })).toBe('content');
  });

  it.each(['sudah ada kabar?', 'Sudah ada kabar belum min', 'gimana perkembangan laporan saya?', 'apakah sudah ditindaklanjuti pak?', 'laporan saya kemarin sampai mana ya', 'kok belum ada tindak lanjut dari dinas?', 'ada update?', 'Bagaimana progres aduan saya bu', 'kapan diperbaiki pak?', 'sudah dikerjakan belum min', 'kok belum beres juga ya'])(
    '"%s" asks after the sender\'s complaints: a look-up, not a new complaint',
    (text) => {
      expect(isFollowUp(text)).toBe(true);
      expect(kindOf({ text })).toBe('check');
    },
  );

  it.each(['Info min', 'mohon info pak', 'Mohon bantuannya pak'])('"%s" is an opener: small talk that gets the guide', (text) => {
    expect(kindOf({ text })).toBe('greeting');
    expect(isThanksOnly(text)).toBe(false);
  });

  it.each(['semoga segera ditindaklanjuti', 'mohon segera ditindaklanjuti pak', 'terima kasih sudah diproses', 'belum ada tindak lanjut, lampu masih mati', 'kabar buruk, jembatan ambrol di Sukorejo', 'gimana ini pak jalan rusak parah', 'sudah', 'jalan berlubang di Jl. Kalimantan kapan diperbaiki?', 'terima kasih sudah diperbaiki'])(
    '"%s" is no question about a complaint',
    (text) => {
      expect(isFollowUp(text)).toBe(false);
      expect(kindOf({ text })).not.toBe('check');
    },
  );
});


describe('isSecretRequestOnly', () => {
  it('is the request, led by its own words and followed at most by a short reason', () => {
    for (const t of ['rahasia', 'tolong rahasiakan nomor WA saya karena saya takut ada yang tidak suka', 'mohon identitas saya dirahasiakan ya pak', 'nama saya jangan disebut soalnya takut'])
      expect(isSecretRequestOnly(t), t).toBe(true);
  });
  it('is not a complaint that also asks for secrecy, nor a request followed by a long story', () => {
    for (const t of [
      'Satu lagi pak, di kantor kelurahan Sentul ada pungli pembuatan KTP, minta 50 ribu. Mohon nama saya dirahasiakan',
      'ada pungli di kelurahan sentul mohon nama saya dirahasiakan',
      'tolong rahasiakan nama saya karena takut, petugas kelurahan Sentul minta uang 50 ribu untuk pembuatan KTP',
      'Kenapa data penerima BLT dirahasiakan?',
    ])
      expect(isSecretRequestOnly(t), t).toBe(false);
  });
});

describe('parseReopen', () => {
  it('reads "belum <ticket> <reason>" as the resolved notice teaches it, and nothing without a ticket', () => {
    expect(parseReopen('BELUM *ADU-7K3M-9Q2X* lubangnya masih ada')).toEqual({ ticket: 'ADU-7K3M-9Q2X', reason: 'lubangnya masih ada' });
    expect(parseReopen('belum selesai adu 7k3m 9q2x: lampu masih mati')).toEqual({ ticket: 'ADU-7K3M-9Q2X', reason: 'lampu masih mati' });
    expect(parseReopen('Belum ADU-7K3M-9Q2X')).toEqual({ ticket: 'ADU-7K3M-9Q2X', reason: '' });
    expect(parseReopen('belum ada tindak lanjut, lampu masih mati')).toBeNull();
    expect(parseReopen('lubang ADU-7K3M-9Q2X belum ditutup')).toBeNull();
    expect(classifyMessage(ChatMessage.parse({ channel: 'whatsapp', account: 'a', senderId: 's', threadId: 't', messageId: 'm', at: new Date().toISOString(), reporter: {}, text: 'belum ADU-7K3M-9Q2X masih rusak' }))).toBe('check');
  });
});
