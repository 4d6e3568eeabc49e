import { describe, expect, it } from 'vitest';
import { Analyzer } from './analyzer.ts';
import { normalize } from './normalize.ts';
import { WordStemmer } from './stemmer.ts';

const words = (t: string) => normalize(t).map((w) => w.word);
const analyzer = new Analyzer(new WordStemmer());
const stems = (t: string) => analyzer.analyze(t).map((x) => x.stem);

describe('normalize', () => {
  it('lower-cases, drops punctuation, numbers, URLs and e-mail addresses', () => {
    expect(words('JALAN Rusak!!! lihat https://x.co/a?b=1 atau mail a@b.id, 12 hari')).toEqual(['jalan', 'rusak', 'lihat', 'atau', 'mail', 'hari']);
  });
  it('un-stretches letters typed for emphasis', () => {
    expect(words('tolongggg sampahhhh parahhh')).toEqual(['tolong', 'sampah', 'parah']);
  });
  it('expands slang and abbreviations, keeping what was written as surface', () => {
    expect(words('lampu jl. mawar gak nyala yg dpn')).toEqual(['lampu', 'jalan', 'mawar', 'tidak', 'nyala', 'yang', 'depan']);
    expect(words('kel. sentul kec. kepanjenkidul')).toEqual(['kelurahan', 'sentul', 'kecamatan', 'kepanjenkidul']);
    expect(normalize('bangjo mati')[0]).toEqual({ surface: 'bangjo', word: 'lampu' });
  });
  it('expands the common chat abbreviations and negations', () => {
    expect(words('ga gak nggak tdk yg udh blm jln kel kec')).toEqual(['tidak', 'tidak', 'tidak', 'tidak', 'yang', 'sudah', 'belum', 'jalan', 'kelurahan', 'kecamatan']);
    expect(words('lobang, hoax, rs')).toEqual(['lubang', 'hoaks', 'rumah', 'sakit']);
  });
  it('drops forms of address that say nothing about the problem', () => {
    expect(words('min, pak, mas, mbak, lur: jukir')).toEqual(['jukir']);
  });
  it('turns informal reduplication and amounts into words', () => {
    expect(words('anak2 minta 5rb')).toEqual(['anak', 'anak', 'minta', 'rb']);
  });
  it('handles Javanese negation and words', () => {
    expect(words('banyune ora mili, uwuh durung diangkut')).toEqual(['air', 'tidak', 'mengalir', 'sampah', 'belum', 'diangkut']);
    expect(words('jeglongan, kalen ngembeng, wit meh ambruk, bakul, ra cair')).toEqual(['lubang', 'selokan', 'tergenang', 'pohon', 'hampir', 'ambruk', 'pedagang', 'tidak', 'cair']);
  });
});

describe('analyzer', () => {
  it('stems with Sastrawi and drops stop words', () => {
    expect(stems('Mohon pemangkasan pohon yang berlubang di depan rumah saya')).toEqual(['pangkas', 'pohon', 'lubang', 'rumah']);
  });
  it('strips the Javanese possessive -e/-ne when the base is a known word', () => {
    expect(stems('lampune mati, dalane peteng')).toEqual(['lampu', 'mati', 'jalan', 'gelap']);
  });
  it('strips -e/-ne from the directory\'s own keyword words too, which are not dictionary roots', () => {
    const withKeywords = new Analyzer(new WordStemmer(), new Set(['jukir', 'pju']));
    expect(withKeywords.analyze('jukire nesu, pjune mati').map((x) => x.norm)).toEqual(['jukir', 'nesu', 'pju', 'mati']);
    expect(stems('jukire nesu')[0]).toBe('jukire');
  });
  it('collapses reduplicated words', () => {
    expect(stems('pohon-pohon di alun-alun')).toEqual(['pohon', 'alun']);
  });
  it('keeps negations, which belong to phrases such as "air tidak mengalir"', () => {
    expect(stems('air gak ngalir')).toContain('tidak');
  });
});
