import type { Analyzer, Term } from './analyzer.ts';
import { PhraseIndex, type Place } from './phrase-index.ts';
import { normalize } from './normalize.ts';
import type { Directory, Keywords } from './types.ts';

export const WEIGHTS: Readonly<Record<keyof Keywords, number>> = { decisive: 5, strong: 3, normal: 2, weak: 1 };
/** Outside-city place names outweigh any topic (a road in Wlingi is the Kabupaten's whatever it is), but are dropped when the complaint also names a place in the city. */
export const OUTSIDE_WEIGHT = 6;

/** Every word of the directory's keywords, normalized (for the analyzer's Javanese "-e"/"-ne": "jukire" = "jukir"). */
export function keywordWords(dir: Directory): Set<string> {
  const words = new Set<string>();
  const groups: (Keywords | undefined)[] = [...dir.opds.map((o) => o.keywords), ...(dir.externalBodies ?? []).map((b) => b.keywords), dir.kecamatanKeywords];
  for (const kw of groups) for (const list of Object.values(kw ?? {})) for (const k of list ?? []) for (const w of normalize(k)) words.add(w.word);
  return words;
}

/**
 * Turns the directory's keywords and places into one phrase index, analyzed like complaint text.
 * Warnings name keywords that can never match (only stop words, say), and phrases that match as
 * one bare word because their other words are dropped ("pak rt" -> "rt"), so an admin can fix them.
 */
export function compileRules(dir: Directory, analyzer: Analyzer): { index: PhraseIndex; warnings: string[] } {
  const index = new PhraseIndex();
  const warnings: string[] = [];
  const collapsed: { target: string; weight: number; key: string; warning: string }[] = [];
  // Single-word keywords written as such: "lurah" listed next to "pak lurah" makes the collapse intended.
  const explicit = new Map<string, number>();
  const addKeywords = (kw: Keywords | undefined, target: string, where: string, place = false) => {
    if (!kw) return;
    for (const level of Object.keys(WEIGHTS) as (keyof Keywords)[]) {
      for (const keyword of kw[level] ?? []) {
        const terms = analyzer.analyze(keyword);
        const weight = WEIGHTS[level];
        if (!index.add(terms, { target, weight, keyword, ...(place ? { place } : {}) }, null)) {
          warnings.push(`${where}.keywords.${level}: "${keyword}" has only stop words and never matches`);
          continue;
        }
        if (terms.length !== 1) continue;
        const key = `${target}|${PhraseIndex.keysOf(terms).join(' ')}`;
        const dropped = keyword.split(/[^\p{L}\p{N}]+/u).filter((w) => w !== '' && analyzer.analyze(w).length === 0);
        if (dropped.length === 0) {
          explicit.set(key, Math.max(explicit.get(key) ?? 0, weight));
          continue;
        }
        const word = (terms[0] as Term).norm;
        collapsed.push({
          target,
          weight,
          key,
          warning: `${where}.keywords.${level}: "${keyword}" matches every "${word}" alone (${dropped.map((w) => `"${w}"`).join(', ')} dropped as a stop word or form of address)`,
        });
      }
    }
  };
  for (const opd of dir.opds) addKeywords(opd.keywords, opd.code, `opds(${opd.code})`);
  for (const body of dir.externalBodies ?? []) addKeywords(body.keywords, `ext:${body.code}`, `externalBodies(${body.code})`, body.placeKeywords === true);
  addKeywords(dir.kecamatanKeywords, 'kec', 'kecamatanKeywords');
  // "pak rt" is "rt" once "pak" is dropped: a phrase that collapses to one word gives that word
  // alone the phrase's weight (every address "RT 03" was kelurahan-office evidence).
  for (const c of collapsed) if ((explicit.get(c.key) ?? 0) < c.weight) warnings.push(c.warning);

  const addPlace = (text: string, place: Place) => {
    if (!index.add(analyzer.analyze(text), null, place)) warnings.push(`place "${text}" has only stop words and is never found`);
  };
  // "Kota Blitar" named in the text: inside the city, even if a Kabupaten place is named too.
  for (const name of ['kota blitar', 'pemkot blitar']) addPlace(name, { kind: 'city', name: 'Kota Blitar' });
  for (const kec of dir.kecamatan) {
    const inKec = { kecamatan: kec.name };
    addPlace(`kecamatan ${kec.name}`, { kind: 'kecamatan', name: kec.name, ...inKec });
    for (const kel of kec.kelurahan) {
      const place: Place = { kind: 'kelurahan', name: kel.name, kelurahan: kel.name, ...inKec };
      for (const prefix of ['kelurahan', 'desa', 'kampung']) addPlace(`${prefix} ${kel.name}`, place);
      if (!kel.needsPrefix) addPlace(kel.name, place);
      // Landmarks locate a complaint; their words are consumed so "Makam Bung Karno" is not a
      // complaint about a cemetery, unless a keyword of the same length says otherwise.
      for (const lm of kel.landmarks) addPlace(lm, { kind: 'landmark', name: lm, kelurahan: kel.name, ...inKec });
    }
  }
  if (dir.outsideCity) {
    const target = `ext:${dir.outsideCity.body}`;
    for (const name of dir.outsideCity.places) {
      if (!index.add(analyzer.analyze(name), { target, weight: OUTSIDE_WEIGHT, keyword: name }, { kind: 'outside', name })) {
        warnings.push(`outsideCity.places: "${name}" has only stop words and is never found`);
      }
    }
  }
  return { index, warnings };
}
