import { Stemmer } from 'sastrawijs';

/**
 * Roots in Sastrawi's dictionary that capture common complaint words wrongly: "pemangkasan" ->
 * "mangkas", "menumpuk" -> "umpuk", "penerangan" -> "erang", "pemadaman" -> "adam"/"madam".
 * Without them Sastrawi finds the intended root (pangkas, tumpuk, terang, padam).
 */
const MISLEADING_ROOTS = ['mangkas', 'umpuk', 'erang', 'adam', 'madam'];

/**
 * Sastrawi with its root-word dictionary in a Set. Sastrawi keeps the ~30,000 roots as the keys
 * of a plain object (1.5 MB of property storage in dictionary mode, the largest single thing in
 * the all-in-one's heap); a Set of the same strings takes well under half of that. Every look-up
 * goes through `find`. A plain object also "knew" "constructor" and "toString" as roots (from
 * Object.prototype); the Set does not.
 */
class SetDictionaryStemmer extends Stemmer {
  private readonly roots: Set<string>;
  constructor() {
    super();
    const own = this as unknown as { internalDictionary: Record<string, string> };
    this.roots = new Set(Object.keys(own.internalDictionary));
    own.internalDictionary = {};
  }
  override find(word: string): boolean {
    return this.roots.has(word);
  }
  override addToDict(words: string[]): void {
    for (const w of words) this.roots.add(w);
  }
  override remove(words: string[]): void {
    for (const w of words) this.roots.delete(w);
  }
}

/**
 * Sastrawi (Nazief-Adriani with Sastrawi's dictionary) via sastrawijs, memoized: stemming one
 * word costs ~5 µs and complaints repeat the same few thousand words, so a bounded cache makes
 * routing several times faster. The cache never changes a result, so decisions stay pure.
 */
export class WordStemmer {
  private readonly stemmer = new SetDictionaryStemmer();
  private readonly cache = new Map<string, string>();
  private readonly maxEntries: number;
  constructor(maxEntries = 50_000) {
    this.maxEntries = maxEntries;
    this.stemmer.remove(MISLEADING_ROOTS);
  }

  stem(word: string): string {
    const hit = this.cache.get(word);
    if (hit !== undefined) return hit;
    const stem = word.length <= 3 ? word : this.compute(word);
    if (this.cache.size >= this.maxEntries) this.cache.clear();
    this.cache.set(word, stem);
    return stem;
  }

  /** True when Sastrawi's dictionary knows the word as a root. */
  isRoot(word: string): boolean {
    return this.stemmer.find(word);
  }

  private compute(word: string): string {
    const stem = this.stemmer.stem(word);
    if (stem !== word || this.stemmer.find(word)) return stem;
    // Spoken/East-Javanese verbs drop "me-": "numpuk", "ngalir", "nyumbat", "mbayar", "nebang".
    if (/^(?:ng|ny|n|m)/.test(word)) {
      const formal = this.stemmer.stem(`me${word}`);
      if (formal !== `me${word}` && this.stemmer.find(formal)) return formal;
    }
    return stem;
  }
}

let shared: WordStemmer | undefined;

/** One stemmer per process: building Sastrawi's dictionary takes ~100 ms, and the cache is pure memo. */
export function sharedStemmer(): WordStemmer {
  shared ??= new WordStemmer();
  return shared;
}
