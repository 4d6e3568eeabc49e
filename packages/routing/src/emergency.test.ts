import { describe, expect, it } from 'vitest';
import { mentionsEmergency } from './emergency.ts';

describe('mentionsEmergency', () => {
  it.each([
    'Tolong ada kebakaran di gang 3 Sananwetan, apinya sudah besar',
    'Pak ada KECELAKAAN di perempatan Herlambang, korbannya belum ditolong',
    'Tetangga saya dipukuli suaminya sampai pingsan, KDRT',
    'Ada ular kobra masuk rumah saya di Sukorejo',
    'sarang tawon besar di pohon depan SD, anak-anak takut',
    'Bau gas bocor dari rumah kosong sebelah',
    'anak saya hanyut di sungai dekat bendungan tolong',
    'tawuran pelajar di depan stadion sekarang',
    'Pohon tumbang menimpa rumah di RT 01 Kel. Kauman habis hujan angin',
    'Banjir!!! air masuk rumah sepinggang, butuh perahu karet',
  ])('says so for "%s"', (text) => {
    expect(mentionsEmergency(text)).toBe(true);
  });

  it.each([
    'Lampu jalan di Jl. Merdeka mati, rawan kecelakaan kalau malam',
    'Jalan berlubang di Jl. Kalimantan sering terjadi kecelakaan',
    'Bekas kebakaran pasar belum dibersihkan sampai sekarang',
    'Kabel semrawut bisa menyebabkan kebakaran',
    'Sampah menumpuk di TPS Jl. Anggrek, bau busuk',
    'Terjebak macet tiap pagi di depan sekolah',
    'Demam berdarah di RT 02, mohon fogging',
    'Jukir liar minta uang parkir lima ribu',
    'Traffic light perempatan Lovi mati sejak pagi, kendaraan saling serobot hampir tabrakan',
    'Pohon beringin di alun2 rawan tumbang, akarnya sudah keropos',
  ])('says nothing for "%s"', (text) => {
    expect(mentionsEmergency(text)).toBe(false);
  });

  it('reads the words, not letters inside other words', () => {
    // "penularan" holds the letters of "ular", and is no snake.
    expect(mentionsEmergency('penularan demam berdarah')).toBe(false);
    expect(mentionsEmergency('Kecelakaan')).toBe(true);
  });
});
