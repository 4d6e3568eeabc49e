import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * An acknowledged complaint's spool file and photo must keep their names through a power cut,
 * not only their bytes: that takes an fsync of the directory (POSIX). No test here can cut the
 * power, so this one watches the system calls: the real storage and spool code run in a child
 * process under strace, and every directory that gained an entry must be fsync'd.
 */
const strace = spawnSync('strace', ['-V']).status === 0;

/** The paths fsync'd in a strace log of openat and fsync, by following each fd to the path it was opened with. */
function fsyncedPaths(log: string): Set<string> {
  const open = new Map<string, string>();
  const synced = new Set<string>();
  for (const line of log.split('\n')) {
    const opened = /openat\(AT_FDCWD, "([^"]+)", [^)]*\) = (\d+)$/.exec(line);
    if (opened) open.set(opened[2]!, opened[1]!);
    const sync = /\bf(?:data)?sync\((\d+)\)\s+= 0$/.exec(line);
    if (sync && open.has(sync[1]!)) synced.add(open.get(sync[1]!)!);
  }
  return synced;
}

describe('directories are fsynced where acknowledged data gains a name', () => {
  it.skipIf(!strace || process.platform !== 'linux')('the spool directory on a new spool file; the photo directories, new ones up to their parents', (ctx) => {
    const base = mkdtempSync(join(tmpdir(), 'aduan-dirsync-'));
    try {
      const root = join(base, 'attachments');
      const spool = join(base, 'spool');
      const log = join(base, 'strace.log');
      const run = spawnSync('strace', ['-f', '-qq', '-e', 'trace=openat,fsync,fdatasync', '-o', log, process.execPath, join(import.meta.dirname, 'support/durable-writes.ts'), root, spool], { encoding: 'utf8', timeout: 60_000 });
      // A container without ptrace: nothing to watch with.
      if (run.status !== 0 && /ptrace|Operation not permitted/.test(run.stderr)) return ctx.skip();
      expect(run.status, run.stderr).toBe(0);
      const synced = fsyncedPaths(readFileSync(log, 'utf8'));
      // LocalDiskStorage keys photos as sha256/<first two hex>/<sha256>; 'photo bytes' hashes to 2a…
      const shard = join(root, 'sha256', '2a');
      const directories = [...synced].filter((p) => p.startsWith(base) && statSync(p, { throwIfNoEntry: false })?.isDirectory());
      expect(directories.sort()).toEqual([base, root, join(root, 'sha256'), shard, spool].sort());
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
