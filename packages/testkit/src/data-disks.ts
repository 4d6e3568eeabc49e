import { statfs } from 'node:fs/promises';
import { expect } from 'vitest';

export interface ReportedDisk {
  free: number;
  size: number;
}

/** Each data directory's disk as a service's /metrics reports it: `aduan_data_disk_{free,size}_bytes{dir}`, by dir. */
export function reportedDataDisks(metricsText: string): Record<string, ReportedDisk> {
  const out: Record<string, ReportedDisk> = {};
  for (const [, what, dir, value] of metricsText.matchAll(/^aduan_data_disk_(free|size)_bytes\{dir="(\w+)"\} (\S+)$/gm)) {
    out[dir!] ??= { free: Number.NaN, size: Number.NaN };
    out[dir!]![what as keyof ReportedDisk] = Number(value);
  }
  return out;
}

/**
 * A reported disk is statfs's of `path` now: the same size, and free space within 64 MB (it
 * moves with whatever else writes on the machine between the scrape and this check).
 */
export async function expectDiskOf(reported: ReportedDisk | undefined, path: string): Promise<void> {
  const fs = await statfs(path);
  expect(reported?.size).toBe(fs.blocks * fs.bsize);
  expect(Math.abs(reported!.free - fs.bavail * fs.bsize)).toBeLessThan(64 * 1024 * 1024);
  expect(reported!.free).toBeLessThanOrEqual(reported!.size);
}
