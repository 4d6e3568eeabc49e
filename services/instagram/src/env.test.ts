import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEnv } from '@aduan/config';
import { InstagramEnv } from './env.ts';

const example = readFileSync(join(import.meta.dirname, '..', '.env.example'), 'utf8');
const exampleVars = Object.fromEntries(
  example
    .split('\n')
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);

describe('InstagramEnv', () => {
  it('.env.example lists exactly the variables of the schema', () => {
    expect(Object.keys(exampleVars).sort()).toEqual(Object.keys(InstagramEnv.shape).sort());
  });

  it('the example values parse (blank ones unset)', () => {
    const set = Object.fromEntries(Object.entries(exampleVars).filter(([, v]) => v !== ''));
    const env = parseEnv(InstagramEnv, set);
    expect(env.INSTAGRAM_POLL_INTERVAL).toBe(45_000);
    expect(env.INSTAGRAM_APPROVE_PENDING).toBe(true);
    expect(Object.isFrozen(env)).toBe(true);
  });

  it('refuses a typo in a boolean and a short admin token', () => {
    expect(() => parseEnv(InstagramEnv, { INSTAGRAM_APPROVE_PENDING: 'ture' })).toThrow(/INSTAGRAM_APPROVE_PENDING/);
    expect(() => parseEnv(InstagramEnv, { ADMIN_TOKEN: 'short' })).toThrow(/24 characters/);
  });
});
