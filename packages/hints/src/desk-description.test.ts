import { describe, expect, it } from 'vitest';
import { deskDescription, maskContacts } from './desk-description.ts';

describe('what station staff see of a complaint', () => {
  it.each([
    ['hubungi saya 0812-3456-7890 ya', 'hubungi saya [disembunyikan] ya'],
    ['WA +62 812 3456 7890.', 'WA [disembunyikan].'],
    ['no 628123456789, rumah no 12', 'no [disembunyikan], rumah no 12'],
    ['kantor (0342) 801234 tutup', 'kantor [disembunyikan] tutup'],
    ['email budi.s+aduan@mail.co.id', 'email [disembunyikan]'],
    ['NIK saya 3572014506890002', 'NIK saya [disembunyikan]'],
  ])('masks phone numbers and e-mail addresses: %s', (text, shown) => {
    expect(maskContacts(text)).toBe(shown);
  });

  it.each([
    'Sejak 02-11-2026 lampu mati',
    'Jl. Merdeka No. 123, RT 03 RW 05',
    'Sudah 3 kali lapor, tanggal 12/11/2026 jam 08.30',
    'Dana 1.500.000 rupiah',
  ])('leaves dates, times, amounts and addresses: %s', (text) => {
    expect(maskContacts(text)).toBe(text);
  });

  it("masks them in a named citizen's text and place too, not only an anonymous one's", () => {
    expect(deskDescription('Lampu PJU mati, kabari saya di 081234567891', 'depan rumah, telp 0342-801234', { name: 'Rina', phone: '+6281234567891', anonymous: false, confidential: false })).toEqual({
      snippet: 'Lampu PJU mati, kabari saya di [disembunyikan]',
      landmark: 'depan rumah, telp [disembunyikan]',
    });
  });
});
