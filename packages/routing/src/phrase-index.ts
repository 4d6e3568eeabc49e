import type { Term } from './analyzer.ts';

/** What a matched phrase says: evidence for a target and/or a place. */
export interface Evidence {
  /** OPD code; "ext:<body>" for an external body; "kec" for "the kecamatan of the location". */
  target: string;
  weight: number;
  /** The keyword as the directory writes it (for admins reading reasons). */
  keyword: string;
}

export interface Place {
  kind: 'kelurahan' | 'kecamatan' | 'landmark' | 'outside';
  /** Kelurahan or kecamatan name, landmark name, or outside place name. */
  name: string;
  kelurahan?: string;
  kecamatan?: string;
}

export interface Entry {
  evidence: Evidence[];
  places: Place[];
}

interface Phrase {
  /** "s:<stem>" matches any word with that root; "n:<word>" only that word (clitics aside). */
  keys: string[];
  entry: Entry;
}

export interface Match {
  /** The words of the complaint as written. */
  surface: string;
  entry: Entry;
}

/**
 * Longest-match phrase lookup over analyzed terms. A keyword written as a root word ("pangkas")
 * matches every derived form ("dipangkas", "pemangkasan"); a derived keyword ("bantuan") matches
 * only itself, so general words such as "membantu" do not count as evidence.
 */
export class PhraseIndex {
  private readonly byFirst = new Map<string, Phrase[]>();
  private readonly byKeys = new Map<string, Entry>();

  static keysOf(terms: Term[]): string[] {
    return terms.map((t) => (t.norm === t.stem ? `s:${t.stem}` : `n:${t.norm}`));
  }

  /** Adds (or merges into) the phrase; returns false when the phrase is empty after analysis. */
  add(terms: Term[], evidence: Evidence | null, place: Place | null): boolean {
    if (terms.length === 0) return false;
    const keys = PhraseIndex.keysOf(terms);
    const id = keys.join(' ');
    let entry = this.byKeys.get(id);
    if (!entry) {
      entry = { evidence: [], places: [] };
      this.byKeys.set(id, entry);
      const first = keys[0] as string;
      const list = this.byFirst.get(first) ?? [];
      list.push({ keys, entry });
      list.sort((a, b) => b.keys.length - a.keys.length);
      this.byFirst.set(first, list);
    }
    if (evidence) {
      // The same keyword listed twice for one target keeps its highest weight.
      const same = entry.evidence.find((e) => e.target === evidence.target);
      if (!same) entry.evidence.push(evidence);
      else if (evidence.weight > same.weight) Object.assign(same, evidence);
    }
    if (place && !entry.places.some((p) => p.kind === place.kind && p.name === place.name)) entry.places.push(place);
    return true;
  }

  match(terms: Term[]): Match[] {
    const out: Match[] = [];
    let i = 0;
    while (i < terms.length) {
      const t = terms[i] as Term;
      // Exact-word phrases first: at equal length "perumahan" is more specific than the root "rumah".
      const best = this.longestAt(terms, i, this.byFirst.get(`n:${t.norm}`), this.byFirst.get(`s:${t.stem}`));
      if (!best) {
        i++;
        continue;
      }
      const surfaces: string[] = [];
      for (let j = i; j < i + best.keys.length; j++) {
        const s = (terms[j] as Term).surface;
        if (surfaces[surfaces.length - 1] !== s) surfaces.push(s);
      }
      out.push({ surface: surfaces.join(' '), entry: best.entry });
      i += best.keys.length;
    }
    return out;
  }

  private longestAt(terms: Term[], i: number, a: Phrase[] | undefined, b: Phrase[] | undefined): Phrase | undefined {
    let best: Phrase | undefined;
    for (const list of [a, b]) {
      if (!list) continue;
      for (const p of list) {
        if (best && p.keys.length <= best.keys.length) break;
        if (i + p.keys.length <= terms.length && matchesFrom(p.keys, terms, i)) {
          best = p;
          break;
        }
      }
    }
    return best;
  }
}

function matchesFrom(keys: string[], terms: Term[], i: number): boolean {
  for (let j = 1; j < keys.length; j++) {
    const k = keys[j] as string;
    const t = terms[i + j] as Term;
    if (k.charCodeAt(0) === 115 /* s */ ? k.slice(2) !== t.stem : k.slice(2) !== t.norm) return false;
  }
  return true;
}
