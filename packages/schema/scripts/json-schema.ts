/**
 * Writes packages/schema/json/<Name>.schema.json from the zod source (`generate`), or fails
 * when the committed files differ from what the source produces (`check`, run in CI).
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonSchemas } from '../src/json-schemas.ts';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'json');
const mode = process.argv[2] ?? 'generate';
let stale = 0;
mkdirSync(outDir, { recursive: true });
for (const [name, schema] of Object.entries(jsonSchemas())) {
  const file = join(outDir, `${name}.schema.json`);
  const text = `${JSON.stringify({ $id: `https://aduan.dev/schema/v1/${name}.schema.json`, ...(schema as object) }, null, 2)}\n`;
  if (mode === 'check') {
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
      console.error(`stale: ${file} (run: pnpm schema:generate)`);
      stale++;
    }
  } else {
    writeFileSync(file, text);
    console.log(`wrote ${file}`);
  }
}
if (stale > 0) process.exit(1);
if (mode === 'check') console.log('JSON Schema files are current');
