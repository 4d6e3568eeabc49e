import { describe, expect, it } from 'vitest';
import { createTexts } from './texts.ts';

describe('citizen texts', () => {
  it('tells the status with the last update in WIB', () => {
    const texts = createTexts({ em: (s) => `*${s}*` });
    const view = { ticket: 'ADU-7K3M-9Q2X', state: 'routed' as const, opd: { code: 'dishub', name: 'Dinas Perhubungan' }, channel: 'whatsapp' as const, receivedAt: '2026-11-28T16:40:00.000Z', updatedAt: '2026-11-28T17:05:00.000Z', history: [] };
    // 17:05 UTC is 00:05 the next day in Blitar.
    expect(texts.checkStatus(view)).toBe('Aduan *ADU-7K3M-9Q2X* sudah diteruskan ke Dinas Perhubungan. Terakhir diperbarui 29 Nov 2026, 00.05 WIB.');
  });

  it('shows the current step\'s note only, as a sentence', () => {
    const texts = createTexts();
    const base = { ticket: 'ADU-7K3M-9Q2X', opd: { code: 'dpupr', name: 'Dinas PUPR' }, channel: 'whatsapp' as const, receivedAt: '2026-11-28T16:40:00.000Z', updatedAt: '2026-11-28T17:05:00.000Z' };
    const inProgress = { state: 'in_progress' as const, at: '2026-11-28T16:50:00.000Z', message: 'Petugas menuju lokasi' };
    // An earlier step's note would contradict the current one.
    expect(texts.checkStatus({ ...base, state: 'resolved', history: [inProgress, { state: 'resolved', at: '2026-11-28T17:05:00.000Z' }] })).not.toContain('Petugas menuju lokasi');
    expect(texts.checkStatus({ ...base, state: 'in_progress', history: [inProgress] })).toMatch(/Catatan: Petugas menuju lokasi\.$/);
    expect(texts.checkStatus({ ...base, state: 'rejected', history: [{ state: 'rejected', at: '2026-11-28T17:05:00.000Z', message: 'Lokasi di luar kota' }] })).toMatch(/Alasan: Lokasi di luar kota\.$/);
  });

  it('tells how to finish (kirim, or the quiet period as configured) and that a later message is a new complaint', () => {
    const wa = createTexts({ em: (s) => `*${s}*`, quietMs: 120_000, ticketPrefix: 'BLT' });
    expect(wa.guide()).toContain('ketik *kirim* (atau tunggu saja: aduan terkirim otomatis setelah 2 menit tanpa pesan baru).');
    expect(wa.ack('BLT-7K3M-9Q2X')).toContain('Pesan Anda berikutnya akan kami catat sebagai aduan baru');
    // The command to copy ends the message, unmarked.
    expect(wa.ack('BLT-7K3M-9Q2X')).toMatch(/ketik: cek BLT-7K3M-9Q2X$/);
    expect(wa.checkUsage()).toBe('Untuk melihat status aduan, ketik *cek* diikuti nomor tiket Anda, contoh: cek BLT-7K3M-9Q2X');
    const ig = createTexts({ em: (s) => s, kw: (s) => `"${s}"`, quietMs: 90_000 });
    expect(ig.guide()).toContain('ketik "kirim" (atau tunggu saja: aduan terkirim otomatis setelah 90 detik tanpa pesan baru).');
    expect(ig.guide()).not.toContain('*');
    expect(ig.checkUsage()).toContain('ketik "cek" diikuti');
    expect(createTexts({ quietMs: 45_000 }).guide()).toContain('setelah 45 detik tanpa');
  });

  it('says a complaint outside the city\'s remit once, not "oleh" a pseudo-agency', () => {
    const texts = createTexts({ em: (s) => `*${s}*` });
    const view = { ticket: 'ADU-7K3M-9Q2X', state: 'external' as const, opd: { code: 'external', name: 'Di luar kewenangan Pemerintah Kota Blitar' }, channel: 'whatsapp' as const, receivedAt: '2026-11-28T16:40:00.000Z', updatedAt: '2026-11-28T17:05:00.000Z', history: [] };
    expect(texts.checkStatus(view)).toBe('Aduan *ADU-7K3M-9Q2X* berada di luar kewenangan Pemerintah Kota Blitar. Terakhir diperbarui 29 Nov 2026, 00.05 WIB.');
  });
});

describe('"cek" for a ticket the sender did not file', () => {
  it('names what the sender is known by on each channel: a WhatsApp number, an Instagram account', () => {
    const texts = createTexts();
    expect(texts.checkNotFound('ADU-7K3M-9Q2X', 'whatsapp')).toBe('Maaf, tiket ADU-7K3M-9Q2X tidak ditemukan untuk nomor WhatsApp Anda. Mohon periksa kembali penulisan tiketnya.');
    expect(texts.checkNotFound('ADU-7K3M-9Q2X', 'instagram')).toBe('Maaf, tiket ADU-7K3M-9Q2X tidak ditemukan untuk akun Instagram Anda. Mohon periksa kembali penulisan tiketnya.');
  });
});

describe('media that could not be stored', () => {
  it('names every failure of the burst once, and what to send instead', () => {
    const texts = createTexts({ em: (s) => `*${s}*` });
    const failed = [
      { kind: 'video', reason: 'too-big' },
      { kind: 'image', reason: 'download-failed' },
      { kind: 'image', reason: 'download-failed' },
      { kind: 'document', reason: 'unsupported' },
    ] as const;
    expect(texts.failedMedia([...failed], 'ADU-7K3M-9Q2X')).toBe(
      'Maaf, video Anda terlalu besar, 2 foto Anda tidak dapat kami unduh, dan format dokumen Anda tidak dapat kami terima sehingga tidak ikut tercatat. ' +
        'Mohon kirim video yang lebih pendek atau foto, kirim ulang 2 foto tersebut, dan kirim dokumen tersebut sebagai foto biasa (JPG atau PNG) sekarang tanpa keterangan, agar kami catat sebagai tambahan untuk aduan *ADU-7K3M-9Q2X*.',
    );
    // No complaint to add to: the words are asked for too.
    expect(texts.failedMedia([{ kind: 'audio', reason: 'unreadable' }])).toBe('Maaf, pesan suara Anda rusak dan tidak dapat kami buka sehingga tidak ikut tercatat. Mohon kirim ulang pesan suara tersebut, beserta keterangan apa masalahnya dan di mana lokasinya.');
  });
});
