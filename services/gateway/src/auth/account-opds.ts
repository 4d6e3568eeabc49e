import { EXTERNAL_OPD } from '@aduan/queue';
import type { Directory, Opd } from '@aduan/routing/directory';

/**
 * The OPDs an `opd` account may belong to: the directory's, without "external" (outside the
 * city's remit: a routing decision, nobody's inbox). The CLI's `user:add --opd` and the admin
 * page's list both use it, and pass its codes to UserStore.add.
 */
export function accountOpds(dir: Directory): Opd[] {
  return dir.opds.filter((o) => o.code !== EXTERNAL_OPD && o.kind !== 'external');
}

/** accountOpds' codes, as UserStore.add takes them. */
export const accountOpdCodes = (dir: Directory): ReadonlySet<string> => new Set(accountOpds(dir).map((o) => o.code));
