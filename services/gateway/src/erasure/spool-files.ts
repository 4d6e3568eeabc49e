import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { SpoolRecord } from '@aduan/queue';
import { syncDirectory } from '@aduan/storage/durable-fs';

/** A spool's lock counts as held while refreshed this recently (the Spool refreshes it every 5 s). */
const LOCK_LIVE_MS = 30_000;

/** One file of the gateway's spool directory, its lines as they are. */
export interface SpoolFile {
  name: string;
  lines: string[];
}

/** A line of a spool file that is a record (torn or foreign lines are kept as they are). */
export function recordOf(line: string): SpoolRecord | undefined {
  try {
    const v = JSON.parse(line) as SpoolRecord | null;
    return typeof v === 'object' && v !== null && typeof v.queue === 'string' && typeof v.jobId === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The spool directory's record files (waiting `*.jsonl`, being drained `*.jsonl.draining`) and
 * its `quarantine.bad`, read whole: a spool holds complaints only while Redis is away, so it is
 * small when an operator erases one. None when the directory does not exist.
 */
export async function readSpoolFiles(dir: string): Promise<SpoolFile[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.jsonl') || n.endsWith('.jsonl.draining') || n === 'quarantine.bad').sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const files: SpoolFile[] = [];
  for (const name of names) {
    const text = await readFile(join(dir, name), 'utf8').catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : Promise.reject(err)));
    if (text !== undefined) files.push({ name, lines: text.split('\n') });
  }
  return files;
}

/**
 * Whether a running process holds the spool (its lock refreshed within 30 s): it appends to its
 * `*.jsonl` file, so that file is not rewritten under it. It drains the file into Redis as soon
 * as Redis answers; erasing again then finds the records there.
 */
export async function spoolInUse(dir: string): Promise<boolean> {
  const st = await stat(join(dir, 'spool.lock')).catch(() => undefined);
  return st !== undefined && Date.now() - st.mtimeMs < LOCK_LIVE_MS;
}

/**
 * Replaces a spool file by `lines`, whole or not at all: written beside it (mode 0600: spooled
 * complaints are personal data), fsync'd, renamed over it, and the directory fsync'd.
 */
export async function rewriteSpoolFile(dir: string, name: string, lines: string[]): Promise<void> {
  const target = join(dir, name);
  const tmp = join(dir, `.${name}.${randomBytes(6).toString('hex')}.erasing`);
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(lines.join('\n'));
    await fh.sync();
  } catch (err) {
    await fh.close();
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  await rename(tmp, target);
  await syncDirectory(dir);
}
