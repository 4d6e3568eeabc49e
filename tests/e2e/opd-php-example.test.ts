import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway } from '@aduan/gateway/testing';
import { startRouterService, type RouterService } from '@aduan/router';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';

/**
 * examples/opd-api.php, the OPD API example for PHP systems, run with the real PHP CLI against
 * a listening gateway and the real router. CI installs php-cli (.ci/run) and runs this file
 * whatever happens (without PHP it fails there); a developer machine without PHP skips it.
 */
const runsPhp = spawnSync('php', ['--version'], { stdio: 'ignore' }).status === 0 || process.env.CI === 'true';
const url = testRedisUrl();
const prefix = uniquePrefix('opdphp');
const { logger } = memoryLogger('opdphp');
const script = join(import.meta.dirname, '../../examples/opd-api.php');
const cursorFile = join(mkdtempSync(join(tmpdir(), 'aduan-php-')), 'cursor.txt');
let router: RouterService;
let gw: Awaited<ReturnType<typeof createTestGateway>>;
let base = '';
let key = '';

/** Runs the example (asynchronously: the gateway answering it lives in this process). */
function runPhp(): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn('php', [script], { env: { ...process.env, ADUAN_URL: base, ADUAN_OPD_KEY: key, ADUAN_CURSOR_FILE: cursorFile } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

async function fileRouted(text: string): Promise<{ ticket: string; statusToken: string }> {
  const c = (await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text } })).json() as { ticket: string; statusToken: string };
  await waitFor(async () => (await state(c)) === 'routed', { timeoutMs: 15_000, what: 'routed' });
  return c;
}
const state = async (c: { ticket: string; statusToken: string }) => ((await gw.app.inject({ url: `/api/v1/complaints/${c.ticket}?token=${c.statusToken}` })).json() as { state: string }).state;

beforeAll(async () => {
  if (!runsPhp) return;
  router = await startRouterService({ redisUrl: url, prefix, logger });
  gw = await createTestGateway({ redisUrl: url, prefix, logger, routerAlive: router.alive });
  base = await gw.app.listen({ port: 0, host: '127.0.0.1' });
  key = (await gw.deps.opdKeys.create('dishub', 'php example')).secret;
});
afterAll(async () => {
  if (!runsPhp) return;
  await gw.close();
  await router.close();
  await deletePrefix(url, prefix);
});

describe.skipIf(!runsPhp)('examples/opd-api.php (PHP CLI)', () => {
  it('reads new complaints once, reports progress the citizen sees, and carries on from its cursor', async () => {
    const first = await fileRouted('Banyak jukir liar di sekitar Alun-alun, parkir seenaknya bikin macet');
    const second = await fileRouted('Jukir liar di depan Pasar Legi minta tarif parkir dua kali lipat');
    const run1 = await runPhp();
    expect(run1.err).toBe('');
    expect(run1.code).toBe(0);
    expect(run1.out).toContain(first.ticket);
    expect(run1.out).toContain(second.ticket);
    expect(run1.out).toContain('Dinas Perhubungan');
    for (const c of [first, second]) await waitFor(async () => (await state(c)) === 'in_progress', { timeoutMs: 15_000, what: 'in_progress' });
    // Nothing new: nothing printed, nothing posted.
    const run2 = await runPhp();
    expect([run2.code, run2.out]).toEqual([0, '']);
    const third = await fileRouted('Parkir liar di bahu jalan Jl. Merdeka bikin macet tiap sore');
    const run3 = await runPhp();
    expect(run3.code).toBe(0);
    expect(run3.out.trim().split('\n')).toHaveLength(1);
    expect(run3.out).toContain(third.ticket);
  });
});
