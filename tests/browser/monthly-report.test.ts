import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { JUKIR } from '../../services/router/src/testing/reports.ts';
import { monthOf, shiftMonth } from '../../services/gateway/src/report/monthly-report.ts';
import { accessibilityViolations, watchScriptProblems } from '../support/chromium.ts';
import { startBrowserStack, type BrowserStack } from '../support/stack.ts';

/** The admins' monthly report page (`/admin/rekap`) in a real headless Chromium, over complaints the real router routed. */
const url = testRedisUrl();
const prefix = uniquePrefix('report-page');
const { logger } = memoryLogger('report-page');
const PASSWORD = 'kata-sandi-admin-57';
let stack: BrowserStack | undefined;
let gw: BrowserStack['gw'];
let base: string;
let browser: Browser;
let month: string;

/** A fresh context logged in as the admin, on the report page (where the login sends them back). */
async function adminPage(opts: { width: number; bypassCSP?: boolean }): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: opts.width, height: 800 }, locale: 'id-ID', ...(opts.bypassCSP ? { bypassCSP: true } : {}) });
  const page = await context.newPage();
  const problems = watchScriptProblems(page);
  await page.goto(`${base}/admin/rekap?bulan=${month}`);
  await page.fill('#username', 'admin');
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL(`${base}/admin/rekap?bulan=${month}`), page.keyboard.press('Enter')]);
  return { context, page, problems };
}

beforeAll(async () => {
  stack = await startBrowserStack({ url, prefix, logger });
  ({ gw, base, browser } = stack);
  await gw.deps.auth.users.add({ username: 'admin', password: PASSWORD, role: 'admin' });
  const ids: string[] = [];
  for (const text of [JUKIR, `${JUKIR} lagi`, 'Sampah di TPS Jl. Anggrek sudah seminggu tidak diangkut, bau busuk sekali']) {
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text } });
    ids.push((res.json() as { id: string }).id);
  }
  for (const id of ids) await waitFor(async () => ((await gw.deps.status.get(id))?.state === 'routed' ? true : null), { what: 'routed' });
  month = monthOf(Date.parse((await gw.deps.status.get(ids[0]!))!.receivedAt));
}, 60_000);
afterAll(async () => {
  await stack?.close();
});

describe('monthly report page', () => {
  it("shows the month's complaints per OPD with their totals, reached from the triage page, and passes axe", async () => {
    const { context, page, problems } = await adminPage({ width: 1280, bypassCSP: true });
    try {
      expect(await page.locator('#jumlah-aduan').textContent()).toContain('3 aduan diterima (formulir web 3).');
      const rows = await page.locator('#rekap-opd tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent?.trim())));
      expect(rows).toEqual([
        ['Dishub', '2', '2', '0', '0', '0', '–', '0', '–', '0'],
        ['DLH', '1', '1', '0', '0', '0', '–', '0', '–', '0'],
      ]);
      expect(await page.locator('#rekap-opd abbr').first().getAttribute('title')).toBe('Dinas Perhubungan');
      expect(await page.locator('#rekap-opd tfoot td').first().textContent()).toBe('3');
      expect(await accessibilityViolations(page)).toEqual([]);
      // The triage page links here.
      await page.goto(`${base}/admin/triage`);
      await Promise.all([page.waitForURL(`${base}/admin/rekap`), page.getByRole('link', { name: 'Rekap bulanan' }).click()]);
      expect(await page.locator('h2#ringkasan').textContent()).toMatch(/^(Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember) \d{4}$/);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('goes to another month by its link and by the month field, and fits a phone, the table scrolling in its box', async () => {
    const { context, page, problems } = await adminPage({ width: 360 });
    try {
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      const before = shiftMonth(month, -1);
      await Promise.all([page.waitForURL(`${base}/admin/rekap?bulan=${before}`), page.locator('a[rel=prev]').click()]);
      expect(await page.locator('#jumlah-aduan').textContent()).toContain('0 aduan diterima.');
      expect(await page.locator('#rekap-opd').count()).toBe(0);
      await page.fill('#bulan', month);
      await Promise.all([page.waitForURL(`${base}/admin/rekap?bulan=${month}`), page.getByRole('button', { name: 'Tampilkan' }).click()]);
      expect(await page.locator('#rekap-opd tbody tr').count()).toBe(2);
      // The CSV link downloads the same month's file.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Unduh CSV (untuk Excel)' }).click()]);
      expect(download.suggestedFilename()).toBe(`rekap-aduan-${month}.csv`);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
