import { mkdtempSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DIRECTORY_PATH, loadDirectory } from './directory.ts';
import { DirectoryError } from './errors.ts';

const REQUIRED = ['dishub', 'dlh', 'satpolpp', 'dpupr', 'disperkim', 'diskominfotik', 'dispendukcapil', 'dinkes', 'rsud', 'dindik', 'dinsos', 'bpbd', 'pdam', 'disperindag', 'dp3ap2kb', 'dpmptsp', 'disnaker', 'kec-kepanjenkidul', 'kec-sananwetan', 'kec-sukorejo', 'external'];

/** A writable copy of the shipped directory with one file replaced. */
function copyWith(file: string, edit: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'routing-dir-'));
  cpSync(DEFAULT_DIRECTORY_PATH, dir, { recursive: true });
  writeFileSync(join(dir, file), edit(readFileSync(join(dir, file), 'utf8')));
  return dir;
}

function errorOf(fn: () => unknown): DirectoryError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DirectoryError) return err;
    throw err;
  }
  throw new Error('expected a DirectoryError');
}

describe('loadDirectory (shipped Kota Blitar data)', () => {
  const dir = loadDirectory();
  it('has every OPD code the city needs', () => {
    const codes = dir.opds.map((o) => o.code);
    for (const code of REQUIRED) expect(codes).toContain(code);
  });
  it('has 3 kecamatan with 7 kelurahan each', () => {
    expect(dir.kecamatan.map((k) => k.code)).toEqual(['kec-kepanjenkidul', 'kec-sananwetan', 'kec-sukorejo']);
    for (const k of dir.kecamatan) expect(k.kelurahan).toHaveLength(7);
  });
  it('has 15-25 categories, each pointing at a known OPD', () => {
    expect(dir.categories.length).toBeGreaterThanOrEqual(15);
    expect(dir.categories.length).toBeLessThanOrEqual(25);
    const codes = new Set(dir.opds.map((o) => o.code));
    for (const c of dir.categories) expect(codes.has(c.opd)).toBe(true);
  });
  it('describes external bodies with advice for the citizen', () => {
    const pln = dir.externalBodies?.find((b) => b.code === 'pln');
    expect(pln?.advice).toMatch(/PLN/);
  });
  it('also loads from one combined YAML file', () => {
    const d = mkdtempSync(join(tmpdir(), 'routing-one-'));
    const all = ['opds', 'wilayah', 'categories', 'external'].map((f) => readFileSync(join(DEFAULT_DIRECTORY_PATH, `${f}.yaml`), 'utf8')).join('\n');
    writeFileSync(join(d, 'all.yaml'), all);
    expect(loadDirectory(join(d, 'all.yaml')).opds.length).toBe(dir.opds.length);
  });
});

describe('loadDirectory errors name the file and the field', () => {
  it('a keyword of the wrong type', () => {
    const path = copyWith('opds.yaml', (t) => t.replace('strong: [jukir,', 'strong: [42, jukir,'));
    const err = errorOf(() => loadDirectory(path));
    expect(err.code).toBe('ADUAN_ERR_ROUTING_DIRECTORY');
    expect(err.message).toContain('opds.yaml');
    expect(err.message).toContain('opds[0].keywords.strong[0]');
  });
  it('a misspelt field', () => {
    const path = copyWith('categories.yaml', (t) => t.replace('{ code: parkir, label:', '{ code: parkir, lable:'));
    const err = errorOf(() => loadDirectory(path));
    expect(err.message).toMatch(/categories\.yaml: categories\[0\]/);
  });
  it('a category pointing at an unknown OPD', () => {
    const path = copyWith('categories.yaml', (t) => t.replace('opd: dishub }', 'opd: dishubb }'));
    expect(errorOf(() => loadDirectory(path)).message).toContain('categories[0].opd: "dishubb" is not an OPD code');
  });
  it('broken YAML says where', () => {
    const path = copyWith('wilayah.yaml', (t) => t.replace('kecamatan:\n', 'kecamatan:\n  - code: [unclosed\n'));
    const err = errorOf(() => loadDirectory(path));
    expect(err.message).toMatch(/wilayah\.yaml: not valid YAML.*line/s);
  });
  it('a missing folder', () => {
    expect(errorOf(() => loadDirectory('/nonexistent/routing')).message).toContain('/nonexistent/routing');
  });
});
