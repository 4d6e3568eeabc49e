import { open } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Makes a directory's entries durable: a file created, renamed or removed in it survives a power
 * cut once this resolves. fsync of a file covers its bytes, not its name; POSIX leaves the name
 * to an fsync of the directory itself (ext4 usually commits both together, other filesystems and
 * mount options do not). Windows cannot open a directory this way: a no-op there.
 */
export async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch (err) {
    // A filesystem that cannot fsync a directory (some network, FUSE and 9p mounts answer
    // EINVAL): there is nothing more to make durable than the files' own fsync did. Refusing
    // every spool file and photo there would turn a weaker guarantee into an outage.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
  } finally {
    await fh.close();
  }
}

/**
 * After `mkdir(leaf, { recursive: true })` returned `created` (the first directory it made, or
 * undefined when none was new): makes each new directory's name durable in its parent.
 */
export async function syncCreatedDirectories(leaf: string, created: string | undefined): Promise<void> {
  if (!created) return;
  for (let dir = leaf; ; dir = dirname(dir)) {
    const parent = dirname(dir);
    await syncDirectory(parent);
    if (dir === created || parent === dir) return;
  }
}
