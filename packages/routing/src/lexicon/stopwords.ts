/**
 * Words that say nothing about who should handle a complaint. Applied after slang expansion,
 * before stemming. Negations ("tidak", "belum") and words of degree ("rawan", "hampir") stay:
 * they belong to phrases such as "air tidak mengalir" or "hampir tumbang". "dinas" stays too:
 * without it the keyword "dinas sosial" matched every "sosial" ("media sosial") and "dinas
 * kesehatan" made the normal word "kesehatan" strong.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  `yang dan di ke dari ini itu dengan untuk pada dalam juga karena sudah ada adalah akan atau saya kami kita
  mereka dia ia anda kalian nya tersebut agar supaya bisa dapat harus ingin sangat sekali lagi masih saja
  hanya pun lah kah tah dong deh sih nih tuh kan ya yah iya oh ah eh wah aduh mohon tolong minta harap
  terima kasih makasih matur nuwun suwun selamat pagi siang sore malam assalamualaikum wr wb salam halo hallo
  permisi maaf sekitar kurang lebih sebelah samping dekat depan belakang atas bawah sini situ sana kok lho
  bapak ibu saudara warga orang sudah pernah selalu sering terus kapan bagaimana kenapa mengapa apa siapa
  mana dimana kemana kok tapi tetapi namun jadi maka kalau jika kalo klo kl bila saat ketika waktu sejak
  sampai hingga tadi kemarin sekarang besok hari minggu bulan tahun jam setiap tiap semua para banyak
  beberapa satu dua tiga empat lima sebuah seorang pihak tempat lokasi daerah wilayah kampung
  sekali segera cepat lama tolong lapor laporan aduan keluhan mengeluh melapor adukan pemkot pemerintah
  mohon ditindaklanjuti tindak lanjut tindaklanjuti ditangani penanganan respon respons hal soal masalah
  kondisi keadaan bagian cuma kayak seperti sama begitu begini gitu gini banget amat dong loh lo gan sob bro`
    .split(/\s+/)
    .filter(Boolean),
);

/**
 * Words after which a noun usually says where, not what: "jukir di depan pasar" is about parking,
 * not the market. They are dropped like stop words and mark the next word as locative.
 */
export const LOCATIVES: ReadonlySet<string> = new Set(
  'di ke dari depan dekat belakang samping sebelah seberang sekitar pinggir ujung sepanjang dalam atas bawah antara arah menuju'.split(' '),
);

/**
 * Words whose derivation changes what they point at: "kelurahan" (the office/area) must not
 * become "lurah", or every address "Kelurahan Sentul" would read as a complaint about a lurah.
 */
export const NO_STEM: ReadonlySet<string> = new Set(['kelurahan', 'kecamatan', 'perumahan', 'pemerintahan', 'perhubungan']);
