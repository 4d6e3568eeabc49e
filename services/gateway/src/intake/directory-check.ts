import type { Category, Directory, Kecamatan, Kelurahan } from '@aduan/routing/directory';
import type { FieldError } from '../errors.ts';
import type { ComplaintRequest } from './complaint-request.ts';

const key = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * The directory's names by their key, built once per directory: a request's category and
 * place are looked up, not compared with every entry (which normalized every name again on
 * every request). Where two entries share a key, the first in the directory wins, as a
 * search in order would find it.
 */
interface DirectoryIndex {
  category: Map<string, Category>;
  kecamatan: Map<string, Kecamatan>;
  kelurahan: Map<string, { kec: Kecamatan; kel: Kelurahan }[]>;
}

const indexes = new WeakMap<Directory, DirectoryIndex>();

function indexOf(dir: Directory): DirectoryIndex {
  let index = indexes.get(dir);
  if (index) return index;
  index = { category: new Map(), kecamatan: new Map(), kelurahan: new Map() };
  const first = <T>(map: Map<string, T>, k: string, v: T) => {
    if (!map.has(k)) map.set(k, v);
  };
  for (const c of dir.categories) {
    first(index.category, key(c.code), c);
    first(index.category, key(c.label), c);
  }
  for (const k of dir.kecamatan) {
    first(index.kecamatan, key(k.name), k);
    first(index.kecamatan, key(k.code), k);
    for (const kel of k.kelurahan) {
      const kk = key(kel.name);
      const list = index.kelurahan.get(kk);
      if (list) list.push({ kec: k, kel });
      else index.kelurahan.set(kk, [{ kec: k, kel }]);
    }
  }
  indexes.set(dir, index);
  return index;
}

/**
 * Checks the category and the kelurahan/kecamatan against the city's directory and returns
 * the request with canonical names (kecamatan filled in from the kelurahan), or field errors.
 */
export function checkAgainstDirectory(req: ComplaintRequest, dir: Directory): { value: ComplaintRequest; errors: Record<string, FieldError> } {
  const errors: Record<string, FieldError> = {};
  const index = indexOf(dir);
  // Only location is changed in place below: copy it, share the rest.
  const value: ComplaintRequest = { ...req, ...(req.location ? { location: { ...req.location } } : {}) };
  if (value.category) {
    const cat = index.category.get(key(value.category));
    if (cat) value.category = cat.code;
    else errors.category = { code: 'unknown_category', message: `category must be one of: ${dir.categories.map((c) => c.code).join(', ')}` };
  }
  const loc = value.location;
  if (loc) {
    let kec = loc.kecamatan ? index.kecamatan.get(key(loc.kecamatan)) : undefined;
    if (loc.kecamatan && !kec) errors['location.kecamatan'] = { code: 'unknown_kecamatan', message: `kecamatan must be one of: ${dir.kecamatan.map((k) => k.name).join(', ')}` };
    if (loc.kelurahan) {
      const matches = index.kelurahan.get(key(loc.kelurahan)) ?? [];
      const match = matches.find((m) => !kec || m.kec === kec);
      if (!matches.length) errors['location.kelurahan'] = { code: 'unknown_kelurahan', message: 'kelurahan is not a kelurahan of this city' };
      else if (!match) errors['location.kelurahan'] = { code: 'kelurahan_not_in_kecamatan', message: `kelurahan ${loc.kelurahan} is not in kecamatan ${loc.kecamatan}` };
      else {
        loc.kelurahan = match.kel.name;
        kec = match.kec;
      }
    }
    if (kec) loc.kecamatan = kec.name;
    if (Object.values(loc).every((v) => v === undefined)) delete value.location;
  }
  return { value, errors };
}
