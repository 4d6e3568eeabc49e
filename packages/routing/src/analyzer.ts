import { LOCATIVES, NO_STEM, STOP_WORDS } from './lexicon/stopwords.ts';
import { SLANG } from './lexicon/slang.ts';
import { normalize } from './normalize.ts';
import type { WordStemmer } from './stemmer.ts';

/** A content word: as written (`surface`), without clitics (`norm`), and its Indonesian root (`stem`). */
export interface Term {
  surface: string;
  norm: string;
  stem: string;
  /** Comes right after a locative word ("di", "depan", "dekat"...): probably names a place. */
  locative?: boolean;
}

// Only the clitics that are common in complaints; "-ku"/"-mu" would turn "pelaku" into "pela".
const CLITIC_RE = /(?:nya|lah|kah|pun)$/;

/**
 * normalize -> strip clitics and Javanese -e/-ne -> drop stop words -> stem.
 * Complaint text and directory keywords go through exactly this, so stemming mistakes
 * (Sastrawi turns "penerangan" into "erang") hit both sides alike and cancel out.
 */
export class Analyzer {
  private readonly stemmer: WordStemmer;
  private readonly known: ReadonlySet<string>;
  /**
   * `known`: the directory's own keyword words ("jukir", "pju", "bpjs"), which Sastrawi's dictionary
   * does not hold, so that "jukire" and "pjune" lose their Javanese possessive like "lampune" does.
   */
  constructor(stemmer: WordStemmer, known: ReadonlySet<string> = new Set()) {
    this.stemmer = stemmer;
    this.known = known;
  }

  analyze(text: string): Term[] {
    const out: Term[] = [];
    let prev = '';
    let locative = false;
    for (const { surface, word } of normalize(text)) {
      if (LOCATIVES.has(word)) {
        locative = true;
        continue;
      }
      const norm = NO_STEM.has(word) ? word : this.javanese(this.stripClitic(word));
      if (STOP_WORDS.has(norm) || STOP_WORDS.has(word)) continue;
      const stem = NO_STEM.has(norm) ? norm : this.stemmer.stem(norm);
      // "alun-alun", "pohon2", "mabuk-mabukan": reduplication adds nothing to match on.
      if (stem === prev) continue;
      prev = stem;
      out.push(locative ? { surface, norm, stem, locative } : { surface, norm, stem });
      locative = false;
    }
    return out;
  }

  private stripClitic(word: string): string {
    if (word.length < 6 || this.stemmer.isRoot(word)) return word;
    const base = word.replace(CLITIC_RE, '');
    return base.length >= 3 ? base : word;
  }

  /** East-Javanese possessive "-e"/"-ne" ("lampune", "dalane" = "lampunya", "jalannya"). */
  private javanese(word: string): string {
    if (!word.endsWith('e') || word.length < 5 || this.stemmer.isRoot(word)) return word;
    for (const cut of word.endsWith('ne') ? [2, 1] : [1]) {
      const base = word.slice(0, -cut);
      const slang = SLANG[base];
      if (slang !== undefined && slang !== '' && !slang.includes(' ')) return slang;
      if (this.stemmer.isRoot(base) || this.known.has(base)) return base;
    }
    return word;
  }
}
