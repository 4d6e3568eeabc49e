/**
 * Whether a complaint's words tell of an emergency that may be happening now (a fire, an
 * accident, violence, someone in danger, a snake in the house): a complaint queue is the wrong
 * place for it, and the citizen should hear at once to call 112 (Kota Blitar's emergency call
 * centre). The web form says so before it is sent; the chat (a notice of its own, at once, before
 * the quiet period files the complaint), the web form's receipt and the radio desk say so when the
 * words call for it.
 *
 * A hint, not a triage: a false alarm costs one line the citizen reads ("bila ini keadaan darurat
 * yang sedang terjadi"), a missed one a citizen waiting on a queue. So it leans towards saying it,
 * and only leaves out words that plainly talk of a risk or of the past ("rawan kecelakaan",
 * "bekas kebakaran", "sering terjadi kecelakaan"), the commonest way such words come into
 * ordinary complaints about roads, lights and drains.
 *
 * No imports: loaded by the conversation engine and the gateway without the routing engine.
 */

/** Words and phrases of an emergency, lower case; `\s+` between words. */
const TERMS = [
  // fire ("kobong": Javanese), gas, electricity
  'kebakaran', 'terbakar', 'kobaran api', 'api membesar', 'ledakan', 'meledak', 'gas bocor', 'bocor gas', 'kebocoran gas', 'tersengat listrik', 'kesetrum', 'kesetrum listrik',
  // accidents, people hurt or in danger
  'kecelakaan', 'tabrakan', 'tertabrak', 'ditabrak', 'pingsan', 'tidak sadarkan diri', 'tak sadarkan diri', 'sesak napas', 'sesak nafas', 'kejang', 'pendarahan', 'perdarahan', 'luka parah',
  'tenggelam', 'hanyut', 'terseret arus', 'tertimpa', 'terperangkap', 'orang hilang', 'anak hilang', 'bunuh diri', 'gantung diri',
  // disasters under way (BPBD; 112 reaches it too)
  'darurat', 'evakuasi', 'dievakuasi', 'tumbang', 'menimpa', 'nimpa', 'longsor', 'banjir masuk', 'air masuk rumah', 'kobong',
  // violence and crime in progress
  'kekerasan', 'dipukuli', 'pemukulan', 'penganiayaan', 'dianiaya', 'kdrt', 'perkelahian', 'tawuran', 'begal', 'dibegal', 'perampokan', 'dirampok', 'penjambretan', 'dijambret',
  'penculikan', 'diculik', 'penusukan', 'ditusuk', 'pemerkosaan', 'diperkosa', 'pelecehan seksual',
  // animals Damkar removes
  'ular', 'sarang tawon', 'sarang lebah', 'tawon', 'anjing gila', 'digigit anjing',
];

/** Words before a term (up to three words back) that make it a risk or a past event, not an emergency now. */
const NOT_NOW = new Set([
  'rawan', 'bisa', 'berpotensi', 'potensi', 'takut', 'khawatir', 'kuatir', 'sering', 'pernah', 'banyak', 'bekas', 'sisa', 'pasca', 'setelah', 'sesudah',
  'mencegah', 'cegah', 'kemarin', 'dulu', 'lalu', 'hampir', 'nyaris', 'risiko', 'resiko', 'menyebabkan', 'mengakibatkan', 'menimbulkan', 'membahayakan', 'jangan',
]);

const TERM = new RegExp(`(?<![\\p{L}\\p{N}])(?:${TERMS.map((t) => t.replace(/ /g, '\\s+')).join('|')})(?![\\p{L}\\p{N}])`, 'gu');
const WORD = /[\p{L}\p{N}]+/gu;

/** True when `text` names an emergency that may be happening now (see the module's comment). */
export function mentionsEmergency(text: string): boolean {
  const lower = text.toLowerCase();
  for (const m of lower.matchAll(TERM)) {
    const before = lower.slice(Math.max(0, m.index - 40), m.index).match(WORD) ?? [];
    if (!before.slice(-3).some((w) => NOT_NOW.has(w))) return true;
  }
  return false;
}
