import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@aduan/queue';
import { deletePrefix, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { startCommand } from '@aduan/testkit/start-command';

/** `pnpm start` as a user runs it: the real process, over HTTP, then SIGTERM. */
const url = testRedisUrl();
const prefix = uniquePrefix('standalone');
const root = join(import.meta.dirname, '..', '..');
let child: ChildProcess;
let base: string;
let stderr = '';
let intlLog: string;

/**
 * Records each kind of Intl formatter the process makes (and the locale-aware methods that make
 * one), once, with where it was made. Making the first one maps ~5 MB of ICU's locale data into
 * the process for good, so intake and routing must never need one.
 */
const INTL_HOOK = `const { appendFileSync } = require('node:fs');
const seen = new Set();
const record = (what) => { if (seen.has(what)) return; seen.add(what); appendFileSync(process.env.RECORD_INTL_TO, what + ' ' + new Error().stack.split('\\n')[3] + '\\n'); };
for (const k of ['DateTimeFormat', 'NumberFormat', 'Collator', 'PluralRules', 'RelativeTimeFormat', 'ListFormat', 'DisplayNames', 'Segmenter']) {
  const Made = Intl[k];
  Intl[k] = new Proxy(Made, { construct(t, args, nt) { record('Intl.' + k); return Reflect.construct(t, args, nt); }, apply(t, self, args) { record('Intl.' + k); return Reflect.apply(t, self, args); } });
}
for (const [proto, m] of [[Number.prototype, 'toLocaleString'], [Date.prototype, 'toLocaleString'], [Date.prototype, 'toLocaleDateString'], [Date.prototype, 'toLocaleTimeString'], [String.prototype, 'localeCompare']]) {
  const f = proto[m];
  proto[m] = function (...args) { record(m); return f.apply(this, args); };
}
// The test's proof that the hook records in this process: SIGUSR2 makes a formatter.
process.on('SIGUSR2', () => new Intl.NumberFormat('id-ID'));
`;

beforeAll(async () => {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'aduan-start-'));
  base = `http://127.0.0.1:${port}`;
  const hook = join(dir, 'record-intl.cjs');
  writeFileSync(hook, INTL_HOOK);
  intlLog = join(dir, 'intl.log');
  const start = startCommand();
  child = spawn(process.execPath, [...start.nodeFlags, '--require', hook, join(root, 'services/standalone/src/main.ts')], {
    cwd: dir,
    env: { ...process.env, ...start.env, PORT: String(port), HOST: '127.0.0.1', REDIS_URL: url, QUEUE_PREFIX: prefix, SPOOL_DIR: join(dir, 'spool'), ATTACHMENT_DIR: join(dir, 'att'), LOG_LEVEL: 'warn', RECORD_INTL_TO: intlLog },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', (d) => (stderr += String(d)));
  await waitFor(async () => (await fetch(`${base}/readyz`).catch(() => null))?.status === 200, { timeoutMs: 20_000, what: `standalone ready (${stderr})` });
}, 30_000);
afterAll(async () => {
  if (child.exitCode === null) child.kill('SIGKILL');
  await deletePrefix(url, prefix);
});

describe('pnpm start (gateway + router in one process)', () => {
  it('serves the form, routes a complaint end to end without ICU locale data, and stops cleanly on SIGTERM', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Sampaikan aduan Anda');

    const res = await fetch(`${base}/api/v1/complaints`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'Pohon besar tumbang menutup jalan di depan SDN Sananwetan', location: { kelurahan: 'Sananwetan' } }) });
    expect(res.status).toBe(202);
    const { ticket, statusToken } = (await res.json()) as { ticket: string; statusToken: string };
    const view = await waitFor(async () => {
      const r = await fetch(`${base}/api/v1/complaints/${ticket}`, { headers: { authorization: `Bearer ${statusToken}` } });
      const v = (await r.json()) as { state: string; opd?: { code: string } };
      return v.state !== 'received' ? v : null;
    }, { what: 'routed' });
    expect(['routed', 'triage']).toContain(view.state);

    // Starting, filing, routing and the citizen's status page (dates in WIB) made no Intl
    // formatter: the first would keep ~5 MB of ICU's locale data resident for good.
    const statusPage = await fetch(`${base}/status?ticket=${ticket}&token=${statusToken}`);
    expect(statusPage.status).toBe(200);
    expect(await statusPage.text()).toMatch(/Diterima \d{1,2} (Jan|Feb|Mar|Apr|Mei|Jun|Jul|Agu|Sep|Okt|Nov|Des) \d{4}, \d{2}\.\d{2}/);
    const intlUses = () => (existsSync(intlLog) ? readFileSync(intlLog, 'utf8') : '');
    expect(intlUses()).toBe('');
    // ...and the hook does record one when it is made.
    child.kill('SIGUSR2');
    await waitFor(() => intlUses().startsWith('Intl.NumberFormat'), { what: 'the Intl hook to record' });

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
