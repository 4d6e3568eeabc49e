import type { Analyzer } from './analyzer.ts';
import type { Match, PhraseIndex, Place } from './phrase-index.ts';
import type { Directory, RouteInput } from './types.ts';

/** Where a complaint is, as far as the form and the text tell. */
export interface Located {
  kelurahan?: string;
  kecamatan?: string;
  /** OPD code of the kecamatan office. */
  kecamatanCode?: string;
  landmark?: string;
  /** Known to be inside Kota Blitar (a kelurahan, kecamatan or landmark of the city). */
  inCity: boolean;
  /** How it was found, for reasons. */
  source?: 'form' | 'text';
  /** Places outside the city named in the text. */
  outside: string[];
  /** A form kelurahan/kecamatan that is not in the directory (typo?), for reasons. */
  unknown?: string;
}

export class Locator {
  private readonly kelurahan = new Map<string, { name: string; kecamatan: string }>();
  private readonly kecamatan = new Map<string, { name: string; code: string }>();

  private readonly analyzer: Analyzer;
  private readonly index: PhraseIndex;

  constructor(dir: Directory, analyzer: Analyzer, index: PhraseIndex) {
    this.analyzer = analyzer;
    this.index = index;
    for (const kec of dir.kecamatan) {
      const k = { name: kec.name, code: kec.code };
      this.kecamatan.set(key(kec.name), k);
      this.kecamatan.set(key(kec.code), k);
      for (const kel of kec.kelurahan) this.kelurahan.set(key(kel.name), { name: kel.name, kecamatan: kec.name });
    }
  }

  /** Form fields win over the description, which wins over places named in the complaint text. */
  locate(location: RouteInput['location'], textMatches: Match[]): Located {
    const outside = textMatches.flatMap((m) => m.entry.places.filter((p) => p.kind === 'outside').map((p) => p.name));
    const kel = location?.kelurahan ? this.kelurahan.get(key(location.kelurahan)) : undefined;
    const kec = location?.kecamatan ? this.kecamatan.get(key(location.kecamatan)) : undefined;
    const unknown = location?.kelurahan && !kel ? `kelurahan '${location.kelurahan}'` : location?.kecamatan && !kec ? `kecamatan '${location.kecamatan}'` : undefined;
    const located = this.locateKnown(kel, kec, location, textMatches, outside);
    return unknown ? { ...located, unknown } : located;
  }

  private locateKnown(
    kel: { name: string; kecamatan: string } | undefined,
    kec: { name: string; code: string } | undefined,
    location: RouteInput['location'],
    textMatches: Match[],
    outside: string[],
  ): Located {
    if (kel || kec) {
      const kecName = kel?.kecamatan ?? kec?.name;
      return this.result({ ...(kel ? { kelurahan: kel.name } : {}), ...(kecName ? { kecamatan: kecName } : {}) }, 'form', outside);
    }
    const fromDescription = location?.description ? this.firstCityPlace(this.index.match(this.analyzer.analyze(location.description))) : undefined;
    const found = fromDescription ?? this.firstCityPlace(textMatches);
    if (found) return this.result(found, fromDescription ? 'form' : 'text', outside);
    return { inCity: false, outside };
  }

  private firstCityPlace(matches: Match[]): Place | undefined {
    // Prefer the most precise place: a kelurahan or landmark over a bare kecamatan.
    let kecOnly: Place | undefined;
    let city: Place | undefined;
    for (const m of matches) {
      for (const p of m.entry.places) {
        if (p.kind === 'kelurahan' || p.kind === 'landmark') return p;
        if (p.kind === 'kecamatan') kecOnly ??= p;
        if (p.kind === 'city') city ??= p;
      }
    }
    return kecOnly ?? city;
  }

  private result(p: { kelurahan?: string; kecamatan?: string; kind?: string; name?: string }, source: 'form' | 'text', outside: string[]): Located {
    const kecamatanCode = p.kecamatan ? this.kecamatan.get(key(p.kecamatan))?.code : undefined;
    return {
      ...(p.kelurahan ? { kelurahan: p.kelurahan } : {}),
      ...(p.kecamatan ? { kecamatan: p.kecamatan } : {}),
      ...(kecamatanCode ? { kecamatanCode } : {}),
      ...(p.kind === 'landmark' && p.name ? { landmark: p.name } : {}),
      inCity: true,
      source,
      outside,
    };
  }
}

function key(s: string): string {
  return s.toLowerCase().replace(/^(kel\.?|kelurahan|kec\.?|kecamatan)\s+/, '').replace(/[^a-z0-9]/g, '');
}
