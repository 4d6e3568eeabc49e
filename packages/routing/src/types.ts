/**
 * The public API of @aduan/routing (pure: no I/O except loading the directory file).
 * The gateway (forms: kelurahan pick list, categories) and the router service depend on it.
 */

export interface RouteInput {
  text: string;
  /** Category code chosen by the reporter or operator (see Directory.categories). */
  category?: string;
  location?: { description?: string; kelurahan?: string; kecamatan?: string };
}

export interface Alternative {
  opd: string;
  opdName: string;
  confidence: number;
}

export interface Decision {
  /** OPD code, e.g. "dishub"; "external" for what is not the city's to handle. */
  opd: string;
  opdName: string;
  /** 0..1 */
  confidence: number;
  /** True when confidence is below the threshold: the complaint goes to `triage`. */
  triage: boolean;
  /** Readable reasons, e.g. "'jukir' -> Dinas Perhubungan". */
  reasons: string[];
  /** Ranked runner-up OPDs. */
  alternatives: Alternative[];
  /**
   * Set when opd is "external": which body outside the city government handles it and a short
   * Bahasa Indonesia advice to pass on to the citizen (never drop these silently).
   */
  external?: { body: string; advice: string };
  /** Where in the city the complaint is, when the input or text says so. */
  place?: { kelurahan?: string; kecamatan?: string; landmark?: string };
}

/** Phrases and keywords by weight; matched after the same normalization as complaint text. */
export interface Keywords {
  /** Settles jurisdiction by itself, e.g. "sma" (provincial schools), "pln". Use sparingly. */
  decisive?: string[];
  /** Enough on their own, e.g. "jukir", "lampu pju". */
  strong?: string[];
  /** Good evidence, e.g. "parkir". */
  normal?: string[];
  /** Hints that only help together with other evidence, e.g. "karcis". */
  weak?: string[];
}

export interface Opd {
  code: string;
  name: string;
  shortName: string;
  /** opd (default), kecamatan office, bumd (city-owned company such as PDAM) or external. */
  kind?: 'opd' | 'kecamatan' | 'bumd' | 'external';
  /** What it handles, in words a citizen would recognise (shown to admins). */
  topics?: string[];
  keywords?: Keywords;
}

/** A body outside the city government; complaints for it are routed to opd "external". */
export interface ExternalBody {
  code: string;
  name: string;
  /** Told to the citizen (Bahasa Indonesia). */
  advice: string;
  keywords: Keywords;
  /**
   * Its keywords name places whose status decides ("jalan provinsi"): they keep their full weight
   * after "di"/"depan", as Kabupaten place names do ("lubang di jalan provinsi" is the province's).
   */
  placeKeywords?: boolean;
}

export interface Kelurahan {
  name: string;
  landmarks: string[];
  /**
   * The name is also a common word or the city's own name ("Blitar", "Turi"): in complaint text
   * it only counts after "kel."/"kelurahan"/"desa".
   */
  needsPrefix?: boolean;
}

export interface Kecamatan {
  /** OPD code of the kecamatan office, e.g. "kec-sukorejo". */
  code: string;
  name: string;
  kelurahan: Kelurahan[];
}

export interface Category {
  /** Stable code, e.g. "parkir". */
  code: string;
  /** Bahasa Indonesia label shown on forms, e.g. "Parkir / juru parkir liar". */
  label: string;
  /** OPD that usually handles it. */
  opd: string;
  /** False for catch-alls such as "lainnya": the choice is then not counted as evidence. Default true. */
  evidence?: boolean;
}

export interface Directory {
  opds: Opd[];
  kecamatan: Kecamatan[];
  categories: Category[];
  /** Bodies outside the city government (PLN, BPJS, police, province, Kabupaten Blitar...). */
  externalBodies?: ExternalBody[];
  /** Kelurahan/kecamatan office services; routed to the kecamatan of the complaint's location. */
  kecamatanKeywords?: Keywords;
  /** Place names outside Kota Blitar (mostly Kabupaten Blitar) that signal a complaint is not the city's. */
  outsideCity?: { body: string; places: string[] };
}

export interface Router {
  /** Semver-ish version of the rules + code, recorded as routing.routerVersion. */
  readonly version: string;
  decide(input: RouteInput): Decision;
  /** Directory entries that can never match (shown by the CLIs so an admin can fix them). */
  readonly warnings?: readonly string[];
}
