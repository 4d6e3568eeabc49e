import type { Directory } from '@aduan/routing/directory';
import type { FieldError } from '../errors.ts';
import type { ComplaintRequest } from './complaint-request.ts';

const key = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * Checks the category and the kelurahan/kecamatan against the city's directory and returns
 * the request with canonical names (kecamatan filled in from the kelurahan), or field errors.
 */
export function checkAgainstDirectory(req: ComplaintRequest, dir: Directory): { value: ComplaintRequest; errors: Record<string, FieldError> } {
  const errors: Record<string, FieldError> = {};
  // Only location is changed in place below: copy it, share the rest.
  const value: ComplaintRequest = { ...req, ...(req.location ? { location: { ...req.location } } : {}) };
  if (value.category) {
    const cat = dir.categories.find((c) => key(c.code) === key(value.category as string) || key(c.label) === key(value.category as string));
    if (cat) value.category = cat.code;
    else errors.category = { code: 'unknown_category', message: `category must be one of: ${dir.categories.map((c) => c.code).join(', ')}` };
  }
  const loc = value.location;
  if (loc) {
    let kec = loc.kecamatan ? dir.kecamatan.find((k) => key(k.name) === key(loc.kecamatan as string) || key(k.code) === key(loc.kecamatan as string)) : undefined;
    if (loc.kecamatan && !kec) errors['location.kecamatan'] = { code: 'unknown_kecamatan', message: `kecamatan must be one of: ${dir.kecamatan.map((k) => k.name).join(', ')}` };
    if (loc.kelurahan) {
      const matches = dir.kecamatan.flatMap((k) => k.kelurahan.filter((kel) => key(kel.name) === key(loc.kelurahan as string)).map((kel) => ({ kec: k, kel })));
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
