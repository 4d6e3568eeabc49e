import type { Analyzer } from './analyzer.ts';
import { PhraseIndex, type Place } from './phrase-index.ts';
import type { Directory, Keywords } from './types.ts';

export const WEIGHTS: Readonly<Record<keyof Keywords, number>> = { decisive: 5, strong: 3, normal: 2, weak: 1 };
/** Outside-city place names outweigh any topic (a road in Wlingi is the Kabupaten's whatever it is), but are dropped when the complaint also names a place in the city. */
export const OUTSIDE_WEIGHT = 6;

/**
 * Turns the directory's keywords and places into one phrase index, analyzed like complaint text.
 * Warnings name keywords that can never match (only stop words, say) so an admin can fix them.
 */
export function compileRules(dir: Directory, analyzer: Analyzer): { index: PhraseIndex; warnings: string[] } {
  const index = new PhraseIndex();
  const warnings: string[] = [];
  const addKeywords = (kw: Keywords | undefined, target: string, where: string) => {
    if (!kw) return;
    for (const level of Object.keys(WEIGHTS) as (keyof Keywords)[]) {
      for (const keyword of kw[level] ?? []) {
        if (!index.add(analyzer.analyze(keyword), { target, weight: WEIGHTS[level], keyword }, null)) {
          warnings.push(`${where}.keywords.${level}: "${keyword}" has only stop words and never matches`);
        }
      }
    }
  };
  for (const opd of dir.opds) addKeywords(opd.keywords, opd.code, `opds(${opd.code})`);
  for (const body of dir.externalBodies ?? []) addKeywords(body.keywords, `ext:${body.code}`, `externalBodies(${body.code})`);
  addKeywords(dir.kecamatanKeywords, 'kec', 'kecamatanKeywords');

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
