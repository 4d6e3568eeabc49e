import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { JUKIR } from '../../services/router/src/testing/reports.ts';
import { monthOf, shiftMonth } from '../../services/gateway/src/report/monthly-report.ts';
import { accessibilityViolations, staffOnPhone } from '../support/chromium.ts';
import { startBrowserStack, type BrowserStack } from '../support/stack.ts';

/**
 * An OPD's own monthly report (`/opd/rekap`) in a real headless Chromium on a phone: a staff
 * member goes from the inbox to their OPD's figures of the month, over complaints the real router
 * routed to it and to another OPD, and to another month by its link and its field.
 */
const url = testRedisUrl();
const prefix = uniquePrefix('opd-report-page');
const { logger } = memoryLogger('opd-report-page');
const PASSWORD = 'kata-sandi-budi-58';
let stack: BrowserStack | undefined;
let gw: BrowserStack['gw'];
let base: string;
let browser: Browser;
let month: string;

beforeAll(async () => {
  stack = await startBrowserStack({ url, prefix, logger });
  ({ gw, base, browser } = stack);
  await gw.deps.auth.users.add({ username: 'budi', password: PASSWORD, role: 'opd', opd: 'dishub' });
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

describe('OPD monthly report page', () => {
  it("takes a staff member from the inbox to their OPD's month on a phone, its own figures only, another month by link and field, and passes axe", async () => {
    // The login without `next` lands an OPD account in its inbox.
    const { context, page, problems } = await staffOnPhone(browser, base, { username: 'budi', password: PASSWORD, landsOn: '/opd' });
    try {
      await Promise.all([page.waitForURL(`${base}/opd/rekap`), page.getByRole('link', { name: 'Rekap bulanan' }).click()]);
      // This month's page, unless the complaints came in last month (a run across 00.00 WIB on the 1st).
      if (month !== monthOf(Date.now())) await page.goto(`${base}/opd/rekap?bulan=${month}`);
      expect(await page.locator('h1').textContent()).toBe('Rekap bulanan Dinas Perhubungan');
      const rows = await page.locator('#rekap-dinas tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent?.trim())));
      expect(rows).toEqual([
        ['Aduan', '2'],
        ['Menunggu', '2'],
        ['Diproses', '0'],
        ['Selesai', '0'],
        ['Tidak dapat ditindaklanjuti', '0'],
        ['Dibuka kembali oleh warga (bulan ini)', '0'],
        ['Tepat waktu', '–'],
        ['Lewat batas', '0'],
        ['Median waktu tanggapan', '–'],
      ]);
      expect(await page.locator('#jumlah-aduan').textContent()).toContain('2 ditangani Dinas Perhubungan; 0 di antaranya sudah ditanggapi.');
      // DLH's complaint is not here, nor the city's total of 3.
      expect(await page.locator('main').textContent()).not.toMatch(/Lingkungan|DLH|\b3 aduan/);
      expect(await page.getByRole('heading', { name: 'Cara penghitungan' }).count()).toBe(1);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      expect(await accessibilityViolations(page)).toEqual([]);

      const before = shiftMonth(month, -1);
      await Promise.all([page.waitForURL(`${base}/opd/rekap?bulan=${before}`), page.locator('a[rel=prev]').click()]);
      expect(await page.locator('#jumlah-aduan').textContent()).toContain('tidak ada yang ditangani Dinas Perhubungan');
      expect(await page.locator('#rekap-dinas td').first().textContent()).toBe('0');
      await page.fill('#bulan', month);
      await Promise.all([page.waitForURL(`${base}/opd/rekap?bulan=${month}`), page.getByRole('button', { name: 'Tampilkan' }).click()]);
      expect(await page.locator('#rekap-dinas td').first().textContent()).toBe('2');
      // Back to the inbox from its account bar.
      await Promise.all([page.waitForURL(`${base}/opd`), page.getByRole('link', { name: 'Kotak masuk' }).click()]);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
