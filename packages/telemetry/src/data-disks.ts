import { statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from './logger.ts';

/**
 * A service's data directories by the `dir` label they are reported under, e.g.
 * `{ spool: SPOOL_DIR, attachments: ATTACHMENT_DIR }`. Paths may be relative (to the working
 * directory, as the service itself opens them).
 */
export type DataDirs = Readonly<Record<string, string>>;

interface DiskGauges {
  free: Gauge<'dir'>;
  size: Gauge<'dir'>;
}

const gaugesOf = new WeakMap<Registry, DiskGauges>();

/** The two gauges in this registry, made at its first scrape (prom-client refuses a name twice; tests use registries of their own). */
function diskGauges(registry: Registry): DiskGauges {
  let g = gaugesOf.get(registry);
  if (!g) {
    const registers = [registry];
    g = {
      free: new Gauge({ name: 'aduan_data_disk_free_bytes', help: "Bytes the service's user may still write on the disk of each data directory (dir: spool, inbox, attachments), read at scrape time", labelNames: ['dir'], registers }),
      size: new Gauge({ name: 'aduan_data_disk_size_bytes', help: 'Size of the disk of each data directory (dir: spool, inbox, attachments), read at scrape time', labelNames: ['dir'], registers }),
    };
    gaugesOf.set(registry, g);
  }
  return g;
}

/**
 * The disk a directory is on: its own, or while it does not exist yet (it is made at the first
 * message spooled or photo kept) its nearest existing parent's, where it will be made.
 */
async function diskOf(dir: string): Promise<{ free: number; size: number }> {
  for (let at = resolve(dir); ; at = dirname(at)) {
    try {
      const fs = await statfs(at);
      // bavail, not bfree: the blocks reserved for root are not the service's to write.
      return { free: fs.bavail * fs.bsize, size: fs.blocks * fs.bsize };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(at) === at) throw err;
    }
  }
}

/**
 * Sets `aduan_data_disk_free_bytes{dir}` and `aduan_data_disk_size_bytes{dir}` for each of a
 * service's data directories, just before its /metrics is read: a full disk loses what the
 * service keeps there (complaints and chat messages spooled while Redis is away, photos), and
 * nothing else says so. Every service calls this one function, so the names and their meaning
 * are the same in each process (Prometheus tells them apart by `job` and `instance`). One
 * statfs per directory, no other I/O. A directory whose disk cannot be read (EACCES on a
 * parent) is left out, and logged at debug.
 */
export async function refreshDataDiskGauges(registry: Registry, dirs: DataDirs, logger: Pick<Logger, 'debug'>): Promise<void> {
  const g = diskGauges(registry);
  g.free.reset();
  g.size.reset();
  await Promise.all(
    Object.entries(dirs).map(async ([dir, path]) => {
      try {
        const disk = await diskOf(path);
        g.free.set({ dir }, disk.free);
        g.size.set({ dir }, disk.size);
      } catch (err) {
        logger.debug({ dir, err: (err as NodeJS.ErrnoException).code ?? (err as Error).message }, 'data disk gauges not read');
      }
    }),
  );
}
