/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueNames } from '@aduan/queue';
import { memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { JUKIR } from '../../services/router/src/testing/reports.ts';
import { accessibilityViolations, watchScriptProblems } from '../support/chromium.ts';
import { startBrowserStack, type BrowserStack } from '../support/stack.ts';

/** The status page's "Masalahnya belum selesai?" (ADR 0014) in a real headless Chromium on a small phone screen. */
const url = testRedisUrl();
const prefix = uniquePrefix('browser-reopen');
const { logger } = memoryLogger('browser-reopen');
let browser: Browser;
let base: string;
let stack: BrowserStack | undefined;
const phone = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'id-ID' };

beforeAll(async () => {
  stack = await startBrowserStack({ url, prefix, logger });
  ({ base, browser } = stack);
}, 60_000);
afterAll(() => stack?.close());

describe('status page reopen form in Chromium (phone)', () => {
  it('offers the form for a resolved complaint, shows an error next to the field, and sends it back to the OPD', async () => {
    const gw = stack!.gw;
    const filed = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: JUKIR, location: { kelurahan: 'Kepanjenlor' } } });
    const c = filed.json() as { id: string; ticket: string; statusToken: string };
    const state = async () => (await gw.deps.status.get(c.id))?.state;
    await waitFor(async () => ((await state()) === 'routed' ? true : null), { what: 'routed' });
    await gw.deps.producer.add(QueueNames.status, `res-${c.id}`, { schemaVersion: 1, complaintId: c.id, opd: 'dishub', state: 'resolved', message: 'Sudah ditertibkan', at: new Date().toISOString(), updateId: `res-${c.id}` });
    await waitFor(async () => ((await state()) === 'resolved' ? true : null), { what: 'resolved' });

    // axe is injected as a script: this context lets it past the page's CSP (the web form's test checks the CSP itself).
    const context = await browser.newContext({ ...phone, bypassCSP: true });
    const page = await context.newPage();
    const problems = watchScriptProblems(page);
    await page.goto(`${base}/status?ticket=${c.ticket}&token=${c.statusToken}`);
    await expect.poll(() => page.getByRole('heading', { name: 'Masalahnya belum selesai?' }).isVisible()).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    // Only spaces: the browser lets it through (`required` is met), the server says what to do, next to the field.
    await page.getByLabel('Apa yang belum selesai?').fill('   ');
    await page.getByRole('button', { name: 'Kirim: belum selesai' }).click();
    await expect.poll(() => page.locator('#reason-error').textContent()).toBe('Mohon tuliskan apa yang belum selesai.');
    expect(await page.getByLabel('Apa yang belum selesai?').getAttribute('aria-describedby')).toContain('reason-error');
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.getByLabel('Apa yang belum selesai?').fill('Jukirnya masih ada setiap sore');
    await page.getByRole('button', { name: 'Kirim: belum selesai' }).click();
    await expect.poll(() => page.locator('#reopen-sent').isVisible()).toBe(true);
    expect(await page.getByRole('heading', { name: 'Masalahnya belum selesai?' }).count()).toBe(0);
    await page.screenshot({ path: 'test-results/status-reopen.png', fullPage: true }).catch(() => {});
    await waitFor(async () => ((await state()) === 'routed' ? true : null), { what: 'reopened' });
    await page.reload();
    await expect.poll(() => page.locator('.history').textContent()).toContain('Jukirnya masih ada setiap sore');
    expect(problems).toEqual([]);
    await context.close();
  });
});
