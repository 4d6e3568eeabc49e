import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, Queue, routedCopyKey, StatusStore } from '@aduan/queue';
import type { Routing } from '@aduan/schema';
import { whatsappComplaint } from '@aduan/testkit/complaints';
import { LocalDiskStorage } from '@aduan/storage';
import { deletePrefix, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { serviceUserRules } from '../redis-acl/redis-users.ts';
import { DEFAULT_PRUNE_DAYS, PruneNoDeploymentError, pruneAttachments } from './prune-attachments.ts';

/**
 * attachments:prune on real files and a real Redis: an old photo nothing names goes; one a
 * retained job, a spooled complaint or an open WhatsApp conversation names stays, and so do a
 * young one and an old one sent again.
 */
const url = testRedisUrl();
const SCRIPT = fileURLToPath(new URL('../../scripts/attachments-prune.ts', import.meta.url));
const DAY_MS = 86_400_000;
let redis: Redis;
const prefixes: string[] = [];
const dirs: string[] = [];

beforeAll(() => {
  redis = createRedis(url, 'worker');
});
afterAll(async () => {
  for (const p of prefixes) await deletePrefix(url, p);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  redis.disconnect();
});

/**
 * A deployment of its own: a prefix, an attachment store, the gateway's and the WhatsApp service's
 * spools. Its Redis holds the intake queue's meta key, as a router's worker leaves it.
 */
async function setup() {
  const prefix = uniquePrefix('prune');
  await redis.hset(`${prefix}:intake:meta`, 'version', 'bullmq');
  const root = mkdtempSync(join(tmpdir(), 'aduan-prune-'));
  prefixes.push(prefix);
  dirs.push(root);
  const deps = { redis, prefix, attachmentDir: join(root, 'attachments'), spoolDirs: [join(root, 'spool', 'gateway'), join(root, 'spool', 'whatsapp')] };
  const storage = new LocalDiskStorage(deps.attachmentDir);
  const path = (storageKey: string) => join(deps.attachmentDir, storageKey);
  /** A photo stored `days` ago. */
  const photo = async (days: number) => {
    const stored = await storage.put(randomBytes(2000));
    const at = new Date(Date.now() - days * DAY_MS);
    utimesSync(path(stored.storageKey), at, at);
    return stored;
  };
  const attachment = (s: { sha256: string; storageKey: string; bytes: number }) => ({ kind: 'photo', mime: 'image/jpeg', bytes: s.bytes, sha256: s.sha256, storageKey: s.storageKey });
  return { prefix, root, deps, storage, path, photo, attachment };
}

describe('pruneAttachments', () => {
  it('deletes an old photo nothing names, and keeps the ones a retained job, a spooled complaint or an open conversation names', async () => {
    const { deps, path, photo, attachment } = await setup();
    const unused = await photo(40);
    const inJob = await photo(40);
    const inFailedJob = await photo(40);
    const spooled = await photo(40);
    const inChat = await photo(40);
    const queue = new Queue('opd.dishub', { connection: redis, prefix: deps.prefix });
    await queue.add('c', { id: 'c-1', ticket: 'ADU-AAAA-BBBB', attachments: [attachment(inJob)] }, { jobId: 'c-1' });
    const failed = new Queue('notify.whatsapp', { connection: redis, prefix: deps.prefix });
    await failed.add('n', { complaintId: 'c-2', attachments: [attachment(inFailedJob)] }, { jobId: 'n-1' });
    await Promise.all([queue.close(), failed.close()]);
    // A complaint the WhatsApp service spooled while Redis was away.
    mkdirSync(deps.spoolDirs[1]!, { recursive: true });
    writeFileSync(join(deps.spoolDirs[1]!, 'spool-1.jsonl'), `${JSON.stringify({ queue: 'intake', jobId: 'c-3', data: { id: 'c-3', attachments: [attachment(spooled)] }, spooledAt: new Date().toISOString() })}\n`);
    // A WhatsApp conversation still open: its photo was stored before any complaint names it.
    await redis.rpush(`${deps.prefix}:conv:open:whatsapp:6281111111111:abc`, JSON.stringify({ messageId: 'm1', text: '', attachments: [attachment(inChat)] }));

    const dry = await pruneAttachments(deps, { olderThanDays: 31, apply: false });
    expect(dry).toMatchObject({ files: 1, bytes: 2000, kept: 4, oldestDays: 40, newestDays: 40 });
    for (const s of [unused, inJob, inFailedJob, spooled, inChat]) expect(existsSync(path(s.storageKey))).toBe(true);

    const run = await pruneAttachments(deps, { olderThanDays: 31, apply: true });
    expect(run).toMatchObject({ files: 1, bytes: 2000, kept: 4 });
    expect(existsSync(path(unused.storageKey))).toBe(false);
    for (const s of [inJob, inFailedJob, spooled, inChat]) expect(existsSync(path(s.storageKey))).toBe(true);
    expect(await pruneAttachments(deps, { olderThanDays: 31, apply: true })).toMatchObject({ files: 0, bytes: 0, kept: 4, oldestDays: null });
  });

  it("keeps an open complaint's photo however old, its routing gone from the queues; once closed, 30 days more", async () => {
    const { deps, path, photo } = await setup();
    const old = await photo(90);
    const status = new StatusStore(redis, deps.prefix);
    const c = whatsappComplaint(deps.prefix, 'Jalan berlubang di Jl. Kalimantan, sudah tiga bulan', { attachments: [{ kind: 'image', mimeType: 'image/jpeg', bytes: old.bytes, sha256: old.sha256, storageKey: old.storageKey }] });
    // Routed three months ago: its jobs are gone, its routed copy (written with the routing step) is not.
    const routing: Routing = { opd: 'dpupr', opdName: 'Dinas PUPR', confidence: 0.9, reasons: [], alternatives: [], decidedBy: 'rules', triage: false, revision: 0, routedAt: new Date(Date.now() - 90 * DAY_MS).toISOString(), routerVersion: 't' };
    await status.transition(c.id, { state: 'routed', at: routing.routedAt, opd: 'dpupr', opdName: 'Dinas PUPR', dedupeKey: 'decision:r0', routed: { ...c, routing, supporters: 0 } });
    expect(await pruneAttachments(deps, { olderThanDays: 31, apply: true })).toMatchObject({ files: 0, kept: 1 });
    await status.transition(c.id, { state: 'in_progress', at: new Date().toISOString(), requireOpd: 'dpupr', dedupeKey: 'status.1' });
    expect(await pruneAttachments(deps, { olderThanDays: 31, apply: true })).toMatchObject({ files: 0, kept: 1 });
    expect(existsSync(path(old.storageKey))).toBe(true);

    // Resolved: kept 30 days more, then its copy expires (aged here), and the photo goes.
    await status.transition(c.id, { state: 'resolved', at: new Date().toISOString(), requireOpd: 'dpupr', dedupeKey: 'status.2' });
    expect(await redis.ttl(routedCopyKey(deps.prefix, c.id))).toBeLessThanOrEqual(30 * 86_400);
    expect(await pruneAttachments(deps, { olderThanDays: 31, apply: true })).toMatchObject({ files: 0, kept: 1 });
    await redis.pexpire(routedCopyKey(deps.prefix, c.id), 1);
    await new Promise((r) => setTimeout(r, 10));
    expect(await pruneAttachments(deps, { olderThanDays: 31, apply: true })).toMatchObject({ files: 1, kept: 0 });
    expect(existsSync(path(old.storageKey))).toBe(false);
  });

  it('deletes nothing under a QUEUE_PREFIX that holds no key (not the one whose jobs name the photos)', async () => {
    const { deps, path, photo, attachment } = await setup();
    const used = await photo(45);
    const intake = new Queue('intake', { connection: redis, prefix: deps.prefix });
    await intake.add('intake', { attachments: [attachment(used)] }, { jobId: 'c1' });
    await intake.close();
    const wrong = { ...deps, prefix: uniquePrefix('prune-wrong') };
    await expect(pruneAttachments(wrong, { olderThanDays: 31, apply: true })).rejects.toThrow(PruneNoDeploymentError);
    expect(existsSync(path(used.storageKey))).toBe(true);
    // Nothing old to delete: nothing to refuse either.
    expect(await pruneAttachments(wrong, { olderThanDays: 60, apply: true })).toMatchObject({ files: 0, kept: 0 });
  });

  it('keeps a young photo, and an old one sent again (the same bytes stored anew)', async () => {
    const { deps, storage, path, photo } = await setup();
    const young = await photo(10);
    const again = await photo(90);
    await storage.put((await storage.get(again.storageKey))!);
    const run = await pruneAttachments(deps, { olderThanDays: 31, apply: true });
    expect(run).toMatchObject({ files: 0, kept: 0 });
    expect(existsSync(path(young.storageKey)) && existsSync(path(again.storageKey))).toBe(true);
  });

  it('removes a shard directory it emptied, and puts back a file a stopped run left set aside', async () => {
    const { deps, path, photo } = await setup();
    const old = await photo(40);
    const shard = join(path(old.storageKey), '..');
    const kept = await photo(40);
    // A run stopped between setting the file aside and deciding on it.
    renameSync(path(kept.storageKey), `${path(kept.storageKey)}.pruning`);
    const queue = new Queue('routed', { connection: redis, prefix: deps.prefix });
    await queue.add('c', { id: 'c-9', attachments: [{ sha256: kept.sha256 }] }, { jobId: 'c-9' });
    await queue.close();
    const run = await pruneAttachments(deps, { olderThanDays: 31, apply: true });
    expect(run.files).toBe(1);
    expect(existsSync(path(kept.storageKey))).toBe(true);
    if (shard !== join(path(kept.storageKey), '..')) expect(existsSync(shard)).toBe(false);
    expect(readdirSync(join(deps.attachmentDir, 'sha256')).every((d) => readdirSync(join(deps.attachmentDir, 'sha256', d)).length > 0)).toBe(true);
  });

  it("deletes an upload's temporary file its process left when it died (a day old), never one being written", async () => {
    const { deps, path, photo } = await setup();
    const kept = await photo(1);
    const shard = join(path(kept.storageKey), '..');
    const leftover = join(shard, `${'a'.repeat(64)}.0123456789ab.tmp`);
    const writing = join(shard, `${'b'.repeat(64)}.0123456789ab.tmp`);
    writeFileSync(leftover, randomBytes(700));
    writeFileSync(writing, randomBytes(300));
    const dayAgo = new Date(Date.now() - 25 * 3_600_000);
    utimesSync(leftover, dayAgo, dayAgo);

    expect(await pruneAttachments(deps, { olderThanDays: 31, apply: false })).toMatchObject({ files: 0, leftovers: 1, leftoverBytes: 700 });
    expect(existsSync(leftover)).toBe(true);
    expect(await pruneAttachments(deps, { olderThanDays: 31, apply: true })).toMatchObject({ files: 0, leftovers: 1, leftoverBytes: 700 });
    expect(existsSync(leftover)).toBe(false);
    expect(existsSync(writing) && existsSync(path(kept.storageKey))).toBe(true);
  });

  it('by default keeps files a day longer than the longest job retention', () => {
    expect(DEFAULT_PRUNE_DAYS).toBe(31);
  });
});

interface Run {
  code: number | null;
  out: string;
  err: string;
}

function runPrune(env: Record<string, string>, args: string[]): Promise<Run> {
  const child = spawn(process.execPath, [SCRIPT, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, out, err })));
}

describe('attachments:prune', () => {
  it("as a locked Redis's service user: a dry run changes nothing, --yes deletes and logs counts only; bad usage exits 2", async () => {
    const { prefix, deps, path, photo } = await setup();
    const user = `prune-test-${randomBytes(4).toString('hex')}`;
    const password = randomBytes(16).toString('hex');
    await redis.call('ACL', 'SETUSER', user, ...serviceUserRules(prefix, createHash('sha256').update(password).digest('hex')));
    try {
      const u = new URL(url);
      u.username = user;
      u.password = password;
      const env = { REDIS_URL: u.toString(), QUEUE_PREFIX: prefix, SPOOL_DIR: deps.spoolDirs[0]!, ATTACHMENT_DIR: deps.attachmentDir };
      const old = await photo(45);
      const before = statSync(path(old.storageKey)).mtimeMs;

      // A SPOOL_DIR the gateway never made is not its own (a relative default taken from another directory): refused, nothing touched.
      const elsewhere = await runPrune(env, ['--yes', '--older-than', '40']);
      expect(elsewhere.code).toBe(78);
      expect(elsewhere.err).toContain('error (no_spool_dir)');
      expect(existsSync(path(old.storageKey))).toBe(true);
      mkdirSync(deps.spoolDirs[0]!, { recursive: true });

      // A Redis with no key under QUEUE_PREFIX is not the deployment's (a prefix or REDIS_URL other
      // than the services'): nothing there could name the photo. Refused, nothing touched.
      await redis.del(`${prefix}:intake:meta`);
      const notOurs = await runPrune(env, ['--yes', '--older-than', '40']);
      expect(notOurs.code).toBe(78);
      expect(notOurs.err).toContain('error (no_deployment): Redis holds no key under QUEUE_PREFIX');
      expect(statSync(path(old.storageKey)).mtimeMs).toBe(before);
      await redis.hset(`${prefix}:intake:meta`, 'version', 'bullmq');

      const dry = await runPrune(env, ['--spool-dir', deps.spoolDirs[1]!]);
      expect(dry).toMatchObject({ code: 0, err: '' });
      expect(dry.out).toContain('Dry run: nothing was changed. With --yes this would delete 1 attachment file(s) older than 31 days that nothing uses (0.0 MB; 45 to 45 days old).');
      expect(statSync(path(old.storageKey)).mtimeMs).toBe(before);

      const run = await runPrune(env, ['--yes', '--older-than', '40']);
      expect(run.code).toBe(0);
      expect(run.out).toContain('Deleted 1 attachment file(s) older than 40 days');
      expect(JSON.parse(run.err.trim())).toMatchObject({ event: 'attachments_pruned', files: 1, bytes: 2000, kept: 0, olderThanDays: 40 });
      expect(run.out + run.err).not.toContain(old.sha256);
      expect(existsSync(path(old.storageKey))).toBe(false);

      for (const args of [['--older-than', '0'], ['--older-than', 'ten'], ['extra'], ['--nope']]) expect((await runPrune(env, args)).code, args.join(' ')).toBe(2);

      // One deleting run at a time: another's lock held, --yes waits for another day (exit 75); a dry run still reads.
      const newer = await photo(45);
      await redis.set(`${prefix}:attachments-prune:lock`, 'the-daily-timer', 'PX', 10_000);
      const busy = await runPrune(env, ['--yes']);
      expect(busy.code).toBe(75);
      expect(busy.err).toContain('error (prune_running)');
      expect(existsSync(path(newer.storageKey))).toBe(true);
      expect((await runPrune(env, [])).code).toBe(0);
      await redis.del(`${prefix}:attachments-prune:lock`);
      expect((await runPrune(env, ['--yes'])).code).toBe(0);
      expect(existsSync(path(newer.storageKey))).toBe(false);
      expect(await redis.exists(`${prefix}:attachments-prune:lock`)).toBe(0);
    } finally {
      await redis.call('ACL', 'DELUSER', user);
    }
  }, 30_000);
});
