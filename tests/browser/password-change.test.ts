import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { accessibilityViolations, staffOnPhone } from '../support/chromium.ts';
import { startBrowserStack, type BrowserStack } from '../support/stack.ts';

/**
 * A staff member changes their own password in a real headless Chromium on a phone: an OPD's
 * staff member whose password an admin made is held on the change page at their first login, gets
 * their mistakes back next to the fields (the summary focused, its links leading to them), chooses
 * their own, is told so and goes on to their inbox, while their other browser's session has
 * ended; later they change it again from the staff bar. Every page fits 360 px and passes axe.
 */
const url = testRedisUrl();
const prefix = uniquePrefix('password-page');
const { logger } = memoryLogger('password-page');
const MADE = 'k7vmq3xape4t9hbn';
const OWN = 'sepeda biru di alun-alun';
const LATER = 'payung hijau pasar legi';
let stack: BrowserStack | undefined;
let base: string;
let browser: Browser;

beforeAll(async () => {
  stack = await startBrowserStack({ url, prefix, logger, router: false });
  ({ base, browser } = stack);
  // As the admins' page makes an account: a password of the server's, to be replaced.
  await stack.gw.deps.auth.users.add({ username: 'budi', password: MADE, role: 'opd', opd: 'dishub', passwordChangeDue: true });
}, 60_000);
afterAll(async () => {
  await stack?.close();
});

/** The page fits a phone's width and axe finds nothing. */
async function fitsAndPasses(page: Page): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  expect(await accessibilityViolations(page)).toEqual([]);
}

const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id);

describe('changing one\'s own password on a phone', () => {
  it('holds a new account on the change page at its first login until it chose its own, then from the bar at will', async () => {
    // Another browser logged in first: its session ends with the change.
    const other = await staffOnPhone(browser, base, { username: 'budi', password: MADE, landsOn: '/akun/sandi?next=%2Fdesk' });
    const { context, page, problems } = await staffOnPhone(browser, base, { username: 'budi', password: MADE, landsOn: '/akun/sandi?next=%2Fdesk' });
    try {
      expect(await page.locator('h1').textContent()).toBe('Ganti kata sandi');
      expect(await page.locator('#wajib-ganti').textContent()).toContain('Buat kata sandi Anda sendiri dulu.');
      expect(await focusedId(page)).toBe('current');
      // Nowhere else to go: the inbox sends it back here.
      expect(await page.locator('form[action="/logout"] a').count()).toBe(0);
      await fitsAndPasses(page);
      await page.goto(`${base}/opd`);
      expect(page.url()).toBe(`${base}/akun/sandi?next=%2Fopd`);

      // Mistakes: the current one wrong, the copies unlike. Said at the top (focused) and next to each field.
      await page.fill('#current', 'bukan-kata-sandinya');
      await page.fill('#password', OWN);
      await page.fill('#again', `${OWN}!`);
      await Promise.all([page.waitForURL(`${base}/akun/sandi`), page.getByRole('button', { name: 'Simpan kata sandi baru' }).click()]);
      expect(await focusedId(page)).toBe('error-summary');
      expect(await page.locator('#error-summary li').allTextContents()).toEqual(['Kedua kata sandi baru tidak sama. Ketik ulang kata sandi baru.']);
      expect(await page.locator('#again-error').textContent()).toBe('Kedua kata sandi baru tidak sama. Ketik ulang kata sandi baru.');
      expect(await page.inputValue('#current')).toBe('');
      await fitsAndPasses(page);
      await page.locator('#error-summary a').click();
      expect(await focusedId(page)).toBe('again');

      await page.fill('#current', 'bukan-kata-sandinya');
      await page.fill('#password', OWN);
      await page.fill('#again', OWN);
      await Promise.all([page.waitForURL(`${base}/akun/sandi`), page.keyboard.press('Enter')]);
      expect(await page.locator('#current-error').textContent()).toBe('Kata sandi sekarang salah. Periksa lalu coba lagi.');
      expect(await page.locator('#wajib-ganti').count()).toBe(1);

      await page.fill('#current', MADE);
      await page.fill('#password', OWN);
      await page.fill('#again', OWN);
      await Promise.all([page.waitForURL(`${base}/akun/sandi?selesai=1&next=%2Fopd`), page.getByRole('button', { name: 'Simpan kata sandi baru' }).click()]);
      expect(await page.locator('h1').textContent()).toBe('Kata sandi Anda sudah diganti');
      await fitsAndPasses(page);
      // A reload sends no form again.
      await page.reload();
      expect(await page.locator('#sandi-diganti').count()).toBe(1);
      await Promise.all([page.waitForURL(`${base}/opd`), page.getByRole('link', { name: 'Lanjutkan' }).click()]);
      expect(await page.locator('h1').textContent()).toContain('Kotak masuk Dinas Perhubungan');

      await other.page.goto(`${base}/opd`);
      expect(other.page.url()).toBe(`${base}/login?next=%2Fopd&expired=1`);

      // Later, at will, from the staff bar: no notice, and back to the inbox after.
      await Promise.all([page.waitForURL(`${base}/akun/sandi?next=%2Fopd`), page.getByRole('link', { name: 'Ganti kata sandi' }).click()]);
      expect(await page.locator('#wajib-ganti').count()).toBe(0);
      expect(await page.locator('form[action="/logout"] a').allTextContents()).toEqual(['Kotak masuk', 'Rekap bulanan']);
      await fitsAndPasses(page);
      await page.fill('#current', OWN);
      await page.fill('#password', LATER);
      await page.fill('#again', LATER);
      await Promise.all([page.waitForURL(`${base}/akun/sandi?selesai=1&next=%2Fopd`), page.keyboard.press('Enter')]);
      await Promise.all([page.waitForURL(`${base}/opd`), page.getByRole('link', { name: 'Lanjutkan' }).click()]);

      // The newest password logs in straight to the inbox.
      const again = await staffOnPhone(browser, base, { username: 'budi', password: LATER, landsOn: '/opd' });
      await again.context.close();
      expect(problems).toEqual([]);
    } finally {
      await context.close();
      await other.context.close();
    }
  }, 60_000);
});
