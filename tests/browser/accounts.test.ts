import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { accessibilityViolations, staffOnPhone } from '../support/chromium.ts';
import { startBrowserStack, type BrowserStack } from '../support/stack.ts';

/**
 * The admins' staff accounts page (`/admin/akun`) in a real headless Chromium on a phone: an
 * admin goes there from triage, adds an OPD's staff account (a wrong field first), reads its
 * password on the page the form leads to (a reload shows it again, adding nothing), and resets it
 * after confirming; the OPD's staff log in with each, to the page that asks for their own. Every
 * page fits 360 px and passes axe.
 */
const url = testRedisUrl();
const prefix = uniquePrefix('accounts-page');
const { logger } = memoryLogger('accounts-page');
const PASSWORD = 'kata-sandi-kepala-58';
let stack: BrowserStack | undefined;
let base: string;
let browser: Browser;

beforeAll(async () => {
  stack = await startBrowserStack({ url, prefix, logger, router: false });
  ({ base, browser } = stack);
  await stack.gw.deps.auth.users.add({ username: 'kepala', password: PASSWORD, role: 'admin' });
}, 60_000);
afterAll(async () => {
  await stack?.close();
});

/** The page fits a phone's width and axe finds nothing. */
async function fitsAndPasses(page: Page): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  expect(await accessibilityViolations(page)).toEqual([]);
}

/** The password the page shows, as it is typed. */
const shownPassword = async (page: Page) => ((await page.locator('#kata-sandi').textContent()) ?? '').trim();

describe('staff accounts page on a phone', () => {
  it("adds an OPD's staff account, shows its password on its own page, resets it after confirming; each password logs in", async () => {
    // An admin made without a station lands on triage.
    const { context, page, problems } = await staffOnPhone(browser, base, { username: 'kepala', password: PASSWORD, landsOn: '/admin/triage' });
    try {
      await Promise.all([page.waitForURL(`${base}/admin/akun`), page.getByRole('link', { name: 'Akun petugas' }).click()]);
      expect(await page.locator('h1').textContent()).toBe('Akun petugas');
      expect(await page.locator('#akun tbody tr').count()).toBe(1);
      await fitsAndPasses(page);

      // A staff account with no OPD chosen: refused next to the field, the rest kept.
      await page.fill('#username', 'budi.dishub');
      await page.getByRole('radio', { name: 'Staf instansi' }).check();
      await page.fill('#whatsapp', '0812 3456 7890');
      await Promise.all([page.waitForURL(`${base}/admin/akun`), page.getByRole('button', { name: 'Tambah akun' }).click()]);
      expect(await page.locator('#opd-error').textContent()).toBe('Pilih instansi tempat staf ini bekerja.');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('error-summary');
      expect(await page.inputValue('#username')).toBe('budi.dishub');
      expect(await page.inputValue('#whatsapp')).toBe('0812 3456 7890');
      expect(await page.isChecked('#role-opd')).toBe(true);
      await fitsAndPasses(page);

      await page.selectOption('#opd', 'dishub');
      await Promise.all([page.waitForURL(`${base}/admin/akun/budi.dishub/sandi-baru`), page.getByRole('button', { name: 'Tambah akun' }).click()]);
      expect(await page.locator('h1').textContent()).toBe('Akun budi.dishub dibuat');
      const first = await shownPassword(page);
      expect(first).toMatch(/^[a-z2-9]{16}$/);
      expect(await page.locator('#kata-sandi-baru').textContent()).toContain('secara pribadi');
      await fitsAndPasses(page);
      // A reload (the phone's tab brought back) shows it again: no form sent twice, no "name taken".
      await page.reload();
      expect([await page.locator('h1').textContent(), await shownPassword(page)]).toEqual(['Akun budi.dishub dibuat', first]);

      // Shown once: not on the list, nor on the account's page.
      await Promise.all([page.waitForURL(`${base}/admin/akun`), page.getByRole('link', { name: 'Daftar akun' }).click()]);
      expect(await page.locator('#akun').textContent()).toContain('Dinas Perhubungan');
      expect(await page.content()).not.toContain(first);
      await Promise.all([page.waitForURL(`${base}/admin/akun/budi.dishub`), page.getByRole('link', { name: 'budi.dishub' }).click()]);
      expect(await page.content()).not.toContain(first);
      expect(await page.locator('#nomor').inputValue()).toBe('0812-3456-7890');
      await fitsAndPasses(page);

      // Their first login asks for a password of their own.
      const staff = await staffOnPhone(browser, base, { username: 'budi.dishub', password: first, landsOn: '/akun/sandi?next=%2Fdesk' });
      await staff.context.close();

      // A reset asks first; confirmed, the new password is shown once and the old one is over.
      await Promise.all([page.waitForURL(`${base}/admin/akun/budi.dishub/sandi`), page.getByRole('button', { name: 'Atur ulang kata sandi' }).click()]);
      expect(await page.locator('h1').textContent()).toBe('Atur ulang kata sandi budi.dishub?');
      await fitsAndPasses(page);
      await Promise.all([page.waitForURL(`${base}/admin/akun/budi.dishub/sandi-baru`), page.getByRole('button', { name: 'Ya, buat kata sandi baru' }).click()]);
      expect(await page.locator('h1').textContent()).toBe('Kata sandi baru untuk budi.dishub');
      const second = await shownPassword(page);
      expect(second).not.toBe(first);
      await fitsAndPasses(page);
      const again = await staffOnPhone(browser, base, { username: 'budi.dishub', password: second, landsOn: '/akun/sandi?next=%2Fdesk' });
      await again.context.close();
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
