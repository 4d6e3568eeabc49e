import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { EXIT_CONFIG } from '@aduan/config';
import { GatewayEnv } from '@aduan/gateway';
import { InstagramEnv } from '@aduan/instagram';
import { RouterEnv } from '@aduan/router';
import { StandaloneEnv } from '@aduan/standalone';
import { WhatsAppEnv } from '@aduan/whatsapp';
import { freePort } from '@aduan/queue';
import { deletePrefix, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';

/**
 * infra/systemd's units cannot be started here (no systemd as PID 1), so what they promise is
 * checked against the code: systemd parses them without a warning, each runs exactly its
 * package's start command in its package's directory, every setting it gives is one its service
 * reads, state goes to the StateDirectory, and the command really starts the service from that
 * directory with those settings and stops on SIGTERM within the unit's stop timeout.
 */
const root = join(import.meta.dirname, '..', '..');
const dir = join(root, 'infra/systemd');
const CHECKOUT = '/opt/aduan';
const STATE = '/var/lib/aduan';
const CACHE = '/var/cache/aduan';

interface Unit {
  file: string;
  /** The last value of each key of [Service]; Environment= entries gathered. */
  service: Record<string, string>;
  env: Record<string, string>;
  unit: Record<string, string>;
  timer: Record<string, string>;
}

function parseUnit(file: string): Unit {
  const u: Unit = { file, service: {}, env: {}, unit: {}, timer: {} };
  let section = '';
  for (const raw of readFileSync(join(dir, file), 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const s = /^\[(\w+)\]$/.exec(line);
    if (s) {
      section = s[1]!;
      continue;
    }
    const eq = line.indexOf('=');
    const [key, value] = [line.slice(0, eq), line.slice(eq + 1)];
    if (section === 'Service' && key === 'Environment') {
      const e = value.indexOf('=');
      u.env[value.slice(0, e)] = value.slice(e + 1);
    } else if (section === 'Service') u.service[key] = value;
    else if (section === 'Unit') u.unit[key] = value;
    else if (section === 'Timer') u.timer[key] = value;
  }
  return u;
}

/** A service a timer starts (a maintenance command) rather than one that runs all the time. */
const timed = (f: string) => readdirSync(dir).includes(f.replace(/\.service$/, '.timer'));
const units = readdirSync(dir)
  .filter((f) => f.endsWith('.service') && !timed(f))
  .map(parseUnit);
const pkgOf = (u: Unit) => u.service['WorkingDirectory']!.slice(CHECKOUT.length + 1);
const schemas: Record<string, z.ZodObject> = { 'services/standalone': StandaloneEnv, 'services/gateway': GatewayEnv, 'services/router': RouterEnv, 'services/whatsapp': WhatsAppEnv, 'services/instagram': InstagramEnv };
/** Node's compile-cache debug lines (NODE_DEBUG_NATIVE=COMPILE_CACHE), as tests/e2e/compile-cache.test.ts reads them. */
const misses = (log: string) => log.split('\n').filter((l) => l.includes('no transpile cache for StrippedTypeScript')).length;
const hits = (log: string) => log.split('\n').filter((l) => /retrieving transpile cache for StrippedTypeScript .*success/.test(l)).length;
const script = (pkg: string, name: string) => (JSON.parse(readFileSync(join(root, pkg, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts[name]!;
const startScript = (pkg: string) => script(pkg, 'start');

describe('infra/systemd units', () => {
  it('one per service, each parsed by systemd without a warning', () => {
    expect(units.map(pkgOf).sort()).toEqual(Object.keys(schemas).sort());
    const analyze = spawnSync('systemd-analyze', ['--version']);
    if (analyze.error) return; // no systemd tools on this machine: the other checks still run
    for (const u of units) {
      const run = spawnSync('systemd-analyze', ['verify', join(dir, u.file)], { encoding: 'utf8' });
      expect(run.stdout + run.stderr, u.file).toBe('');
      expect(run.status, u.file).toBe(0);
    }
  });

  it("run their package's start command, in its directory, with a compile cache of their own", () => {
    const caches = new Set<string>();
    for (const u of units) {
      const pkg = pkgOf(u);
      // `NODE_COMPILE_CACHE=${NODE_COMPILE_CACHE:-node_modules/.cache/node-compile} exec node <flags> src/main.ts`
      const m = /^NODE_COMPILE_CACHE=\$\{NODE_COMPILE_CACHE:-([^}]+)\} exec node (.+)$/.exec(startScript(pkg));
      expect(m, pkg).not.toBeNull();
      expect(u.service['ExecStart'], u.file).toBe(`/usr/bin/env node ${m![2]}`);
      // The same command warms this user's compile cache first (exitIfWarmingCompileCache).
      expect(u.service['ExecStartPre'], u.file).toBe(`/usr/bin/env ADUAN_WARM_COMPILE_CACHE=1 node ${m![2]}`);
      // Not the checkout's: Node keys its cache by user id, so what `pnpm install` warmed there as
      // root is never the service user's, and that user cannot write the checkout.
      expect(u.service['CacheDirectory'], u.file).toBe('aduan');
      expect(u.env['NODE_COMPILE_CACHE'], u.file).toMatch(new RegExp(`^${CACHE}/[a-z]+$`));
      caches.add(u.env['NODE_COMPILE_CACHE']!);
    }
    expect(caches.size).toBe(units.length);
  });

  it('give only settings their service reads, keep state under the StateDirectory, and share one photo directory', () => {
    const attachmentDirs = new Set<string>();
    for (const u of units) {
      const schema = schemas[pkgOf(u)]!;
      for (const key of Object.keys(u.env).filter((k) => k !== 'NODE_COMPILE_CACHE')) expect(Object.keys(schema.shape), `${u.file}: ${key}`).toContain(key);
      for (const [key, value] of Object.entries(u.env).filter(([k]) => k.endsWith('_DIR'))) expect(value.startsWith(`${STATE}/`), `${u.file}: ${key}`).toBe(true);
      if (u.env['ATTACHMENT_DIR']) attachmentDirs.add(u.env['ATTACHMENT_DIR']);
      expect(u.service['StateDirectory']).toBe('aduan');
      expect(u.service['ProtectSystem']).toBe('strict');
      expect(u.service['EnvironmentFile']).toMatch(/^-\/etc\/aduan\/[a-z]+\.env$/);
      // A configuration mistake is not restarted in a loop; a stop has time for SHUTDOWN_TIMEOUT.
      expect(u.service['RestartPreventExitStatus']).toBe(String(EXIT_CONFIG));
      expect(Number(u.service['TimeoutStopSec'])).toBeGreaterThan((schema.shape['SHUTDOWN_TIMEOUT'] as z.ZodType<number>).parse(undefined) / 1000);
      expect(u.service['KillMode']).toBe('mixed');
    }
    // The gateway serves the photos the chat adapters store.
    expect([...attachmentDirs]).toEqual([`${STATE}/attachments`]);
    // Spools are per process; the all-in-one and the gateway alone share one so that moving
    // between them leaves nothing spooled behind, and they cannot run together.
    const spools = units.filter((u) => u.env['SPOOL_DIR']).map((u) => `${pkgOf(u)} ${u.env['SPOOL_DIR']}`);
    expect(new Set(spools.map((s) => s.split(' ')[1])).size).toBe(spools.length - 1);
    const allInOne = units.find((u) => pkgOf(u) === 'services/standalone')!;
    expect(allInOne.unit['Conflicts']?.split(' ').sort()).toEqual(['aduan-gateway.service', 'aduan-router.service']);
  });
});

describe('infra/systemd: the daily photo retention', () => {
  const prune = parseUnit('aduan-attachments-prune.service');
  const timer = parseUnit('aduan-attachments-prune.timer');
  const gateway = units.find((u) => u.file === 'aduan-gateway.service')!;

  it('is parsed by systemd without a warning, and runs once a day, a missed run at the next boot', () => {
    expect(timer.timer['OnCalendar']).toMatch(/^\*-\*-\* \d\d:\d\d:\d\d$/);
    expect(timer.timer['Persistent']).toBe('true');
    const analyze = spawnSync('systemd-analyze', ['--version']);
    if (analyze.error) return;
    const run = spawnSync('systemd-analyze', ['verify', join(dir, prune.file), join(dir, timer.file)], { encoding: 'utf8' });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it("runs the gateway's attachments:prune with --yes, with the gateway's settings, reading every other unit's spools", () => {
    expect(prune.service['Type']).toBe('oneshot');
    expect(pkgOf(prune)).toBe('services/gateway');
    const [command, ...args] = prune.service['ExecStart']!.replace('/usr/bin/env ', '').split(' --');
    expect(command).toBe(script('services/gateway', 'attachments:prune'));
    expect(args[0]).toBe('yes');
    for (const key of Object.keys(prune.env)) expect(Object.keys(GatewayEnv.shape), key).toContain(key);
    expect(prune.env['ATTACHMENT_DIR']).toBe(gateway.env['ATTACHMENT_DIR']);
    expect(prune.env['SPOOL_DIR']).toBe(gateway.env['SPOOL_DIR']);
    const others = units.flatMap((u) => [u.env['SPOOL_DIR'], u.env['INBOX_SPOOL_DIR']]).filter((d): d is string => !!d && d !== prune.env['SPOOL_DIR']);
    expect(args.slice(1).map((a) => a.replace(/^spool-dir /, '')).sort()).toEqual([...new Set(others)].sort());
    expect(prune.service['ProtectSystem']).toBe('strict');
    expect(prune.service['StateDirectory']).toBe('aduan');
  });
});

/**
 * The unit's `User=`: root runs the command as `nobody` when that user can read this checkout
 * (it cannot write it, as the service user cannot write /opt/aduan); anyone else runs it as
 * themselves.
 */
function serviceUser(cwd: string): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const nobody = { uid: 65534, gid: 65534 };
  const probe = spawnSync(process.execPath, ['-e', `require('node:fs').accessSync(${JSON.stringify(join(cwd, 'src/main.ts'))})`], { ...nobody, cwd, stdio: 'ignore' });
  return probe.status === 0 ? nobody : undefined;
}

describe('infra/systemd units, run as systemd would run them', () => {
  const url = testRedisUrl();
  const prefix = uniquePrefix('systemd');
  // Directly in /tmp, reachable by the other user (the test run's own TMPDIR is 0700).
  const tmp = mkdtempSync(join(existsSync('/tmp') ? '/tmp' : tmpdir(), 'aduan-systemd-'));
  chmodSync(tmp, 0o711);
  afterAll(async () => {
    rmSync(tmp, { recursive: true, force: true });
    await deletePrefix(url, prefix);
  });

  it.each(['services/standalone', 'services/gateway'])('%s: warms its own compile cache, starts from it in its directory with its settings, serves, and stops on SIGTERM in time', async (pkg) => {
    const u = units.find((x) => pkgOf(x) === pkg)!;
    const port = await freePort();
    const cwd = u.service['WorkingDirectory']!.replace(CHECKOUT, root);
    const user = serviceUser(cwd);
    // systemd makes the StateDirectory and the CacheDirectory, owned by the service user, 0700.
    const state = join(tmp, `${pkgOf(u).split('/')[1]}-state`);
    const cache = join(tmp, `${pkgOf(u).split('/')[1]}-cache`);
    for (const d of [state, cache]) {
      mkdirSync(d, { mode: 0o700 });
      if (user) chownSync(d, user.uid, user.gid);
    }
    // The unit's own environment, its paths moved from /var/lib/aduan and /var/cache/aduan to temporary directories.
    const env = Object.fromEntries(Object.entries(u.env).map(([k, v]) => [k, v.replace(STATE, state).replace(CACHE, cache)]));
    const runEnv = { PATH: process.env.PATH ?? '', ...env, REDIS_URL: url, QUEUE_PREFIX: prefix, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_DEBUG_NATIVE: 'COMPILE_CACHE' };
    // ExecStartPre: `env ADUAN_WARM_COMPILE_CACHE=1 node <flags> src/main.ts`, then ExecStart.
    const [, warmVar, , ...warmArgs] = u.service['ExecStartPre']!.split(' ');
    const warm = spawnSync(process.execPath, warmArgs, { cwd, ...user, env: { ...runEnv, [warmVar!.split('=')[0]!]: warmVar!.split('=')[1]! }, encoding: 'utf8', timeout: 30_000, maxBuffer: 64 * 2 ** 20 });
    expect(warm.status, warm.stderr.slice(-2000)).toBe(0);
    expect(misses(warm.stderr)).toBeGreaterThan(50);
    const [, , ...args] = u.service['ExecStart']!.split(' ');
    const child = spawn(process.execPath, args, { cwd, ...user, env: runEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    try {
      const ready = await waitFor(async () => ((await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.ok ? true : null), { timeoutMs: 20_000, what: `${pkg} up (${stderr})` });
      expect(ready).toBe(true);
      // Its spool is where the unit says, under the StateDirectory.
      expect(statSync(env['SPOOL_DIR']!).isDirectory()).toBe(true);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const stopAt = Date.now();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(Date.now() - stopAt).toBeLessThan(Number(u.service['TimeoutStopSec']) * 1000);
      // Nothing on stderr but Node's compile-cache debug lines: every module came from the cache
      // ExecStartPre filled (where the unit says, Node's folder for this version and user), so the
      // TypeScript stripper was never loaded. Node prints each debug line in parts, from more than
      // one thread, and under load the parts of two lines interleave: so what is checked is that
      // nothing on stderr is a warning or an error.
      expect(stderr.split('\n').filter((l) => !l.startsWith('[compile cache]') && /warn|error|^\s+at\s/i.test(l))).toEqual([]);
      expect(misses(stderr)).toBe(0);
      expect(hits(stderr)).toBeGreaterThan(50);
      const [version, ...others] = readdirSync(env['NODE_COMPILE_CACHE']!);
      expect(others).toEqual([]);
      expect(version).toMatch(new RegExp(`-${user?.uid ?? process.getuid?.() ?? ''}$`));
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 40_000);
});
