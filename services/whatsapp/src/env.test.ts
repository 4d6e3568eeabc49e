import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEnv, ConfigError } from '@aduan/config';
import { ReplayEnv, WhatsAppEnv } from './env.ts';

const example = readFileSync(join(import.meta.dirname, '..', '.env.example'), 'utf8');
const vars = Object.fromEntries(
  example
    .split('\n')
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);

describe('WhatsApp env', () => {
  it('.env.example lists exactly the variables of the env schemas and parses', () => {
    const names = new Set([...Object.keys(WhatsAppEnv.shape), ...Object.keys(ReplayEnv.shape)]);
    expect(Object.keys(vars).sort()).toEqual([...names].sort());
    const env = parseEnv(WhatsAppEnv, vars);
    expect(env.WA_NUMBERS).toEqual(['+6281100000000']);
    expect(env.CONVERSATION_QUIET).toBe(180_000);
    expect(Object.isFrozen(env)).toBe(true);
  });

  it('refuses numbers that are not E.164 and booleans that are typos', () => {
    expect(() => parseEnv(WhatsAppEnv, { WA_NUMBERS: '081234567890' })).toThrow(ConfigError);
    expect(() => parseEnv(WhatsAppEnv, { WA_NUMBERS: '+6281100000000', SEND_TYPING: 'ture' })).toThrow(ConfigError);
    expect(parseEnv(WhatsAppEnv, { WA_NUMBERS: '+6281100000000, +6281100000001' }).WA_NUMBERS).toHaveLength(2);
  });
});
