import { describe, expect, it } from 'vitest';
import { WordStemmer } from './stemmer.ts';

describe('WordStemmer (sastrawijs)', () => {
  const s = new WordStemmer();
  it('stems Indonesian affixes with Sastrawi', () => {
    expect(['perbaikan', 'berlubang', 'pengangkutan', 'kebakaran', 'dipungut', 'sampahnya'].map((w) => s.stem(w))).toEqual(['baik', 'lubang', 'angkut', 'bakar', 'pungut', 'sampah']);
  });
  it('avoids the dictionary roots that mislead it on complaint words', () => {
    expect(['pemangkasan', 'menumpuk', 'penerangan', 'pemadaman'].map((w) => s.stem(w))).toEqual(['pangkas', 'tumpuk', 'terang', 'padam']);
  });
  it('reads spoken verbs without "me-"', () => {
    expect(['numpuk', 'ngalir', 'nyumbat', 'mbayar', 'nebang'].map((w) => s.stem(w))).toEqual(['tumpuk', 'alir', 'sumbat', 'bayar', 'tebang']);
  });
  it('leaves unknown words and short words alone, and gives the same answer from its cache', () => {
    expect(s.stem('jukir')).toBe('jukir');
    expect(s.stem('tps')).toBe('tps');
    expect(s.stem('pemangkasan')).toBe(s.stem('pemangkasan'));
  });
  it("knows Sastrawi's roots, minus the misleading ones, and nothing an object inherits", () => {
    expect(['baik', 'lubang', 'sampah', 'pangkas'].map((w) => s.isRoot(w))).toEqual([true, true, true, true]);
    expect(['mangkas', 'umpuk', 'jukir'].map((w) => s.isRoot(w))).toEqual([false, false, false]);
    // Sastrawi's own dictionary, a plain object, answered true for these.
    expect(['constructor', 'toString', '__proto__', 'hasOwnProperty'].map((w) => s.isRoot(w))).toEqual([false, false, false, false]);
  });
  it('keeps working when the cache is full', () => {
    const small = new WordStemmer(2);
    expect(['perbaikan', 'berlubang', 'dipungut', 'perbaikan'].map((w) => small.stem(w))).toEqual(['baik', 'lubang', 'pungut', 'baik']);
  });
});
