/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG_1x1 } from '@aduan/gateway/testing';
import { memoryLogger, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { watchScriptProblems } from '../support/chromium.ts';
import { startBrowserStack, type BrowserStack } from '../support/stack.ts';

/**
 * The citizen form over the rate limit (one a minute here), in a real Chromium with and without
 * JavaScript: a citizen behind a carrier's NAT shares an address with many others, and what they
 * typed must still be there on the 429.
 */
const url = testRedisUrl();
const prefix = uniquePrefix('browser-rl');
const { logger } = memoryLogger('browser-rl');
let browser: Browser;
let base: string;
let stack: BrowserStack | undefined;

beforeAll(async () => {
  stack = await startBrowserStack({ url, prefix, logger, router: false, env: { RATE_LIMIT_PER_MINUTE: '1' } });
  ({ base, browser } = stack);
  // Someone else on the same address sent a complaint a moment ago: the limit is reached.
  const other = await fetch(`${base}/`, { method: 'POST', body: new URLSearchParams({ text: 'Saluran air mampet di gang tiga, banjir kalau hujan' }), redirect: 'manual' });
  expect(other.status).toBe(303);
}, 60_000);
afterAll(() => stack?.close());

const phone = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'id-ID' };
const TEXT = 'Jalan berlubang besar di Jl. Kenari depan SDN 2, sudah dua motor jatuh minggu ini';

async function fillAndSend(page: Page): Promise<{ status: number; retryAfter: string | undefined }> {
  await page.goto(`${base}/`);
  await page.getByLabel('Isi aduan').fill(TEXT);
  await page.getByLabel('Kategori').selectOption('jalan-rusak');
  await page.getByLabel('Alamat atau patokan').fill('depan SDN 2');
  await page.getByLabel('Kecamatan').selectOption('Kepanjenkidul');
  await page.getByLabel('Kelurahan').selectOption('Kepanjenlor');
  await page.getByLabel(/^Foto/).setInputFiles({ name: 'lubang.png', mimeType: 'image/png', buffer: PNG_1x1 });
  await page.getByLabel('Nama', { exact: true }).fill('Budi Santoso');
  await page.getByLabel('Nomor HP/WhatsApp').fill('081234567890');
  await page.getByLabel('Email', { exact: true }).fill('budi@contoh.id');
  await page.getByLabel('Anonim').check();
  await page.getByLabel('Rahasia').check();
  const answer = page.waitForResponse((r) => r.url() === `${base}/` && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Kirim aduan' }).click();
  const res = await answer;
  await page.locator('#complaint-form, main').first().waitFor();
  return { status: res.status(), retryAfter: res.headers()['retry-after'] };
}

async function expectKept(page: Page, what: string) {
  expect(await page.locator('#complaint-form').count(), `${what}: the form is on the page`).toBe(1);
  expect(await page.getByLabel('Isi aduan').inputValue(), what).toBe(TEXT);
  expect(await page.getByLabel('Kategori').inputValue(), what).toBe('jalan-rusak');
  expect(await page.getByLabel('Alamat atau patokan').inputValue(), what).toBe('depan SDN 2');
  expect(await page.getByLabel('Kecamatan').inputValue(), what).toBe('Kepanjenkidul');
  expect(await page.getByLabel('Kelurahan').inputValue(), what).toBe('Kepanjenlor');
  expect(await page.getByLabel('Nama', { exact: true }).inputValue(), what).toBe('Budi Santoso');
  expect(await page.getByLabel('Nomor HP/WhatsApp').inputValue(), what).toBe('081234567890');
  expect(await page.getByLabel('Email', { exact: true }).inputValue(), what).toBe('budi@contoh.id');
  expect(await page.getByLabel('Anonim').isChecked(), what).toBe(true);
  expect(await page.getByLabel('Rahasia').isChecked(), what).toBe(true);
  // A browser cannot keep a chosen file across pages: the notice says to choose it again.
  expect(await page.locator('#photos').evaluate((el) => (el as HTMLInputElement).files?.length), what).toBe(0);
  const notice = await page.locator('#form-notice').textContent();
  expect(notice, what).toContain('aduan Anda belum terkirim');
  expect(notice, what).toContain('terlalu banyak aduan dikirim dari jaringan Anda');
  expect(notice, what).toContain('silakan kirim lagi dalam 1 menit');
  expect(notice, what).toContain('Foto perlu dipilih lagi');
}

describe('web form over the rate limit in Chromium (phone)', () => {
  it('without JavaScript, the 429 is the form again with everything typed and when to send it again', async () => {
    const context = await browser.newContext({ ...phone, javaScriptEnabled: false });
    const page = await context.newPage();
    const { status, retryAfter } = await fillAndSend(page);
    expect(status).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    await expectKept(page, 'no JavaScript');
    await page.screenshot({ path: 'test-results/webform-rate-limited.png', fullPage: true }).catch(() => {});
    await context.close();
  });

  it('with JavaScript, the same: nothing lost, and the form is not said to have maybe arrived', async () => {
    const context = await browser.newContext(phone);
    const page = await context.newPage();
    const scriptProblems = watchScriptProblems(page);
    const { status } = await fillAndSend(page);
    expect(status).toBe(429);
    await expectKept(page, 'JavaScript');
    // The served notice is the one shown, not form.js's "no answer came" for a lost one.
    expect(await page.locator('#unanswered-notice').count()).toBe(0);
    // The button can be pressed again (it said "Mengirim…" while the post travelled).
    expect(await page.getByRole('button', { name: 'Kirim aduan' }).isEnabled()).toBe(true);
    expect(scriptProblems).toEqual([]);
    await context.close();
  });
});
