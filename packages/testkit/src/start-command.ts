import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..');

/**
 * How `pnpm start` runs Node: the V8 flags and environment of the root `start` script (the
 * all-in-one), or of a service's own (`packageDir`, e.g. 'services/gateway'), so tests and
 * benchmarks that spawn the process themselves (to signal it directly) run it the same way.
 * The script's environment values are paths relative to its package.
 */
export function startCommand(packageDir = '.'): { nodeFlags: string[]; env: Record<string, string> } {
  const dir = join(root, packageDir);
  const script = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['start'] ?? '';
  const words = script.split(/\s+/);
  const node = words.indexOf('node');
  const env: Record<string, string> = {};
  for (const w of words.slice(0, node)) {
    const m = /^([A-Z_]+)=(?:\$\{[A-Z_]+:-(.*)\}|(.*))$/.exec(w);
    if (m?.[1]) env[m[1]] = join(dir, m[2] ?? m[3] ?? '');
  }
  return { nodeFlags: words.slice(node + 1).filter((w) => w.startsWith('--')), env };
}
