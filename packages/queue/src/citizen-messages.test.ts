import { describe, expect, it } from 'vitest';
import { asSentence, citizenMessages } from './citizen-messages.ts';

describe('an OPD note in a chat notice', () => {
  it("keeps WhatsApp from formatting the OPD's words: no *, _, ~ or ``` reaches the citizen outside links", () => {
    const note = 'Petugas jam 08.00~10.00 dan 13.00~15.00, tarif Rp 2.000* _resmi_ ```kode``` lihat https://x.go.id/a_b?c=*d*~e';
    const text = citizenMessages.in_progress('ADU-7K3M-9Q2X', 'Dinas Perhubungan', note);
    const outsideLink = text.replace(/https:\/\/\S+/, '');
    expect(outsideLink).not.toMatch(/[*_~`]/);
    // The link as written, with no full stop added after it.
    expect(text.endsWith('https://x.go.id/a_b?c=*d*~e')).toBe(true);
    // Still readable: the same words, with look-alike marks.
    expect(text).toContain('08.00\u223C10.00');
  });

  it('ends a note with a full stop unless it has one (or ends with a link)', () => {
    expect(asSentence(' Lampu sudah diganti ')).toBe('Lampu sudah diganti.');
    expect(asSentence('Sudah selesai!')).toBe('Sudah selesai!');
    expect(asSentence('Info di www.blitarkota.go.id')).toBe('Info di www.blitarkota.go.id');
  });
});
