import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG_1x1, multipartBody } from '@aduan/gateway/testing';
import { memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { JUKIR } from '../../services/router/src/testing/reports.ts';
import { accessibilityViolations, staffOnPhone } from '../support/chromium.ts';
import { startBrowserStack, type BrowserStack } from '../support/stack.ts';

/**
 * The OPD inbox (`/opd`) in a real headless Chromium on a phone: an OPD's staff member logs in,
 * opens a complaint the real router routed to their OPD, sees its photo, answers it, and the
 * citizen's status page shows the answer.
 */
const url = testRedisUrl();
const prefix = uniquePrefix('opd-inbox-page');
const { logger } = memoryLogger('opd-inbox-page');
const PASSWORD = 'kata-sandi-budi-57';
let stack: BrowserStack | undefined;
let gw: BrowserStack['gw'];
let base: string;
let browser: Browser;
let filed: { id: string; ticket: string; statusToken: string };

beforeAll(async () => {
  stack = await startBrowserStack({ url, prefix, logger });
  ({ gw, base, browser } = stack);
  await gw.deps.auth.users.add({ username: 'budi', password: PASSWORD, role: 'opd', opd: 'dishub' });
  const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', ...multipartBody({ text: JUKIR, 'location.kelurahan': 'Kepanjenlor', 'reporter.name': 'Pak Darto' }, [{ name: 'photos', filename: 'jukir.png', type: 'image/png', data: PNG_1x1 }]) });
  filed = res.json() as typeof filed;
  await waitFor(async () => ((await gw.deps.status.get(filed.id))?.state === 'routed' ? true : null), { what: 'routed' });
}, 60_000);
afterAll(async () => {
  await stack?.close();
});

describe('OPD inbox page', () => {
  it('takes a staff member from the login to the complaint and its answer on a phone, and passes axe', async () => {
    // The login without `next` lands an OPD account in its inbox.
    const { context, page, problems } = await staffOnPhone(browser, base, { username: 'budi', password: PASSWORD, landsOn: '/opd' });
    try {
      expect(await page.locator('h1').textContent()).toBe('Kotak masuk Dinas Perhubungan');
      expect(await page.locator('#menunggu').textContent()).toBe('Menunggu tanggapan (1)');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      expect(await accessibilityViolations(page)).toEqual([]);

      await Promise.all([page.waitForURL(`${base}/opd/aduan/${filed.id}`), page.getByRole('link', { name: filed.ticket }).click()]);
      expect(await page.getByText('Pak Darto').count()).toBe(1);
      // The photo is shown, loaded from the inbox's own address.
      const photo = page.getByRole('img', { name: `Foto lampiran 1 dari ${filed.ticket}` });
      await waitFor(async () => ((await photo.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0))) > 0 ? true : null), { what: 'the photo loaded' });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      expect(await accessibilityViolations(page)).toEqual([]);

      // Sent without a reason: the reason is asked for, next to the field.
      await page.getByLabel('Tidak dapat ditindaklanjuti').check();
      await page.getByRole('button', { name: 'Kirim tanggapan' }).click();
      await page.waitForSelector('#pesan-error');
      expect(await page.locator('#pesan-error').textContent()).toContain('Tulis alasannya untuk pelapor');
      // Said at the top of the form, which has the focus, with a link to the field.
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('error-summary');
      await page.locator('#error-summary a').click();
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('pesan');
      expect(await page.getByLabel('Tidak dapat ditindaklanjuti').isChecked()).toBe(true);
      expect(await accessibilityViolations(page)).toEqual([]);

      await page.getByLabel('Selesai').check();
      await page.getByLabel('Pesan', { exact: true }).fill('Jukir liar sudah ditertibkan petugas kemarin sore.');
      await Promise.all([page.waitForURL(`${base}/opd/aduan/${filed.id}?terkirim=resolved`), page.getByRole('button', { name: 'Kirim tanggapan' }).click()]);
      expect(await page.locator('#pemberitahuan').textContent()).toContain('Tanggapan terkirim');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
    // The citizen's status page shows it.
    await waitFor(async () => ((await gw.deps.status.get(filed.id))?.state === 'resolved' ? true : null), { what: 'resolved' });
    const citizen = await browser.newPage();
    try {
      await citizen.goto(`${base}/status?ticket=${filed.ticket}&token=${filed.statusToken}`);
      expect(await citizen.locator('body').textContent()).toContain('Jukir liar sudah ditertibkan petugas kemarin sore.');
    } finally {
      await citizen.close();
    }
  });
});
