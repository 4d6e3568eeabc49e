import { DirectoryError } from './errors.ts';
import type { Directory } from './types.ts';

/** Cross-references zod cannot see: unique codes and every code pointing at something that exists. */
export function validateDirectory(dir: Directory, source = 'directory'): Directory {
  const problems: string[] = [];
  const opdCodes = new Set<string>();
  dir.opds.forEach((o, i) => {
    if (opdCodes.has(o.code)) problems.push(`opds[${i}].code: duplicate code "${o.code}"`);
    opdCodes.add(o.code);
  });
  const catCodes = new Set<string>();
  dir.categories.forEach((c, i) => {
    if (catCodes.has(c.code)) problems.push(`categories[${i}].code: duplicate code "${c.code}"`);
    catCodes.add(c.code);
    if (!opdCodes.has(c.opd)) problems.push(`categories[${i}].opd: "${c.opd}" is not an OPD code in opds`);
  });
  const kelNames = new Set<string>();
  dir.kecamatan.forEach((k, i) => {
    if (!opdCodes.has(k.code)) problems.push(`kecamatan[${i}].code: "${k.code}" is not an OPD code in opds`);
    k.kelurahan.forEach((kel, j) => {
      const key = kel.name.toLowerCase();
      if (kelNames.has(key)) problems.push(`kecamatan[${i}].kelurahan[${j}].name: duplicate kelurahan "${kel.name}"`);
      kelNames.add(key);
    });
  });
  const bodies = new Set<string>();
  (dir.externalBodies ?? []).forEach((b, i) => {
    if (bodies.has(b.code)) problems.push(`externalBodies[${i}].code: duplicate code "${b.code}"`);
    bodies.add(b.code);
  });
  if ((bodies.size > 0 || dir.outsideCity) && !opdCodes.has('external')) {
    problems.push('opds: an OPD with code "external" is required when external bodies or outsideCity are given');
  }
  if (dir.outsideCity && !bodies.has(dir.outsideCity.body)) {
    problems.push(`outsideCity.body: "${dir.outsideCity.body}" is not a code in externalBodies`);
  }
  if (problems.length > 0) throw new DirectoryError(problems.join('; '), source);
  return dir;
}
