import { Analyzer } from './analyzer.ts';
import { compileRules, keywordWords } from './compile-rules.ts';
import { combine, confidences, SCALE, SHARE_EXPONENT, type Calibration } from './confidence.ts';
import { Locator, type Located } from './locate.ts';
import { sharedStemmer } from './stemmer.ts';
import type { Alternative, Decision, Directory, ExternalBody, Opd, RouteInput, Router } from './types.ts';
import { validateDirectory } from './validate-directory.ts';
import { fingerprint } from './fingerprint.ts';

/** Below this confidence a complaint goes to triage. Chosen from the development split (see README). */
export const DEFAULT_TRIAGE_THRESHOLD = 0.5;
/** Bumped when the decision code changes; the directory's own hash is appended. */
export const ENGINE_VERSION = '1.0.0';
/** A category chosen on the form or by the operator counts a bit less than a strong keyword. */
export const CATEGORY_WEIGHT = 2.5;
/** A keyword right after "di"/"depan"/"dekat" probably names the place, not the problem. */
export const LOCATIVE_FACTOR = 0.5;
const MAX_REASONS = 8;
const MAX_TEXT = 10_000;
const MAX_ALTERNATIVES = 3;

export interface RouterOptions {
  triageThreshold: number;
  /** Confidence calibration; the defaults were measured on the development split (README). */
  calibration?: Calibration;
}

interface Candidate {
  target: string;
  weights: number[];
  reasons: string[];
  score: number;
}

/** Builds a router from a directory (~0.1 s the first time in a process, for Sastrawi's dictionary). decide() is pure. */
export function createRouter(directory: Directory, opts: RouterOptions): Router {
  validateDirectory(directory);
  if (!(opts.triageThreshold >= 0 && opts.triageThreshold <= 1)) throw new RangeError('triageThreshold must be within 0..1');
  const analyzer = new Analyzer(sharedStemmer(), keywordWords(directory));
  const { index, warnings } = compileRules(directory, analyzer);
  const locator = new Locator(directory, analyzer, index);
  const opds = new Map<string, Opd>(directory.opds.map((o) => [o.code, o]));
  const bodies = new Map<string, ExternalBody>((directory.externalBodies ?? []).map((b) => [b.code, b]));
  const categories = new Map(directory.categories.map((c) => [c.code, c]));
  const fallback = directory.categories.find((c) => c.evidence === false)?.opd ?? (directory.opds[0] as Opd).code;
  const threshold = opts.triageThreshold;
  const calibration = opts.calibration ?? { scale: SCALE, shareExponent: SHARE_EXPONENT };
  const version = `${ENGINE_VERSION}+${fingerprint(directory)}`;

  const opdName = (code: string) => opds.get(code)?.name ?? code;
  const targetName = (t: string) => (t.startsWith('ext:') ? `${bodies.get(t.slice(4))?.name ?? t.slice(4)} (di luar Pemkot)` : opdName(t));
  const opdOf = (t: string) => (t.startsWith('ext:') ? 'external' : t);

  function decide(input: RouteInput): Decision {
    // Complaints are at most 5,000 characters (schema); a longer CLI line is cut so it cannot stall a worker.
    const matches = index.match(analyzer.analyze(input.text.length > MAX_TEXT ? input.text.slice(0, MAX_TEXT) : input.text));
    const place = locator.locate(input.location, matches);
    const cands = new Map<string, Candidate>();
    const add = (target: string, weight: number, reason: string) => {
      let c = cands.get(target);
      if (!c) cands.set(target, (c = { target, weights: [], reasons: [], score: 0 }));
      c.weights.push(weight);
      if (!c.reasons.includes(reason)) c.reasons.push(reason);
    };
    const seen = new Set<string>();
    let kecEvidence = false;
    for (const m of matches) {
      const outside = m.entry.places.some((p) => p.kind === 'outside');
      for (const e of m.entry.evidence) {
        // Place names are expected after "di"; only topic words lose weight there.
        const locative = m.locative && !outside && e.place !== true;
        // Outside-city names do not count once the complaint is placed in the city.
        if (outside && place.inCity) continue;
        let target = e.target;
        if (target === 'kec') {
          kecEvidence = true;
          target = place.kecamatanCode ?? 'kec';
        }
        const id = `${target}|${e.keyword}`;
        if (seen.has(id)) continue; // a word repeated ten times is still one piece of evidence
        seen.add(id);
        const weight = locative ? e.weight * LOCATIVE_FACTOR : e.weight;
        add(target, weight, `'${m.surface}'${locative ? ' (lokasi)' : ''} -> ${target === 'kec' ? 'kantor kelurahan/kecamatan' : targetName(target)}`);
      }
    }
    const cat = input.category ? categories.get(input.category) : undefined;
    if (cat && cat.evidence !== false) add(cat.opd, CATEGORY_WEIGHT, `kategori '${cat.label}' -> ${opdName(cat.opd)}`);

    const ranked = collapse([...cands.values()]);
    const reasons: string[] = [];
    const placeReason = describePlace(place);
    const notes: string[] = [];
    if (input.category && !cat) notes.push(`kategori '${input.category}' tidak dikenal, diabaikan`);
    if (place.unknown) notes.push(`${place.unknown} tidak dikenal, diabaikan`);
    const top = ranked[0];
    if (!top) {
      const why = ['tidak ada kata kunci yang dikenali', ...(placeReason ? [placeReason] : []), ...notes];
      return finish({ opd: cat?.opd ?? fallback, confidence: 0, reasons: why, alternatives: [], place });
    }
    const conf = confidences(ranked.map((c) => c.score), calibration);
    let confidence = conf[0] ?? 0;
    let opd = opdOf(top.target);
    if (top.target === 'kec') {
      // Kelurahan/kecamatan office service, but which kecamatan is unknown: one in three.
      opd = (directory.kecamatan[0]?.code ?? fallback);
      confidence = Math.round((confidence / 3) * 1000) / 1000;
      reasons.push('lokasi tidak diketahui: kecamatan belum bisa ditentukan');
    }
    // The winner's evidence, where, any input problem; then what spoke for the others (cut at MAX_REASONS).
    reasons.push(...top.reasons);
    if (kecEvidence && place.kecamatanCode && top.target === place.kecamatanCode) reasons.push(`kecamatan dari lokasi: ${place.kecamatan}`);
    if (placeReason) reasons.push(placeReason);
    reasons.push(...notes);
    for (const c of ranked.slice(1)) reasons.push(...c.reasons);
    const alternatives: Alternative[] = [];
    const used = new Set([opd]);
    ranked.slice(1).forEach((c, i) => {
      const code = c.target === 'kec' ? null : opdOf(c.target);
      if (!code || used.has(code) || alternatives.length >= MAX_ALTERNATIVES) return;
      used.add(code);
      alternatives.push({ opd: code, opdName: opdName(code), confidence: conf[i + 1] ?? 0 });
    });
    const body = top.target.startsWith('ext:') ? bodies.get(top.target.slice(4)) : undefined;
    const external = body ? { body: body.name, advice: body.advice } : undefined;
    return finish({ opd, confidence, reasons, alternatives, ...(external ? { external } : {}), place });
  }

  type Draft = Pick<Decision, 'opd' | 'confidence' | 'reasons' | 'alternatives' | 'external'> & { place: Located };

  function finish(d: Draft): Decision {
    const triage = d.confidence < threshold;
    const reasons = d.reasons.slice(0, MAX_REASONS);
    if (triage) reasons.push(`keyakinan ${d.confidence.toFixed(2)} di bawah ambang ${threshold.toFixed(2)} -> triase`);
    const place = publicPlace(d.place);
    return {
      opd: d.opd,
      opdName: opdName(d.opd),
      confidence: d.confidence,
      triage,
      reasons,
      alternatives: d.alternatives,
      ...(d.external ? { external: d.external } : {}),
      ...(place ? { place } : {}),
    };
  }

  return { version, decide, warnings };
}

/** Scores each target, ranks them (ties broken by code so output never depends on input order). */
function collapse(cands: Candidate[]): Candidate[] {
  for (const c of cands) c.score = combine(c.weights);
  return cands.sort((a, b) => b.score - a.score || (a.target < b.target ? -1 : 1));
}

function publicPlace(p: Located): Decision['place'] {
  if (!p.inCity) return undefined;
  const { kelurahan, kecamatan, landmark } = p;
  return { ...(kelurahan ? { kelurahan } : {}), ...(kecamatan ? { kecamatan } : {}), ...(landmark ? { landmark } : {}) };
}

function describePlace(p: Located): string | undefined {
  if (p.inCity) {
    const kel = p.kelurahan ? `Kel. ${p.kelurahan}` : undefined;
    const parts = [p.landmark, kel, p.kecamatan ? `Kec. ${p.kecamatan}` : undefined].filter(Boolean);
    if (parts.length === 0) parts.push('Kota Blitar');
    return `lokasi${p.source === 'form' ? ' (formulir)' : ''}: ${parts.join(', ')}`;
  }
  if (p.outside.length > 0) return `'${p.outside[0]}' berada di luar Kota Blitar`;
  return undefined;
}
