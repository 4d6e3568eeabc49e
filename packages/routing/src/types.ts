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
}

export interface Opd {
  code: string;
  name: string;
  shortName: string;
}

export interface Kelurahan {
  name: string;
  landmarks: string[];
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
}

export interface Directory {
  opds: Opd[];
  kecamatan: Kecamatan[];
  categories: Category[];
}

export interface Router {
  /** Semver-ish version of the rules + code, recorded as routing.routerVersion. */
  readonly version: string;
  decide(input: RouteInput): Decision;
}
