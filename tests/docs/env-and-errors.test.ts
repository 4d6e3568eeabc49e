import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, GatewayEnv } from '@aduan/gateway';
import { RouterEnv } from '@aduan/router';
import { StandaloneEnv } from '@aduan/standalone';

const root = join(import.meta.dirname, '..', '..');
const envKeys = (file: string) =>
  readFileSync(join(root, file), 'utf8')
    .split('\n')
    .map((l) => /^#?\s*([A-Z][A-Z0-9_]+)=/.exec(l)?.[1])
    .filter((k): k is string => Boolean(k))
    .sort();

describe('operator docs stay in step with the code', () => {
  it.each([
    ['services/gateway/.env.example', GatewayEnv],
    ['services/router/.env.example', RouterEnv],
    ['services/standalone/.env.example', StandaloneEnv],
  ])('%s lists exactly the variables the service reads', (file, schema) => {
    expect(envKeys(file)).toEqual(Object.keys(schema.shape).sort());
  });

  it('docs/errors.md lists exactly the API error codes, with their statuses', () => {
    const doc = readFileSync(join(root, 'docs/errors.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
    expect(rows.sort()).toEqual(Object.entries(ERROR_CODES).map(([code, v]) => [code, v.status]).sort());
  });
});
