import { describe, expect, it } from 'vitest';
import type { Directory } from '@aduan/routing/directory';
import { checkAgainstDirectory } from './directory-check.ts';

const dir: Directory = {
  opds: [],
  categories: [
    { code: 'pju', label: 'Lampu jalan (PJU) mati', opd: 'dishub' },
    { code: 'jalan', label: 'Jalan rusak / berlubang', opd: 'dpupr' },
    // Its label normalizes to the first category's code: the first entry keeps the key.
    { code: 'lampu', label: 'PJU', opd: 'dishub' },
  ],
  kecamatan: [
    { code: 'kec-sukorejo', name: 'Sukorejo', kelurahan: [{ name: 'Sukorejo', landmarks: [] }, { name: 'Karangsari', landmarks: [] }] },
    { code: 'kec-kepanjenkidul', name: 'Kepanjenkidul', kelurahan: [{ name: 'Bendo', landmarks: [] }, { name: 'Sentul', landmarks: [] }] },
    // A kelurahan name that two kecamatan share (synthetic).
    { code: 'kec-sananwetan', name: 'Sananwetan', kelurahan: [{ name: 'Sentul', landmarks: [] }, { name: 'Klampok', landmarks: [] }] },
  ],
};

const check = (req: Parameters<typeof checkAgainstDirectory>[0]) => checkAgainstDirectory(req, dir);

describe('checkAgainstDirectory', () => {
  it('takes a category by its code or its label, in any case and punctuation, and gives the code', () => {
    expect(check({ text: 'x', category: 'PJU' }).value.category).toBe('pju');
    expect(check({ text: 'x', category: 'jalan rusak - berlubang' }).value.category).toBe('jalan');
    expect(check({ text: 'x', category: 'lampu' }).value.category).toBe('lampu');
    expect(check({ text: 'x', category: 'sampah' }).errors.category?.code).toBe('unknown_category');
  });

  it('finds a kecamatan by name or office code and fills it in from a kelurahan', () => {
    expect(check({ text: 'x', location: { kecamatan: 'kec-sukorejo' } }).value.location).toEqual({ kecamatan: 'Sukorejo' });
    expect(check({ text: 'x', location: { kelurahan: 'karang sari' } }).value.location).toEqual({ kelurahan: 'Karangsari', kecamatan: 'Sukorejo' });
    expect(check({ text: 'x', location: { kecamatan: 'Kota' } }).errors['location.kecamatan']?.code).toBe('unknown_kecamatan');
    expect(check({ text: 'x', location: { kelurahan: 'Plosokerep' } }).errors['location.kelurahan']?.code).toBe('unknown_kelurahan');
    expect(check({ text: 'x', location: { kelurahan: 'Bendo', kecamatan: 'Sukorejo' } }).errors['location.kelurahan']?.code).toBe('kelurahan_not_in_kecamatan');
  });

  it('reads a kelurahan that two kecamatan share in the kecamatan given, else in the first', () => {
    expect(check({ text: 'x', location: { kelurahan: 'sentul', kecamatan: 'sananwetan' } }).value.location).toEqual({ kelurahan: 'Sentul', kecamatan: 'Sananwetan' });
    expect(check({ text: 'x', location: { kelurahan: 'sentul' } }).value.location).toEqual({ kelurahan: 'Sentul', kecamatan: 'Kepanjenkidul' });
  });

  it('leaves the request it was given as it was', () => {
    const req = { text: 'x', category: 'PJU', location: { kelurahan: 'bendo' } };
    check(req);
    expect(req).toEqual({ text: 'x', category: 'PJU', location: { kelurahan: 'bendo' } });
  });
});
