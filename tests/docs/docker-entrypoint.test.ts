import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GatewayEnv, createGatewayDeps } from '@aduan/gateway';
import { freePort, startLocalRedis } from '@aduan/queue';
import { memoryLogger, waitFor } from '@aduan/testkit';

/**
 * infra/docker/entrypoint.sh runs every container's command as `node`, handing it the data volume
 * first. There is no Docker engine here, so the script is run as Docker runs it: as root, with
 * `nobody` standing in for `node` and a temporary directory for the volume. The Dockerfile is
 * checked to use it.
 */
const root = join(import.meta.dirname, '..', '..');
const entrypoint = join(root, 'infra/docker/entrypoint.sh');
const NOBODY = { uid: 65534, gid: 65534 };
const asRoot = process.getuid?.() === 0;
// Directly in /tmp, reachable by the other user (the test run's own TMPDIR is 0700).
const tmp = mkdtempSync('/tmp/aduan-entrypoint-');
chmodSync(tmp, 0o711);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every path under `dir` (itself included) whose owner is not `uid`. */
function notOwnedBy(dir: string, uid: number): string[] {
  const out = lstatSync(dir).uid === uid ? [] : [dir];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...notOwnedBy(p, uid));
    else if (lstatSync(p).uid !== uid) out.push(p);
  }
  return out;
}

describe('infra/docker/Dockerfile', () => {
  const dockerfile = readFileSync(join(root, 'infra/docker/Dockerfile'), 'utf8');
  it('starts every container through the entrypoint, and warms the compile cache as the user it runs as', () => {
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/app\/infra\/docker\/entrypoint\.sh"\]$/m);
    expect(statSync(entrypoint).mode & 0o111).toBe(0o111);
    // Node keys its compile cache by user id: a cache warmed as root is never read by `node`.
    expect(dockerfile).toMatch(/setpriv --reuid=node --regid=node --init-groups pnpm warm/);
    // The volume's mount point is `node`'s, so a new volume is too.
    expect(dockerfile).toMatch(/chown node:node \/var\/lib\/aduan\b/);
    expect(dockerfile).not.toMatch(/^USER /m);
  });
});

describe.skipIf(!asRoot)('infra/docker/entrypoint.sh, run as Docker runs it (root)', () => {
  it("gives the user what on the volume is not theirs, never what a link points to, then runs the command as them", () => {
    const data = join(tmp, 'volume');
    mkdirSync(join(data, 'spool/gateway'), { recursive: true, mode: 0o700 });
    writeFileSync(join(data, 'spool/gateway/spool-1.jsonl'), '{}\n', { mode: 0o600 });
    // A link an attacker running as the user could have left, to a file of root's.
    const outside = join(tmp, 'root-only');
    writeFileSync(outside, 'x', { mode: 0o600 });
    symlinkSync(outside, join(data, 'link'));
    const run = spawnSync(entrypoint, ['sh', '-c', 'id -u; id -g; echo "$HOME"'], { env: { PATH: process.env.PATH ?? '', ADUAN_DATA: data, ADUAN_RUN_AS: 'nobody' }, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n')).toEqual(['65534', '65534', '/nonexistent', '']);
    expect(notOwnedBy(data, NOBODY.uid)).toEqual([]);
    expect(statSync(outside).uid).toBe(0);
    // Started again, as every container start does: nothing left to change, the command runs.
    expect(spawnSync(entrypoint, ['true'], { env: { PATH: process.env.PATH ?? '', ADUAN_DATA: data, ADUAN_RUN_AS: 'nobody' } }).status).toBe(0);
  });

  it("started as another user (compose's `user:`), runs the command as it is and changes nothing", () => {
    const data = join(tmp, 'volume-other');
    mkdirSync(data, { mode: 0o755 });
    const run = spawnSync(entrypoint, ['id', '-u'], { ...NOBODY, env: { PATH: process.env.PATH ?? '', ADUAN_DATA: data }, encoding: 'utf8' });
    expect(run.stdout.trim()).toBe('65534');
    expect(statSync(data).uid).toBe(0);
  });

  it("upgraded from an image that ran as root: the gateway runs as the user, drains the complaint root spooled, stores photos, and stops on SIGTERM", async () => {
    // The gateway needs to read this checkout as `nobody`.
    const readable = spawnSync(process.execPath, ['-e', `require('node:fs').accessSync(${JSON.stringify(join(root, 'services/gateway/src/main.ts'))})`], { ...NOBODY, stdio: 'ignore' });
    if (readable.status !== 0) return;
    const data = join(tmp, 'upgrade');
    const config = GatewayEnv.parse({ QUEUE_PREFIX: 'aduan', SPOOL_DIR: join(data, 'spool/gateway'), ATTACHMENT_DIR: join(data, 'attachments') });
    const redisDir = join(tmp, 'redis');
    let redis = await startLocalRedis({ dir: redisDir });
    // The old image, as root: a complaint queued, then one spooled while Redis was away.
    const log = memoryLogger('gateway');
    const before = await createGatewayDeps(config, log.logger, { redisUrl: redis.url });
    await before.close();
    await redis.stop();
    const away = await createGatewayDeps(config, log.logger, { redisUrl: `redis://127.0.0.1:${await freePort()}`, readyTimeoutMs: 300 });
    const spooled = await away.intake.submit({ request: { text: 'Lampu penerangan jalan di Jl. Kalimantan padam sejak seminggu' }, attachments: [], channel: 'webform', account: 'web', intake: { transport: 'http' } });
    await away.close();
    expect(spooled.outcome).toBe('spooled');
    expect(notOwnedBy(data, 0)).toEqual([]);
    expect(statSync(config.SPOOL_DIR).mode & 0o777).toBe(0o700);

    redis = await startLocalRedis({ dir: redisDir, port: redis.port });
    const port = await freePort();
    // docker-compose.yml's command for the gateway, through the entrypoint.
    const child = spawn(entrypoint, ['pnpm', '--filter', '@aduan/gateway', 'start'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ADUAN_DATA: data, ADUAN_RUN_AS: 'nobody', REDIS_URL: redis.url, QUEUE_PREFIX: 'aduan', PORT: String(port), HOST: '127.0.0.1', SPOOL_DIR: config.SPOOL_DIR, ATTACHMENT_DIR: config.ATTACHMENT_DIR, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // A process group of its own: a failed run kills pnpm and the service under it alike.
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (d) => (output += String(d)));
    child.stderr.on('data', (d) => (output += String(d)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const base = `http://127.0.0.1:${port}`;
    try {
      // The complaint root spooled reaches Redis: the citizen's status link answers.
      const status = await waitFor(async () => {
        const r = await fetch(`${base}/api/v1/complaints/${spooled.ticket}`, { headers: { authorization: `Bearer ${spooled.statusToken}` } }).catch(() => null);
        return r?.status === 200 ? ((await r.json()) as { state: string }) : null;
      }, { timeoutMs: 20_000, what: `the spooled complaint drained (${output})` });
      expect(status.state).toBe('received');

      const form = new FormData();
      form.set('text', 'Selokan di depan Pasar Legi tersumbat sampah, air meluap ke jalan');
      form.set('photos', new Blob([readFileSync(join(root, 'tests/fixtures/photos/phone-orientation6.jpg'))], { type: 'image/jpeg' }), 'selokan.jpg');
      const res = await fetch(`${base}/api/v1/complaints`, { method: 'POST', body: form });
      expect(res.status, await res.clone().text()).toBe(202);
      expect(readdirSync(config.ATTACHMENT_DIR, { recursive: true }).length).toBeGreaterThan(0);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      // Everything on the volume is the user's: what root left, and what the gateway wrote.
      expect(notOwnedBy(data, NOBODY.uid)).toEqual([]);
      expect(existsSync(join(config.SPOOL_DIR, 'spool.lock'))).toBe(false);
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // all gone
      }
      await redis.stop();
    }
  }, 60_000);
});
