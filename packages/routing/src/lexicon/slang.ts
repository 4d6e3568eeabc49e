/**
 * Informal Indonesian and East-Javanese words -> standard Indonesian, applied token by token
 * before stemming (to complaint text and keywords alike). A value may be several words.
 * Only words whose meaning is unambiguous in complaints belong here: "kali" (river in Javanese,
 * "times" in Indonesian) is left alone.
 */
export const SLANG: Readonly<Record<string, string>> = {
  // negation and particles
  gak: 'tidak', ga: 'tidak', gk: 'tidak', nggak: 'tidak', ngga: 'tidak', enggak: 'tidak', engga: 'tidak', g: 'tidak',
  tdk: 'tidak', tak: 'tidak', ndak: 'tidak', nda: 'tidak', ora: 'tidak', orak: 'tidak', gag: 'tidak', kagak: 'tidak',
  blm: 'belum', durung: 'belum', urung: 'belum', udh: 'sudah', udah: 'sudah', sdh: 'sudah', dah: 'sudah', wis: 'sudah',
  uwis: 'sudah', wes: 'sudah', uwes: 'sudah', sampun: 'sudah',
  // common chat abbreviations
  yg: 'yang', dg: 'dengan', dgn: 'dengan', utk: 'untuk', tuk: 'untuk', krn: 'karena', karna: 'karena', soalnya: 'karena',
  jg: 'juga', sy: 'saya', aku: 'saya', aq: 'saya', kulo: 'saya', dr: 'dari', pd: 'pada', sm: 'sama', sama: 'sama',
  bgt: 'sekali', banget: 'sekali', bngt: 'sekali', pol: 'sekali', tenan: 'sekali', sdg: 'sedang', lg: 'lagi',
  skrg: 'sekarang', saiki: 'sekarang', kmrn: 'kemarin', wingi: 'kemarin', hr: 'hari', tlg: 'tolong', tulung: 'tolong',
  mhn: 'mohon', nyuwun: 'mohon', gmn: 'bagaimana', piye: 'bagaimana', kpn: 'kapan', kapan: 'kapan', knp: 'kenapa',
  opo: 'apa', apo: 'apa', iki: 'ini', iku: 'itu', kuwi: 'itu', niki: 'ini', niku: 'itu', ki: 'ini', trs: 'terus',
  trus: 'terus', terus: 'terus', ae: '', wae: '', mawon: '', kok: '', lho: '', loh: '', rek: '', cak: '', lur: '',
  sdr: 'saudara', bpk: 'bapak', ibu2: 'ibu', org: 'orang', wong: 'orang', tmn: 'teman', tmpt: 'tempat', tpt: 'tempat',
  // places and addresses
  jl: 'jalan', jln: 'jalan', jalanan: 'jalan', dalan: 'jalan', ndalan: 'jalan', gg: 'gang', kel: 'kelurahan',
  kelurahane: 'kelurahan', lurahan: 'kelurahan', kec: 'kecamatan', kab: 'kabupaten', kota: 'kota', ds: 'desa',
  perum: 'perumahan', omah: 'rumah', umah: 'rumah', ngarep: 'depan', dpn: 'depan', mburi: 'belakang', sebelah: 'samping',
  cedhak: 'dekat', cedak: 'dekat', deket: 'dekat', dkt: 'dekat', nang: 'di', neng: 'di',
  alun2: 'alun alun', sebrang: 'seberang', prapatan: 'perempatan', perempatan: 'perempatan', bangjo: 'lampu lalu lintas',
  // topics
  pju: 'pju', lampune: 'lampu', lampu2: 'lampu', peteng: 'gelap', petheng: 'gelap', mati2an: 'mati', mbledos: 'meledak',
  jukir2: 'jukir', parkire: 'parkir', markir: 'parkir', uwuh: 'sampah', sampahe: 'sampah', reget: 'kotor',
  mambu: 'bau', ambune: 'bau', mampet: 'mampet', buntu: 'mampet', bumpet: 'mampet', banyu: 'air', banyune: 'air', mili: 'mengalir', ngocor: 'mengalir',
  wit: 'pohon', uwit: 'pohon', wite: 'pohon', ambruk: 'ambruk', rubuh: 'roboh', rubuh2: 'roboh', ambrol: 'ambrol',
  bolong: 'bolong', growong: 'bolong', nggronjal: 'rusak', ajur: 'rusak', remuk: 'rusak', rusak2: 'rusak',
  krl: 'kereta', sekolahan: 'sekolah', bocah: 'anak', arek: 'anak', cah: 'anak', anake: 'anak', bojo: 'suami istri',
  bojone: 'suami istri', gebuki: 'pukul', digebuki: 'dipukuli', ngantem: 'pukul', diantemi: 'dipukuli', duwit: 'uang',
  duit: 'uang', gajine: 'gaji', bayaran: 'gaji', kerjo: 'kerja', nyambut: 'kerja', bayare: 'gaji', larang: 'mahal',
  regane: 'harga', rego: 'harga', wifine: 'wifi', inet: 'internet', net: 'internet', lemod: 'lemot', lelet: 'lemot',
  ktpnya: 'ktp', ekatepe: 'ektp', ektp: 'e ktp', ktpel: 'ktp el', kartu: 'kartu', akte: 'akta', nikahe: 'nikah',
  rs: 'rumah sakit', rsu: 'rumah sakit', pkm: 'puskesmas', obate: 'obat', lara: 'sakit', loro: 'sakit',
  kebanjiran: 'banjir', banjire: 'banjir', tumbang2: 'tumbang', ijin: 'izin', ijinnya: 'izin', sertipikat: 'sertifikat',
  geni: 'api', kobong: 'terbakar', kobongan: 'kebakaran', maling: 'maling', kemalingan: 'kemalingan', mendem: 'mabuk',
  ngombe: 'minum', ciu: 'miras', pemkot: 'pemkot', pemda: 'pemkot', kelurahan2: 'kelurahan', pelayanane: 'pelayanan',
  petugase: 'petugas', pegawe: 'pegawai', pegawene: 'pegawai', ngurus: 'urus', ngurusi: 'urus',
  buthek: 'keruh', butek: 'keruh', buthuk: 'keruh', nyolong: 'curi', dicolong: 'dicuri', colong: 'curi', copet: 'copet',
  mlebu: 'masuk', suwe: 'lama', akeh: 'banyak', gedhe: 'besar', gede: 'besar', cilik: 'kecil', bengi: 'malam',
  esuk: 'pagi', dino: 'hari', tonggo: 'tetangga', tanggane: 'tetangga', sampek: 'sampai', sampe: 'sampai', sing: 'yang',
  karo: 'dengan', nek: 'kalau', lek: 'kalau', ning: 'tapi', mergo: 'karena', mergane: 'karena', iso: 'bisa', isa: 'bisa',
  ndang: 'segera', ngene: 'begini', ngono: 'begitu', sak: 'se', yo: 'ya', wae2: '', lho2: '', ndek: 'di',
  lobang: 'lubang', berlobang: 'berlubang', bolongan: 'lubang', jeglongan: 'lubang', kalen: 'selokan', ngembeng: 'tergenang',
  meh: 'hampir', ra: 'tidak', bakul: 'pedagang', hoax: 'hoaks', hoaxs: 'hoaks', hoak: 'hoaks',
  rt2: 'rt', hp: 'hp', wa: 'whatsapp', ig: 'instagram', min: '', mimin: '', admin: '', kak: '', kakak: '', gan: '',
  pak: '', bu: '', mas: '', mbak: '', mbk: '', bang: '', dik: '', om: '', lurd: '', dulur: '', sedulur: '',
};
