import { exitConfig } from '@aduan/config';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { CategoriesFile, ExternalFile, OpdsFile, WilayahFile } from './directory-schema.ts';
import { DirectoryError } from './errors.ts';
import type { Directory } from './types.ts';
import { validateDirectory } from './validate-directory.ts';

/** The repository's Kota Blitar data, found relative to this file so it works from any cwd. */
export const DEFAULT_DIRECTORY_PATH = fileURLToPath(new URL('../../../infra/routing/', import.meta.url));

const FILES = { opds: 'opds.yaml', wilayah: 'wilayah.yaml', categories: 'categories.yaml', external: 'external.yaml' } as const;

/**
 * Loads and validates the OPD directory. `path` is a folder holding opds.yaml, wilayah.yaml,
 * categories.yaml and (optionally) external.yaml, or one YAML/JSON file with all their top-level keys.
 * Throws a DirectoryError naming the file and the field when something is wrong.
 */
export function loadDirectory(path: string = DEFAULT_DIRECTORY_PATH): Directory {
  if (!existsSync(path)) throw new DirectoryError('directory data not found', path);
  if (statSync(path).isFile()) {
    const doc = readDoc(path);
    const pick = (keys: string[]) => Object.fromEntries(keys.filter((k) => k in doc).map((k) => [k, doc[k]]));
    const opds = check(OpdsFile, pick(['opds', 'kecamatanKeywords']), path);
    const wilayah = check(WilayahFile, pick(['kecamatan', 'outsideCity']), path);
    const cats = check(CategoriesFile, pick(['categories']), path);
    const ext = check(ExternalFile, { externalBodies: doc['externalBodies'] ?? [] }, path);
    return validateDirectory(assemble(opds, wilayah, cats, ext), path);
  }
  const file = (name: string) => join(path, name);
  const opds = check(OpdsFile, readDoc(file(FILES.opds)), file(FILES.opds));
  const wilayah = check(WilayahFile, readDoc(file(FILES.wilayah)), file(FILES.wilayah));
  const cats = check(CategoriesFile, readDoc(file(FILES.categories)), file(FILES.categories));
  const extPath = file(FILES.external);
  const ext = existsSync(extPath) ? check(ExternalFile, readDoc(extPath), extPath) : { externalBodies: [] };
  return validateDirectory(assemble(opds, wilayah, cats, ext), path);
}

function assemble(
  opds: z.output<typeof OpdsFile>,
  wilayah: z.output<typeof WilayahFile>,
  cats: z.output<typeof CategoriesFile>,
  ext: z.output<typeof ExternalFile>,
): Directory {
  return {
    opds: opds.opds,
    kecamatan: wilayah.kecamatan,
    categories: cats.categories,
    externalBodies: ext.externalBodies,
    ...(opds.kecamatanKeywords ? { kecamatanKeywords: opds.kecamatanKeywords } : {}),
    ...(wilayah.outsideCity ? { outsideCity: wilayah.outsideCity } : {}),
  };
}

function readDoc(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new DirectoryError(`cannot read file (${(err as NodeJS.ErrnoException).code ?? 'error'})`, file);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    // The yaml package's message already says line and column.
    throw new DirectoryError(`not valid YAML: ${(err as Error).message}`, file);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new DirectoryError('expected a mapping of top-level keys', file);
  return doc as Record<string, unknown>;
}

function check<T extends z.ZodType>(schema: T, doc: unknown, file: string): z.output<T> {
  const result = schema.safeParse(doc);
  if (result.success) return result.data;
  const lines = result.error.issues.slice(0, 10).map((i) => `${formatPath(i.path)}: ${i.message}`);
  throw new DirectoryError(lines.join('; '), file);
}

/** ["opds", 3, "keywords", "strong", 2] -> "opds[3].keywords.strong[2]" */
export function formatPath(path: PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '(top level)';
}

/**
 * loadDirectory() for a service's start: a directory that does not load (an edited YAML file
 * with a mistake, a wrong ROUTING_DIRECTORY) is a configuration mistake, said in one line with
 * exit code 78, not a stack trace.
 */
export function loadDirectoryOrExit(path?: string): Directory {
  try {
    return loadDirectory(path);
  } catch (err) {
    if (!(err instanceof DirectoryError)) throw err;
    exitConfig(`the OPD directory (ROUTING_DIRECTORY, infra/routing/*.yaml) does not load: ${err.message}`);
  }
}
