import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { createTestGateway } from '../testing/harness.ts';

/**
 * With Redis refusing complaints, the spool's disk is the last place they can go; photos fill
 * the attachments' disk all the time. /metrics reports each data directory's disk, read with
 * statfs at each scrape, here on two different filesystems (a tmpfs for the spool where the
 * machine has one), and on the nearest parent for a directory not made yet.
 */
const url = testRedisUrl();
const SHM = '/dev/shm';

/** Each data disk's free and size gauges on /metrics. */
const disks = (text: string) => {
  const out: Record<string, { free: number; size: number }> = {};
  for (const [, what, dir, value] of text.matchAll(/^aduan_data_disk_(free|size)_bytes\{dir="(\w+)"\} (\S+)$/gm)) {
    out[dir!] ??= { free: Number.NaN, size: Number.NaN };
    out[dir!]![what as 'free' | 'size'] = Number(value);
  }
  return out;
};
const diskOf = async (path: string) => {
  const fs = await statfs(path);
  return { free: fs.bavail * fs.bsize, size: fs.blocks * fs.bsize };
};

describe('data disks on /metrics', () => {
  it("reports statfs of SPOOL_DIR's and ATTACHMENT_DIR's disks, a directory not made yet by its nearest existing parent", async () => {
    const prefix = uniquePrefix('disk');
    const base = mkdtempSync(join(tmpdir(), 'aduan-disk-'));
    const spoolBase = mkdtempSync(join(existsSync(SHM) ? SHM : tmpdir(), 'aduan-disk-spool-'));
    const env = { SPOOL_DIR: join(spoolBase, 'spool'), ATTACHMENT_DIR: join(base, 'not', 'made', 'yet') };
    const gw = await createTestGateway({ redisUrl: url, prefix, logger: memoryLogger().logger, env });
    try {
      const reported = disks((await gw.app.inject({ url: '/metrics' })).body);
      const spool = await diskOf(env.SPOOL_DIR);
      const attachments = await diskOf(base);
      expect(Object.keys(reported).sort()).toEqual(['attachments', 'spool']);
      expect(reported.spool!.size).toBe(spool.size);
      expect(reported.attachments!.size).toBe(attachments.size);
      // Free space moves with whatever else writes on the machine: within 64 MB of statfs's now.
      expect(Math.abs(reported.spool!.free - spool.free)).toBeLessThan(64 * 1024 * 1024);
      expect(Math.abs(reported.attachments!.free - attachments.free)).toBeLessThan(64 * 1024 * 1024);
      expect(reported.attachments!.free).toBeLessThanOrEqual(reported.attachments!.size);
      expect(reported.spool!.free).toBeGreaterThan(0);
    } finally {
      await gw.close();
      await deletePrefix(url, prefix);
      for (const d of [gw.dir, base, spoolBase]) rmSync(d, { recursive: true, force: true });
    }
  });
});
