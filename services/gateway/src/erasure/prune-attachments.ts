import { lstat, readdir, rename, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { keyPages, LONGEST_JOB_RETENTION_SECONDS, releaseLockWithin, renewLock } from '@aduan/queue';
import { syncDirectory } from '@aduan/storage/durable-fs';
import { attachmentMentions } from './attachment-mentions.ts';

const DAY_MS = 86_400_000;

/**
 * How old (by modification time) an attachment file must be before attachments:prune deletes it,
 * unused: a day more than the longest any queue keeps a job, so no retained job can name it
 * unless it was sent again (which makes it new again, LocalDiskStorage.put). An open complaint's
 * photos are named by its routed copy however old they are, and for 30 days after it closed.
 */
export const DEFAULT_PRUNE_DAYS = Math.ceil(LONGEST_JOB_RETENTION_SECONDS / 86_400) + 1;

/** A file that LocalDiskStorage names `sha256/<aa>/<sha256>`. */
const SHARD = /^[0-9a-f]{2}$/;
const CONTENT = /^[0-9a-f]{64}$/;
/** LocalDiskStorage's temporary file (`<sha256>.<12 hex>.tmp`), renamed or deleted by `put` unless its process died writing it. */
const TEMPORARY = /^[0-9a-f]{64}\.[0-9a-f]{12}\.tmp$/;
/**
 * How old a temporary file must be to be a crashed upload's leftover: a `put` writes one photo
 * (at most MAX_PHOTO_BYTES) in seconds, so a day-old one is no upload in progress.
 */
const LEFTOVER_MS = 86_400_000;
/** What a file being deleted is renamed to first (see `removeIfStillOld`). */
const ASIDE = '.pruning';
const SET_ASIDE = /^[0-9a-f]{64}\.pruning$/;
/** A SHA-256 wherever it stands in job data, a spool line or a chat message. */
const SHA256 = /[0-9a-f]{64}/g;

export interface PruneDeps {
  redis: Redis;
  prefix: string;
  /** ATTACHMENT_DIR, shared by the gateway and the chat services. */
  attachmentDir: string;
  /** The SPOOL_DIRs (and INBOX_SPOOL_DIRs) of every service on this machine: complaints not in Redis yet. */
  spoolDirs: string[];
}

export interface PruneReport {
  /** Old files nothing uses: deleted (or, in a dry run, to be deleted). */
  files: number;
  bytes: number;
  /** Old files kept: a retained job, a complaint's routed copy, a spooled complaint or an open conversation still names them, or they were sent again meanwhile. */
  kept: number;
  /** Age in days of the oldest and newest of `files`; null when there are none. */
  oldestDays: number | null;
  newestDays: number | null;
  /** Shard directories (`sha256/<aa>`) removed because deleting left them empty. */
  directories: number;
  /** Temporary files of uploads whose process died while writing them (a day old or more): deleted (or, in a dry run, to be). */
  leftovers: number;
  leftoverBytes: number;
}

interface OldFile {
  sha256: string;
  path: string;
  bytes: number;
  mtimeMs: number;
}

/**
 * Deletes the attachment files older than `olderThanDays` that nothing Aduan holds names any more
 * (UU No. 27/2022: personal data kept no longer than its purpose; docs/operations.md, "Photo
 * retention"), or, with `apply` false, counts them and changes nothing. Safe beside running
 * services: the old files are listed first and what names them is read after, so a complaint
 * filed meanwhile is seen; a file stored again meanwhile (LocalDiskStorage.put touches it) is new
 * again, and each file's age is checked once more after it is set aside, just before it goes.
 */
export async function pruneAttachments(deps: PruneDeps, opts: { olderThanDays: number; apply: boolean; now?: Date }): Promise<PruneReport> {
  const now = (opts.now ?? new Date()).getTime();
  const cutoff = now - opts.olderThanDays * DAY_MS;
  if (opts.apply) await restoreSetAside(deps.attachmentDir);
  const old = await filesBefore(deps.attachmentDir, CONTENT, cutoff);
  // Old photos and no key at all under the prefix: this Redis and prefix are not the ones that
  // filed them (a QUEUE_PREFIX or REDIS_URL other than the services'), and nothing would be seen
  // to name them. A deployment's Redis always holds its queues' keys.
  if (old.length > 0 && !(await prefixHasKeys(deps.redis, deps.prefix))) throw new PruneNoDeploymentError(deps.prefix);
  const named = new Set<string>();
  if (old.length > 0) for await (const m of attachmentMentions(deps.redis, deps.prefix, deps.spoolDirs)) for (const [sha] of m.text.matchAll(SHA256)) named.add(sha);
  const unused = old.filter((f) => !named.has(f.sha256));
  const report: PruneReport = { files: 0, bytes: 0, kept: old.length - unused.length, oldestDays: null, newestDays: null, directories: 0, leftovers: 0, leftoverBytes: 0 };
  const emptied = new Set<string>();
  for (const f of unused) {
    if (opts.apply && !(await removeIfStillOld(f.path, cutoff))) {
      report.kept++;
      continue;
    }
    report.files++;
    report.bytes += f.bytes;
    const days = Math.floor((now - f.mtimeMs) / DAY_MS);
    report.oldestDays = Math.max(report.oldestDays ?? days, days);
    report.newestDays = Math.min(report.newestDays ?? days, days);
    emptied.add(join(f.path, '..'));
  }
  // Temporary files of crashed uploads: never named by anything.
  for (const f of await filesBefore(deps.attachmentDir, TEMPORARY, now - LEFTOVER_MS)) {
    if (opts.apply && !(await unlink(f.path).then(() => true, ignoreGone))) continue;
    report.leftovers++;
    report.leftoverBytes += f.bytes;
    emptied.add(join(f.path, '..'));
  }
  if (opts.apply) for (const dir of emptied) if (await removeIfEmpty(dir)) report.directories++;
  return report;
}

/** Any key under the prefix but this command's own lock (taken before it looks). */
async function prefixHasKeys(redis: Redis, prefix: string): Promise<boolean> {
  for await (const page of keyPages(redis, prefix, '*')) if (page.some((k) => k !== pruneLockKey(prefix))) return true;
  return false;
}

const pruneLockKey = (prefix: string) => `${prefix}:attachments-prune:lock`;

/** Redis holds no key under QUEUE_PREFIX: not the deployment whose photos these are. */
export class PruneNoDeploymentError extends Error {
  readonly code = 'no_deployment';
  constructor(prefix: string) {
    super(`Redis holds no key under QUEUE_PREFIX "${prefix}", so nothing there can name the photos: set QUEUE_PREFIX and REDIS_URL as the services have them`);
  }
}

/** Another run (the daily timer, an operator's) is deleting now. */
export class PruneRunningError extends Error {
  readonly code = 'prune_running';
  constructor() {
    super('another attachments:prune --yes is running (its Redis lock is held); run it again once that one has finished');
    this.name = 'PruneRunningError';
  }
}

const PRUNE_LOCK_TTL_MS = 60_000;

/**
 * Runs `run` as the only run that deletes: two at once would set the same files aside and put
 * back each other's. The lock lives in Redis (every host's services share it), is renewed while
 * `run` goes on, and expires a minute after a run that died. Throws PruneRunningError when held.
 */
export async function withPruneLock<T>(redis: Redis, prefix: string, run: () => Promise<T>): Promise<T> {
  const key = pruneLockKey(prefix);
  const token = randomBytes(12).toString('hex');
  if ((await redis.set(key, token, 'PX', PRUNE_LOCK_TTL_MS, 'NX')) !== 'OK') throw new PruneRunningError();
  const renew = setInterval(() => void renewLock(redis, key, token, PRUNE_LOCK_TTL_MS).catch(() => {}), PRUNE_LOCK_TTL_MS / 3);
  renew.unref();
  try {
    return await run();
  } finally {
    clearInterval(renew);
    await releaseLockWithin(redis, key, token);
  }
}

/** The store's files named as `name` says, last modified before `cutoff` (ms). None when the store has none yet. */
async function filesBefore(root: string, name: RegExp, cutoff: number): Promise<OldFile[]> {
  const files: OldFile[] = [];
  for await (const { file, path } of storeFiles(root, name)) {
    const st = await lstat(path).catch(ignoreGone);
    if (st?.isFile() && st.mtimeMs < cutoff) files.push({ sha256: file.slice(0, 64), path, bytes: st.size, mtimeMs: st.mtimeMs });
  }
  return files;
}

/** The store's files (`sha256/<aa>/<name>`) whose names `name` matches. */
async function* storeFiles(root: string, name: RegExp): AsyncGenerator<{ file: string; path: string }> {
  for (const shard of (await entries(join(root, 'sha256'))).filter((n) => SHARD.test(n))) {
    for (const file of (await entries(join(root, 'sha256', shard))).filter((n) => name.test(n))) yield { file, path: join(root, 'sha256', shard, file) };
  }
}

/**
 * Deletes the file unless it became new again since it was listed. It is renamed aside first, so
 * a `put` of the same bytes from then on writes the file anew, and its age is read on the file
 * set aside: one a `put` touched before the rename is put back. True when it was deleted.
 */
async function removeIfStillOld(path: string, cutoff: number): Promise<boolean> {
  const aside = `${path}${ASIDE}`;
  try {
    await rename(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  if ((await lstat(aside)).mtimeMs >= cutoff) {
    await rename(aside, path);
    return false;
  }
  await unlink(aside);
  await syncDirectory(join(path, '..'));
  return true;
}

/**
 * Files a run that stopped half-way left set aside, renamed back (or dropped, when a `put` wrote
 * the file again meanwhile): the run that follows decides on them as on any other.
 */
async function restoreSetAside(root: string): Promise<void> {
  for await (const { path: aside } of storeFiles(root, SET_ASIDE)) {
    const path = aside.slice(0, -ASIDE.length);
    if (await lstat(path).catch(ignoreGone)) await unlink(aside);
    else await rename(aside, path);
  }
}

/** Removes a shard directory left empty; one a `put` is writing into again is not empty, and stays. */
async function removeIfEmpty(dir: string): Promise<boolean> {
  try {
    await rmdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOENT') return false;
    throw err;
  }
  await syncDirectory(join(dir, '..'));
  return true;
}

/** A directory's names; none when it does not exist. */
async function entries(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(ignoreGone)) ?? [];
}

function ignoreGone(err: NodeJS.ErrnoException): undefined {
  if (err.code === 'ENOENT') return undefined;
  throw err;
}
