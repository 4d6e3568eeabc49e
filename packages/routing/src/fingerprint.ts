import type { Directory } from './types.ts';

/** Short FNV-1a hash of the directory, so routerVersion changes whenever an admin edits the rules. */
export function fingerprint(dir: Directory): string {
  const text = JSON.stringify(dir);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
