import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '@aduan/queue';
import { startCommand } from '@aduan/testkit/start-command';

/**
 * What each service loads for its whole life is RSS it keeps (the all-in-one's target is < 150
 * MB). Each service is started in warm-up mode (ADUAN_WARM_COMPILE_CACHE=1: every static import
 * loaded, then exit 0 before connecting anywhere) with a module hook that records every module
 * resolved, CommonJS and ESM alike.
 */
const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'aduan-modules-'));
const hook = join(dir, 'record-modules.cjs');
writeFileSync(
  hook,
  `const { registerHooks } = require('node:module');
const { writeFileSync } = require('node:fs');
const seen = new Set();
registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); seen.add(r.url); return r; } });
process.on('exit', () => writeFileSync(process.env.RECORD_MODULES_TO, [...seen].join('\\n')));
`,
);

async function modulesOf(service: string): Promise<string[]> {
  const out = join(dir, `${service}.txt`);
  const child = spawn(process.execPath, [...startCommand().nodeFlags, '--require', hook, join(root, 'services', service, 'src/main.ts')], {
    cwd: dir,
    env: { ...process.env, ADUAN_WARM_COMPILE_CACHE: '1', RECORD_MODULES_TO: out, NODE_COMPILE_CACHE: join(dir, 'cache'), REDIS_URL: `redis://127.0.0.1:${await freePort()}`, REDIS_AUTOSTART: 'false', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code, stderr.slice(-2000)).toBe(0);
  return readFileSync(out, 'utf8').split('\n');
}

describe('modules a service loads', () => {
  it.each(['standalone', 'gateway', 'router', 'whatsapp', 'instagram'])('%s: BullMQ without its index (and its PostgreSQL backend), one copy of msgpackr', async (service) => {
    const mods = await modulesOf(service);
    // Loaded at all (the hook works, and the service uses BullMQ).
    expect(mods.some((m) => m.includes('/bullmq/dist/cjs/classes/worker.js') || m.includes('/bullmq/dist/cjs/classes/queue.js'))).toBe(true);
    expect(mods.filter((m) => m.endsWith('/bullmq/dist/cjs/index.js') || m.includes('/bullmq/dist/cjs/postgres/'))).toEqual([]);
    // BullMQ requires msgpackr's CommonJS build; an ESM import would load a second copy.
    expect(mods.filter((m) => /\/msgpackr\/(?!dist\/node\.cjs)[^/]+\.js$/.test(m))).toEqual([]);
  }, 30_000);
});
