import { describe, expect, it } from 'vitest';
import { messageParts } from './message-parts.ts';

describe('messageParts', () => {
  it('leaves a notice of up to 1,000 characters whole', () => {
    expect(messageParts('Aduan ADU-7K3M-9Q2X sudah kami teruskan.')).toEqual(['Aduan ADU-7K3M-9Q2X sudah kami teruskan.']);
    expect(messageParts('x'.repeat(1000))).toEqual(['x'.repeat(1000)]);
  });

  it('cuts at a blank line, else at the end of a sentence, else at a space', () => {
    const a = `Aduan A ${'lampu '.repeat(100).trim()}.`;
    const b = `Aduan B ${'jalan '.repeat(100).trim()}.`;
    expect(messageParts(`${a}\n\n${b}`)).toEqual([a, b]);
    const sentences = Array.from({ length: 30 }, (_, i) => `Kalimat nomor ${i} tentang perbaikan lampu.`).join(' ');
    const parts = messageParts(sentences);
    expect(parts.length).toBe(2);
    expect(parts.every((p) => p.length <= 1000 && p.endsWith('.'))).toBe(true);
    expect(parts.join(' ')).toBe(sentences);
    const words = 'kata '.repeat(300).trim();
    expect(messageParts(words).join(' ')).toBe(words);
    expect(messageParts(words).every((p) => p.length <= 1000 && !p.startsWith(' ') && !p.endsWith(' '))).toBe(true);
  });

  it('cuts a word longer than a message between characters, never inside an emoji', () => {
    const text = `x${'🙏'.repeat(600)}`;
    const parts = messageParts(text);
    expect(parts.join('')).toBe(text);
    for (const p of parts) expect(p.length <= 1000 && p.isWellFormed()).toBe(true);
  });
});
