import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deletePrefix, expectDiskOf, reportedDataDisks, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { startHarness, testConfig } from './test-support/harness.ts';

/**
 * While Redis is away the service keeps complaints (SPOOL_DIR) and received chat messages
 * (INBOX_SPOOL_DIR, with the journal inside it) on disk, and photos always (ATTACHMENT_DIR): its
 * /metrics reports each one's disk, read with statfs at each scrape. The inbox is put on a tmpfs
 * (where the machine has one) so that a directory reported under another's label shows.
 */
const url = testRedisUrl();
const SHM = '/dev/shm';

describe('data disks on the WhatsApp service /metrics', () => {
  it("reports statfs of SPOOL_DIR's, INBOX_SPOOL_DIR's and ATTACHMENT_DIR's disks, a directory not made yet by its nearest existing parent", async () => {
    const prefix = uniquePrefix('wadisk');
    const base = mkdtempSync(join(tmpdir(), 'aduan-wa-disk-'));
    const inboxBase = mkdtempSync(join(existsSync(SHM) ? SHM : tmpdir(), 'aduan-wa-disk-inbox-'));
    const config = { ...testConfig(url, prefix, base), INBOX_SPOOL_DIR: join(inboxBase, 'inbox') };
    const h = await startHarness(config);
    try {
      const reported = reportedDataDisks((await h.service.app.inject({ url: '/metrics' })).body);
      expect(Object.keys(reported).sort()).toEqual(['attachments', 'inbox', 'spool']);
      await expectDiskOf(reported.inbox, config.INBOX_SPOOL_DIR);
      // Neither made yet (no complaint spooled, no photo kept): where they will be made.
      expect(existsSync(config.SPOOL_DIR) || existsSync(config.ATTACHMENT_DIR)).toBe(false);
      await expectDiskOf(reported.spool, base);
      await expectDiskOf(reported.attachments, base);
    } finally {
      await h.stop();
      await deletePrefix(url, prefix);
      for (const d of [base, inboxBase]) rmSync(d, { recursive: true, force: true });
    }
  });
});
