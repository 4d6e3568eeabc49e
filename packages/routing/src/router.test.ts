import { describe, expect, it } from 'vitest';
import { loadDirectory } from './directory.ts';
import { createRouter, DEFAULT_TRIAGE_THRESHOLD } from './router.ts';

const directory = loadDirectory();
const router = createRouter(directory, { triageThreshold: DEFAULT_TRIAGE_THRESHOLD });

describe('createRouter().decide', () => {
  it('compiles the shipped directory without warnings', () => {
    expect(router.warnings).toEqual([]);
  });
  it('routes a jukir complaint to Dishub and says why', () => {
    const d = router.decide({ text: 'Tolonggg jukir di depan toko minta 5rb gak dikasih karcis' });
    expect(d.opd).toBe('dishub');
    expect(d.opdName).toBe('Dinas Perhubungan');
    expect(d.triage).toBe(false);
    expect(d.reasons).toContain("'jukir' -> Dinas Perhubungan");
  });
  it('understands slang and Javanese wording', () => {
    expect(router.decide({ text: 'uwuh numpuk nang pinggir dalan, mambu pol' }).opd).toBe('dlh');
    expect(router.decide({ text: 'banyune ora mili wis 2 dino' }).opd).toBe('pdam');
  });
  it('reads the Javanese possessive on keywords that are not dictionary words ("jukire", "pjune")', () => {
    const d = router.decide({ text: 'jukire njaluk 5ewu, pas tak takoni malah nesu' });
    expect(d).toMatchObject({ opd: 'dishub', triage: false });
    expect(d.reasons).toContain("'jukire' -> Dinas Perhubungan");
  });
  it('knows common Javanese and chat spellings of road, drain, wifi and tree complaints', () => {
    const cases: [string, string][] = [
      ['jeglongan nang dalan Sentul jeru, wis akeh sing tibo', 'dpupr'],
      ['kalen ngarep omah mampet, banyune ngembeng', 'dpupr'],
      ['tiap hujan jalan depan rumah tergenang', 'dpupr'],
      ['Wi-Fi gratis di balai RW ga bisa konek', 'diskominfotik'],
      ['pohone meh ambruk, nyuwun dipangkas', 'dlh'],
    ];
    for (const [text, opd] of cases) expect(router.decide({ text }), text).toMatchObject({ opd, triage: false });
  });
  it("gives rescue calls to Satpol PP (its UPT Damkar), not BPBD's disaster evacuation", () => {
    const cases: [string, string][] = [
      ['Ada ular kobra masuk rumah warga di Jalan Anggrek, mohon dievakuasi', 'satpolpp'],
      ['Kucing terjebak di atas tiang listrik sejak semalam, tolong dibantu turunkan', 'satpolpp'],
      ['Cincin tersangkut di jari anak saya tidak bisa dilepas', 'satpolpp'],
      // A snake in an overgrown park is about the park; a car caught in a flood is a disaster.
      ['banyak ular di semak semak taman kota karena rumput tidak pernah dipotong', 'dlh'],
      ['Mobil terjebak banjir di underpass', 'bpbd'],
    ];
    for (const [text, opd] of cases) expect(router.decide({ text }), text).toMatchObject({ opd, triage: false });
  });
  it('gives the tourism office, the sports office and the library their own complaints, and leaves visitors of a tourist site to who handles the problem', () => {
    const cases: [string, string][] = [
      ['Museum di kota kok tutup terus padahal jadwalnya buka', 'disparbud'],
      ['lampu stadion soepriadi mati semua padahal ada pertandingan', 'dispora'],
      ['Perpustakaan keliling sudah lama tidak datang ke kelurahan kami', 'dinperpusip'],
      ['Pengunjung Makam Bung Karno dipalak parkir 10 ribu per motor, malu sama wisatawan luar kota', 'dishub'],
    ];
    for (const [text, opd] of cases) expect(router.decide({ text }), text).toMatchObject({ opd, triage: false });
  });
  it('counts the chosen category as evidence', () => {
    const d = router.decide({ text: 'tolong segera ditangani', category: 'sampah' });
    expect(d.opd).toBe('dlh');
    expect(d.reasons.some((r) => r.startsWith('kategori'))).toBe(true);
  });
  it('routes every pick-list category to its usual OPD when the text says nothing', () => {
    for (const c of directory.categories.filter((x) => x.evidence !== false)) {
      expect(router.decide({ text: 'mohon segera ditindaklanjuti', category: c.code }).opd, c.code).toBe(c.opd);
    }
  });
  it('gives every city OPD and external body some keywords', () => {
    for (const o of directory.opds.filter((x) => x.kind !== 'kecamatan' && x.kind !== 'external')) {
      expect(Object.values(o.keywords ?? {}).flat().length, o.code).toBeGreaterThan(5);
    }
    for (const b of directory.externalBodies ?? []) expect(Object.values(b.keywords).flat().length, b.code).toBeGreaterThan(0);
  });
  it('sends weak or split evidence to triage, with alternatives', () => {
    const d = router.decide({ text: 'lampu' });
    expect(d.triage).toBe(true);
    expect(d.confidence).toBeLessThan(DEFAULT_TRIAGE_THRESHOLD);
    expect(d.reasons.at(-1)).toMatch(/triase/);
  });
  it('honours the configured threshold', () => {
    const text = 'jukir nakal';
    const lax = createRouter(directory, { triageThreshold: 0.1 }).decide({ text });
    const strict = createRouter(directory, { triageThreshold: 0.99 }).decide({ text });
    expect(lax.triage).toBe(false);
    expect(strict.triage).toBe(true);
    expect(strict.opd).toBe('dishub');
  });
  it('with nothing recognisable goes to triage with confidence 0', () => {
    const d = router.decide({ text: 'halo selamat pagi' });
    expect(d).toMatchObject({ confidence: 0, triage: true });
  });
  it('says when a complaint is not the city\'s, and to whom it belongs', () => {
    const d = router.decide({ text: 'listrik mati dari kemarin malam' });
    expect(d.opd).toBe('external');
    expect(d.external?.body).toMatch(/PLN/);
    expect(d.external?.advice).toMatch(/123/);
    const school = router.decide({ text: 'SMA negeri narik sumbangan seragam' });
    expect(school.opd).toBe('external');
    expect(school.external?.body).toMatch(/Provinsi/);
  });
  it('sends a place in Kabupaten Blitar to external unless the city is named', () => {
    const kab = router.decide({ text: 'jalan rusak parah di Wlingi' });
    expect(kab.opd).toBe('external');
    expect(kab.alternatives[0]?.opd).toBe('dpupr');
    const city = router.decide({ text: 'jalan rusak parah di Wlingi', location: { kelurahan: 'Sentul' } });
    expect(city.opd).toBe('dpupr');
  });
  it('routes kelurahan office complaints to the kecamatan of the location', () => {
    expect(router.decide({ text: 'pelayanan kantor kelurahan lambat', location: { kelurahan: 'Tlumpu' } }).opd).toBe('kec-sukorejo');
    expect(router.decide({ text: 'pak lurah Gedog susah ditemui' }).opd).toBe('kec-sananwetan');
    expect(router.decide({ text: 'pelayanan kantor kelurahan lambat' }).triage).toBe(true);
  });
  it("takes an address's RT and RW as where, not as a complaint about the kelurahan office", () => {
    // Addresses name their RT and RW; the neighbourhood heads' own conduct is named as such.
    for (const text of ['Jalan di RT 03 RW 02 berlubang besar, mohon diperbaiki', 'Lampu PJU depan gang RT 4 mati, sudah lapor RT tapi belum ada tindakan']) {
      const d = router.decide({ text });
      expect(d.reasons.join('; '), text).not.toMatch(/'r[tw]'/);
      expect(d.triage, text).toBe(false);
    }
    expect(router.decide({ text: 'Ketua RT minta pungutan untuk surat pengantar', location: { kelurahan: 'Kepanjenlor' } }).opd).toBe('kec-kepanjenkidul');
  });
  it('keeps "dinas" in agency names, so "dinas sosial" is not every "sosial"', () => {
    // With "dinas" dropped as a stop word, "dinas sosial" matched "media sosial" (Dinsos 0.87, routed)
    // and "perdagangan orang" ("orang" is a stop word) made "Dinas perdagangan" a police matter.
    const media = router.decide({ text: 'Akun media sosial pemkot tidak pernah membalas DM warga' });
    expect(media.reasons.join('; ')).not.toMatch(/Dinas Sosial/);
    expect(router.decide({ text: 'Kata petugas harus lapor ke dinas sosial dulu' }).opd).toBe('dinsos');
    const trade = router.decide({ text: 'Dinas perdagangan kok diam saja harga cabai naik terus' });
    expect(trade.opd).toBe('disperindag');
    expect(trade.reasons.join('; ')).not.toMatch(/Kepolisian/);
  });
  it('does not read the reporter\'s child ("anak saya", "anak2") as a school or child-protection matter', () => {
    for (const text of ['Wifi gratis di balai RW mati, anak2 tidak bisa belajar', 'Tetangga bakar sampah tiap sore, anak saya jadi batuk']) {
      const d = router.decide({ text });
      expect(d.reasons.join('; '), text).not.toMatch(/'anak/);
      expect(d.triage, text).toBe(false);
    }
    expect(router.decide({ text: 'Tetangga bakar sampah tiap sore, anak saya jadi batuk' }).opd).toBe('dlh');
  });
  it('says when the form names a kelurahan it does not know, and falls back to the text', () => {
    const d = router.decide({ text: 'sampah numpuk di kel. sentul', location: { kelurahan: 'Sentull' } });
    expect(d.reasons).toContain("kelurahan 'Sentull' tidak dikenal, diabaikan");
    expect(d.place?.kelurahan).toBe('Sentul');
  });
  it('reports the place found in the text', () => {
    const d = router.decide({ text: 'jalan berlubang dekat Makam Bung Karno' });
    expect(d.opd).toBe('dpupr');
    expect(d.place).toEqual({ kelurahan: 'Bendogerit', kecamatan: 'Sananwetan', landmark: 'Makam Bung Karno' });
  });
  it('is deterministic and keeps confidences in 0..1 and ranked', () => {
    const input = { text: 'pohon tumbang menimpa kabel dan lampu jalan, sampah daun berserakan' };
    const a = router.decide(input);
    expect(router.decide(input)).toEqual(a);
    const all = [a.confidence, ...a.alternatives.map((x) => x.confidence)];
    for (const c of all) expect(c).toBeGreaterThanOrEqual(0);
    expect([...all].sort((x, y) => y - x)).toEqual(all);
    expect(a.confidence).toBeLessThanOrEqual(1);
  });
  it('does not let a gapped phrase swallow the word it skipped', () => {
    const d = router.decide({ text: 'lampu pju mati di gang 3' });
    expect(d.reasons).toContain("'pju' -> Dinas Perhubungan");
    expect(d.reasons).toContain("'lampu mati' -> Dinas Perhubungan");
  });
  it('treats "Kota Blitar" in the text as inside the city', () => {
    expect(router.decide({ text: 'pindah domisili dari Kabupaten ke Kota Blitar, syaratnya apa?' }).opd).toBe('dispendukcapil');
  });
  it('discounts a topic word that only says where ("jukir di depan pasar")', () => {
    const d = router.decide({ text: 'jukir di depan pasar minta 5rb' });
    expect(d.opd).toBe('dishub');
    expect(d.reasons).toContain("'pasar' (lokasi) -> Dinas Perindustrian dan Perdagangan");
  });
  it('counts the full name "RSUD Mardi Waluyo" for the hospital, and still as where the complaint is', () => {
    // The landmark swallowed the keywords "rsud" and "mardi waluyo": the full name was no evidence at all.
    const d = router.decide({ text: 'pelayanan di RSUD Mardi Waluyo buruk sekali' });
    expect(d).toMatchObject({ opd: 'rsud', triage: false });
    expect(d.place?.landmark).toBe('RSUD Mardi Waluyo');
  });
  it('reads a national or provincial road after "di" as the place that decides, not as a discounted topic word', () => {
    for (const text of ['jalan berlubang di jalan provinsi arah Kediri', 'banyak lubang di jalan nasional, tolong ditambal']) {
      const d = router.decide({ text });
      expect(d.opd, text).toBe('external');
      expect(d.external?.body, text).toMatch(/Jalan nasional/);
    }
    // The body's placeKeywords flag is what keeps the full weight.
    const externalBodies = (directory.externalBodies ?? []).map((b) => (b.code === 'jalan-nasional' ? { ...b, placeKeywords: false } : b));
    const without = createRouter({ ...directory, externalBodies }, { triageThreshold: 0.5 }).decide({ text: 'banyak lubang di jalan nasional' });
    expect(without.reasons.some((r) => r.startsWith("'jalan nasional' (lokasi)"))).toBe(true);
  });
  it('knows the spoken verbs of busking and begging ("ngamen", "ngemis") and "anak punk"', () => {
    for (const text of ['ngamen maksa di lampu merah', 'anak punk ngemis di perempatan tiap sore']) {
      expect(router.decide({ text }), text).toMatchObject({ opd: 'satpolpp', triage: false });
    }
  });
  it('takes "BPJS PBI" as the Dinkes matter it is, not BPJS membership', () => {
    const d = router.decide({ text: 'saya warga miskin bpjs pbi saya dinonaktifkan pas mau berobat' });
    expect(d).toMatchObject({ opd: 'dinkes', triage: false });
    expect(d.reasons.join('; ')).not.toMatch(/BPJS Kesehatan/);
  });
  it('does not read "sudah makan korban" on a road as a child-protection matter', () => {
    expect(router.decide({ text: 'Lubang di jalan depan rumah sudah makan korban' })).toMatchObject({ opd: 'dpupr', triage: false });
  });
  it('sends a PDAM complaint placed in Kabupaten Blitar to external (the Kabupaten has its own PDAM)', () => {
    expect(router.decide({ text: 'air pdam di desa sy di garum mati terus sejak seminggu' })).toMatchObject({ opd: 'external', triage: false });
    expect(router.decide({ text: 'air pdam mati terus sejak seminggu', location: { kelurahan: 'Gedog' } }).opd).toBe('pdam');
  });
  it('warns about keywords that can never match', () => {
    const dir = { ...directory, opds: directory.opds.map((o) => (o.code === 'dlh' ? { ...o, keywords: { weak: ['yang dan di'] } } : o)) };
    expect(createRouter(dir, { triageThreshold: 0.5 }).warnings).toEqual(['opds(dlh).keywords.weak: "yang dan di" has only stop words and never matches']);
  });
  it('warns about a phrase that matches as one bare word once stop words and forms of address are dropped', () => {
    const kecamatanKeywords = { ...directory.kecamatanKeywords, strong: [...(directory.kecamatanKeywords?.strong ?? []), 'pak rt', 'pak lurah'] };
    const opds = directory.opds.map((o) => (o.code === 'dinsos' ? { ...o, keywords: { ...o.keywords, strong: [...(o.keywords?.strong ?? []), 'orang terlantar'] } } : o));
    const warnings = createRouter({ ...directory, kecamatanKeywords, opds }, { triageThreshold: 0.5 }).warnings;
    expect(warnings).toEqual([
      'opds(dinsos).keywords.strong: "orang terlantar" matches every "terlantar" alone ("orang" dropped as a stop word or form of address)',
      'kecamatanKeywords.keywords.strong: "pak rt" matches every "rt" alone ("pak" dropped as a stop word or form of address)',
    ]);
    // "pak lurah" is "lurah", which the directory lists at the same weight: intended, no warning;
    // reduplication ("mabuk mabukan", "gorong gorong") drops no word: no warning either.
  });
  it('works with a minimal directory built in code (no keywords): the category decides', () => {
    const mini = {
      opds: [{ code: 'dishub', name: 'Dinas Perhubungan', shortName: 'Dishub' }],
      kecamatan: [{ code: 'dishub', name: 'X', kelurahan: [{ name: 'Y', landmarks: [] }] }],
      categories: [{ code: 'parkir', label: 'Parkir', opd: 'dishub' }],
    };
    const r = createRouter(mini, { triageThreshold: 0.5 });
    expect(r.decide({ text: 'apa saja', category: 'parkir' })).toMatchObject({ opd: 'dishub', triage: false });
    expect(r.decide({ text: 'apa saja' })).toMatchObject({ opd: 'dishub', confidence: 0, triage: true });
  });
  it('rejects a threshold outside 0..1 and a directory with broken references', () => {
    expect(() => createRouter(directory, { triageThreshold: 1.5 })).toThrow(RangeError);
    const broken = { ...directory, categories: [{ code: 'x', label: 'X', opd: 'nope' }] };
    expect(() => createRouter(broken, { triageThreshold: 0.5 })).toThrow(/categories\[0\]\.opd: "nope"/);
  });
  it('has a version that changes with the directory', () => {
    const edited = { ...directory, categories: directory.categories.slice(1) };
    expect(createRouter(edited, { triageThreshold: 0.5 }).version).not.toBe(router.version);
  });
});
