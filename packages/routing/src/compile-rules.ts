import type { Analyzer } from './analyzer.ts';
import { PhraseIndex, type Place } from './phrase-index.ts';
import type { Directory, Keywords } from './types.ts';

export const WEIGHTS: Readonly<Record<keyof Keywords, number>> = { decisive: 5, strong: 3, normal: 2, weak: 1 };
/** Outside-city place names outweigh any topic (a road in Wlingi is the Kabupaten's whatever it is), but are dropped when the complaint also names a place in the city. */
export const OUTSIDE_WEIGHT = 6;

/** Turns the directory's keywords and places into one phrase index, analyzed like complaint text. */
export function compileRules(dir: Directory, analyzer: Analyzer): PhraseIndex {
  const index = new PhraseIndex();
  const addKeywords = (kw: Keywords | undefined, target: string) => {
    if (!kw) return;
    for (const level of Object.keys(WEIGHTS) as (keyof Keywords)[]) {
      for (const keyword of kw[level] ?? []) {
        index.add(analyzer.analyze(keyword), { target, weight: WEIGHTS[level], keyword }, null);
      }
    }
  };
  for (const opd of dir.opds) addKeywords(opd.keywords, opd.code);
  for (const body of dir.externalBodies ?? []) addKeywords(body.keywords, `ext:${body.code}`);
  addKeywords(dir.kecamatanKeywords, 'kec');

  const addPlace = (text: string, place: Place) => index.add(analyzer.analyze(text), null, place);
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
      index.add(analyzer.analyze(name), { target, weight: OUTSIDE_WEIGHT, keyword: name }, { kind: 'outside', name });
    }
  }
  return index;
}
