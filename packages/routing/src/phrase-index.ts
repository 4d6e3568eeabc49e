import type { Term } from './analyzer.ts';

/** What a matched phrase says: evidence for a target and/or a place. */
export interface Evidence {
  /** OPD code; "ext:<body>" for an external body; "kec" for "the kecamatan of the location". */
  target: string;
  weight: number;
  /** The keyword as the directory writes it (for admins reading reasons). */
  keyword: string;
  /** The keyword names a place that decides who is responsible: no locative discount after "di". */
  place?: boolean;
}

export interface Place {
  kind: 'kelurahan' | 'kecamatan' | 'landmark' | 'city' | 'outside';
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
  /** The phrase follows "di", "depan", "dekat"...: it says where, not what ("jukir di depan pasar"). */
  locative: boolean;
}

/**
 * Longest-match phrase lookup over analyzed terms. A keyword written as a root word ("pangkas")
 * matches every derived form ("dipangkas", "pemangkasan"); a derived keyword ("bantuan") matches
 * only itself, so general words such as "membantu" do not count as evidence.
 */
export class PhraseIndex {
  private readonly byFirst = new Map<string, Phrase[]>();
  private readonly byKeys = new Map<string, Entry>();
  private maxKeys = 1;

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
      this.maxKeys = Math.max(this.maxKeys, keys.length);
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

  /**
   * Finds, at every position, the phrase with the most words (consecutive phrase words may have
   * one other word between them: "pohon besar tumbang" still says "pohon tumbang"); then drops
   * matches lying inside a longer one, so "iuran bpjs kesehatan" yields "iuran bpjs" and
   * "bpjs kesehatan" but not "kesehatan" alone.
   */
  match(terms: Term[]): Match[] {
    const found: { start: number; size: number; hits: number[]; entry: Entry }[] = [];
    for (let i = 0; i < terms.length; i++) {
      const t = terms[i] as Term;
      let best: { end: number; size: number; hits: number[]; entry: Entry } | undefined;
      for (const list of [this.byFirst.get(`n:${t.norm}`), this.byFirst.get(`s:${t.stem}`)]) {
        if (!list) continue;
        for (const p of list) {
          if (best && p.keys.length < best.size) break;
          const hits = matchFrom(p.keys, terms, i);
          const end = hits ? (hits[hits.length - 1] as number) + 1 : 0;
          // Exact-word phrases are tried first: at equal size "perumahan" beats the root "rumah".
          if (hits && (!best || p.keys.length > best.size || end < best.end)) best = { end, size: p.keys.length, hits, entry: p.entry };
        }
      }
      if (best) found.push({ start: i, ...best });
    }
    const out: Match[] = [];
    const maxSpan = (this.maxKeys - 1) * (MAX_GAP + 1);
    for (let k = 0; k < found.length; k++) {
      const m = found[k] as (typeof found)[number];
      // Inside means every word of m is a word of a longer match; a word skipped by a gap is not.
      // Such a match starts at most maxSpan words earlier (found is ordered by start): linear time.
      let inside = false;
      for (let q = k - 1; q >= 0 && !inside; q--) {
        const o = found[q] as (typeof found)[number];
        if (o.start < m.start - maxSpan) break;
        inside = o.size > m.size && m.hits.every((h) => o.hits.includes(h));
      }
      if (inside) continue;
      const surfaces: string[] = [];
      for (const j of m.hits) {
        const s = (terms[j] as Term).surface;
        if (surfaces[surfaces.length - 1] !== s) surfaces.push(s);
      }
      out.push({ surface: surfaces.join(' '), entry: m.entry, locative: (terms[m.start] as Term).locative === true });
    }
    return out;
  }
}

const MAX_GAP = 1;

/** Positions of the phrase's words in the text, or null. */
function matchFrom(keys: string[], terms: Term[], i: number): number[] | null {
  const hits = [i];
  let pos = i;
  for (let j = 1; j < keys.length; j++) {
    const k = keys[j] as string;
    const exact = k.charCodeAt(0) === 110; /* n */
    const want = k.slice(2);
    let next = -1;
    for (let q = pos + 1; q <= pos + 1 + MAX_GAP && q < terms.length; q++) {
      const t = terms[q] as Term;
      if ((exact ? t.norm : t.stem) === want) {
        next = q;
        break;
      }
    }
    if (next < 0) return null;
    hits.push(next);
    pos = next;
  }
  return hits;
}
