import { SLANG } from './lexicon/slang.ts';

/** One word of a complaint after normalization: `word` as it will be matched, `surface` as written. */
export interface Word {
  surface: string;
  word: string;
}

const URL_RE = /\b(?:https?:\/\/|www\.)\S+/g;
const EMAIL_RE = /\S+@\S+\.\S+/g;
// "anak2" (informal reduplication) -> "anak anak"; a lone digit 2 after a word only.
const REDUP_RE = /([a-z]{2,})2(?![0-9])/g;
// Three or more of the same letter are stretched speech ("tolongggg", "parahhh").
const STRETCH_RE = /([a-z])\1{2,}/g;
const SPLIT_RE = /[^a-z0-9]+/;

/**
 * Lower-cases, strips accents, URLs and e-mail addresses, un-stretches letters, splits into words,
 * drops numbers and expands slang/abbreviations (several output words may share one surface word).
 * Pure and cheap: called once per complaint and once per keyword when a router is built.
 */
export function normalize(text: string): Word[] {
  const cleaned = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(URL_RE, ' ')
    .replace(EMAIL_RE, ' ')
    .replace(REDUP_RE, '$1 $1')
    .replace(STRETCH_RE, '$1');
  const out: Word[] = [];
  for (const raw of cleaned.split(SPLIT_RE)) {
    if (raw === '' || /^[0-9]+$/.test(raw)) continue;
    // "5rb", "3kg", "rt02": keep the letters, the amount says nothing about the OPD.
    const token = /[a-z]/.test(raw) && /[0-9]/.test(raw) ? raw.replace(/[0-9]+/g, '') : raw;
    if (token === '') continue;
    const expansion = SLANG[token];
    if (expansion === undefined) {
      out.push({ surface: raw, word: token });
      continue;
    }
    for (const w of expansion.split(' ')) if (w) out.push({ surface: raw, word: w });
  }
  return out;
}
