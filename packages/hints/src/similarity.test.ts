import { describe, expect, it } from 'vitest';
import { loadDirectory } from '@aduan/routing';
import { canonicalKelurahan, contentWords, similarity } from './similarity.ts';

const doc = (text: string, extra: { kelurahan?: string; landmark?: string; category?: string } = {}) => ({ words: contentWords(text), ...extra });

describe('duplicate-hint similarity', () => {
  it('drops fillers and keeps the words that name the problem', () => {
    const words = contentWords('Halo mas, tolong ya ada jukir liar di depan Pasar Legi');
    expect(words).toEqual(expect.arrayContaining(['liar', 'pasar', 'legi']));
    expect(words).not.toContain('tolong');
    expect(words).not.toContain('halo');
  });

  it('finds the same problem told in other words at the same place', () => {
    const first = doc('Jukir liar di Pasar Legi minta parkir lima ribu tanpa karcis', { kelurahan: 'Bendogerit', category: 'parkir' });
    const second = doc('Parkir liar lagi di pasar legi, tarifnya mahal sekali', { kelurahan: 'Bendogerit', category: 'parkir' });
    const s = similarity(second, first);
    expect(s).not.toBeNull();
    expect(s!.sameKelurahan).toBe(true);
    expect(s!.shared).toEqual(expect.arrayContaining(['parkir', 'liar', 'pasar', 'legi']));
    expect(s!.score).toBeGreaterThan(0.6);
  });

  it('does not pair unrelated complaints in the same kelurahan', () => {
    const a = doc('Lampu jalan mati sudah seminggu, gelap sekali', { kelurahan: 'Bendogerit' });
    const b = doc('Sampah menumpuk di TPS belum diangkut', { kelurahan: 'Bendogerit' });
    expect(similarity(a, b)).toBeNull();
  });

  it('a shared landmark alone is enough to ask', () => {
    const a = doc('Pohon besar hampir tumbang', { landmark: 'Makam Bung Karno' });
    const b = doc('Ada dahan patah menggantung', { landmark: 'makam bung karno' });
    expect(similarity(a, b)?.sameLandmark).toBe(true);
  });

  it('canonicalizes kelurahan spelling against the directory', () => {
    const dir = loadDirectory();
    expect(canonicalKelurahan(dir, 'kepanjen lor')).toBe('Kepanjenlor');
    expect(canonicalKelurahan(dir, 'Atlantis')).toBeUndefined();
  });
});
