import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every error code thrown here is documented in the README, and the README lists no stale ones. */
describe('error codes', () => {
  it('match the README table', () => {
    const src = readdirSync(import.meta.dirname, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.includes('test'))
      .map((f) => readFileSync(join(import.meta.dirname, f), 'utf8'))
      .join('\n');
    const inCode = new Set([...src.matchAll(/code = '(ADUAN_ERR_[A-Z_]+)'/g)].map((m) => m[1]));
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const documented = new Set([...readme.matchAll(/`(ADUAN_ERR_WA_[A-Z_]+)`/g)].map((m) => m[1]));
    expect([...inCode].sort()).toEqual([...documented].sort());
  });
});
