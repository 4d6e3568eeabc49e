import { describe, expect, it } from 'vitest';
import { createTexts } from './texts.ts';

describe('citizen texts', () => {
  it('tells the status with the last update in WIB', () => {
    const texts = createTexts({ em: (s) => `*${s}*` });
    const view = { ticket: 'ADU-7K3M-9Q2X', state: 'routed' as const, opd: { code: 'dishub', name: 'Dinas Perhubungan' }, channel: 'whatsapp' as const, receivedAt: '2026-11-28T16:40:00.000Z', updatedAt: '2026-11-28T17:05:00.000Z', history: [] };
    // 17:05 UTC is 00:05 the next day in Blitar.
    expect(texts.checkStatus(view)).toBe('Laporan *ADU-7K3M-9Q2X* sudah diteruskan ke Dinas Perhubungan. Terakhir diperbarui 29 Nov 2026, 00.05 WIB.');
  });
});
