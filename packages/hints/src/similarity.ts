import { normalize, type Directory } from '@aduan/routing';

/**
 * Words that say nothing about *which* problem a caller means (greetings, fillers, place
 * prepositions); kept short on purpose: the router's own list also drops words that matter here.
 */
const STOP = new Set(
  `yang dan di ke dari ini itu dengan untuk pada dalam juga karena sudah ada adalah akan atau saya kami kita mereka dia
  nya tersebut agar supaya bisa dapat harus mau ingin sangat sekali lagi masih saja hanya pun lah kah dong deh sih nih tuh
  kan yah iya mohon tolong minta harap terima kasih makasih selamat pagi siang sore malam assalamualaikum halo permisi maaf
  sekitar depan belakang samping dekat sini situ sana tapi jadi kalau jika saat tadi kemarin sekarang hari bapak ibu warga
  orang mas mbak pak bu banget kok lho gimana bagaimana kenapa apa mana`.split(/\s+/).filter(Boolean),
);

/** Content words of a text, normalized like the router does (slang expanded), each once. */
export function contentWords(text: string): string[] {
  return [...new Set(normalize(text).map((w) => w.word).filter((w) => w.length >= 3 && !STOP.has(w)))];
}

const fold = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The directory's spelling of a kelurahan typed any which way ("kepanjen lor" -> "Kepanjenlor"). */
export function canonicalKelurahan(dir: Directory, input: string | undefined): string | undefined {
  if (!input) return undefined;
  const k = fold(input);
  for (const kec of dir.kecamatan) for (const kel of kec.kelurahan) if (fold(kel.name) === k) return kel.name;
  return undefined;
}

export interface SimilarityDoc {
  words: string[];
  kelurahan?: string;
  landmark?: string;
  category?: string;
}

export interface SimilarityScore {
  score: number;
  /** Shared content words, for the operator to judge at a glance. */
  shared: string[];
  sameKelurahan: boolean;
  sameLandmark: boolean;
}

function landmarksMatch(a?: string, b?: string): boolean {
  if (!a || !b) return false;
  const x = fold(a);
  const y = fold(b);
  return x.length >= 4 && y.length >= 4 && (x.includes(y) || y.includes(x));
}

/**
 * How likely two call-ins are about the same problem: word overlap (Dice) plus bonuses for the
 * same kelurahan, landmark and category. Null when unrelated: a hint the operator has to wave away
 * costs attention on air, so weak matches are not shown.
 */
export function similarity(q: SimilarityDoc, c: SimilarityDoc): SimilarityScore | null {
  const cw = new Set(c.words);
  const shared = q.words.filter((w) => cw.has(w));
  const dice = q.words.length + c.words.length ? (2 * shared.length) / (q.words.length + c.words.length) : 0;
  const sameKelurahan = !!q.kelurahan && q.kelurahan === c.kelurahan;
  const sameLandmark = landmarksMatch(q.landmark, c.landmark);
  const sameCategory = !!q.category && q.category === c.category;
  const related = shared.length >= 2 || sameLandmark || (sameKelurahan && shared.length >= 1);
  if (!related) return null;
  const score = Math.min(1, dice + (sameKelurahan ? 0.2 : 0) + (sameLandmark ? 0.3 : 0) + (sameCategory ? 0.1 : 0));
  return score >= 0.3 ? { score, shared, sameKelurahan, sameLandmark } : null;
}
