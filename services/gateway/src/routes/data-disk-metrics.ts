import { statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Gauge } from 'prom-client';
import { metricsRegistry } from '@aduan/telemetry';
import type { GatewayDeps } from '../deps.ts';

interface DiskGauges {
  free: Gauge<'dir'>;
  size: Gauge<'dir'>;
}

let gauges: DiskGauges | undefined;
function diskGauges(): DiskGauges {
  gauges ??= {
    free: new Gauge({ name: 'aduan_data_disk_free_bytes', help: "Bytes the service's user may still write on the disk of each data directory (spool: SPOOL_DIR, attachments: ATTACHMENT_DIR), read at scrape time", labelNames: ['dir'], registers: [metricsRegistry] }),
    size: new Gauge({ name: 'aduan_data_disk_size_bytes', help: 'Size of the disk of each data directory (spool, attachments), read at scrape time', labelNames: ['dir'], registers: [metricsRegistry] }),
  };
  return gauges;
}

/** The directories whose disk fills when Redis does not take complaints (the spool) and with every photo (attachments). */
const dataDirs = (deps: GatewayDeps) => ({ spool: resolve(deps.config.SPOOL_DIR), attachments: resolve(deps.config.ATTACHMENT_DIR) });

/**
 * The disk a directory is on: its own, or while it does not exist yet (it is made at the first
 * complaint spooled or photo kept) its nearest existing parent's, where it will be made.
 */
async function diskOf(dir: string): Promise<{ free: number; size: number }> {
  for (let at = dir; ; at = dirname(at)) {
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
 * Sets the data disks' gauges just before /metrics is read: a full disk is the last thing that
 * stops intake (a complaint Redis refuses and the spool cannot keep is answered 503), and a
 * photo cannot be kept. One statfs per directory, no I/O on Redis. A directory whose disk
 * cannot be read (EACCES on a parent) is left out, and logged at debug.
 */
export async function refreshDataDiskGauges(deps: GatewayDeps): Promise<void> {
  const g = diskGauges();
  g.free.reset();
  g.size.reset();
  await Promise.all(
    Object.entries(dataDirs(deps)).map(async ([dir, path]) => {
      try {
        const disk = await diskOf(path);
        g.free.set({ dir }, disk.free);
        g.size.set({ dir }, disk.size);
      } catch (err) {
        deps.logger.debug({ dir, err: (err as NodeJS.ErrnoException).code ?? (err as Error).message }, 'data disk gauges not read');
      }
    }),
  );
}
