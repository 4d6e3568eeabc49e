import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpdKeyStore } from '@aduan/gateway';
import { createRedis, publishRouted } from '@aduan/queue';
import { ResponseDeadline, type Routing } from '@aduan/schema';
import { memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { chatComplaint } from '../../services/router/src/testing/reports.ts';
import { accessibilityViolations, watchScriptProblems } from '../support/chromium.ts';
import { startBrowserStack, type BrowserStack } from '../support/stack.ts';

/** The triage page's list of complaints OPDs left unanswered past their deadline, in a real headless Chromium with the real router. */
const url = testRedisUrl();
const prefix = uniquePrefix('triage-overdue');
const { logger } = memoryLogger('triage-overdue');
const PASSWORD = 'kata-sandi-admin-43';
const DAY = 86_400_000;
const deadline = new ResponseDeadline(5, new Set());
const redis = createRedis(url, 'worker');
let stack: BrowserStack | undefined;
let gw: BrowserStack['gw'];
let base: string;
let browser: Browser;
let n = 0;

/** A citizen's complaint given to `opd` by a decision made `days` days ago (published as the router publishes its own). */
async function routedDaysAgo(days: number, opd: string, opdName: string): Promise<{ id: string; ticket: string; routedMs: number }> {
  const routedMs = Date.now() - days * DAY - n * 60_000;
  const c = chatComplaint('overdue', prefix, ++n);
  await gw.deps.status.recordReceived({ id: c.id, ticket: c.ticket, channel: c.channel, receivedAt: new Date(routedMs - 3_600_000).toISOString() });
  const routing: Routing = { opd, opdName, confidence: 0.9, reasons: ['test'], alternatives: [], decidedBy: 'rules', triage: false, revision: 0, routedAt: new Date(routedMs).toISOString(), routerVersion: 'test' };
  await publishRouted({ producer: gw.deps.producer, status: gw.deps.status }, c, routing);
  return { id: c.id, ticket: c.ticket, routedMs };
}

/** A fresh browser context logged in as the admin, on the triage page. */
async function adminPage(opts: { javaScriptEnabled?: boolean; bypassCSP?: boolean }): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'id-ID', ...opts });
  const page = await context.newPage();
  const problems = watchScriptProblems(page);
  await page.goto(`${base}/admin/triage`);
  await page.fill('#username', 'admin');
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL(`${base}/admin/triage`), page.keyboard.press('Enter')]);
  return { context, page, problems };
}

beforeAll(async () => {
  stack = await startBrowserStack({ url, prefix, logger });
  ({ gw, base, browser } = stack);
  await gw.deps.auth.users.add({ username: 'admin', password: PASSWORD, role: 'admin' });
}, 60_000);
afterAll(async () => {
  await stack?.close();
  redis.disconnect();
});

describe('triage page: complaints past their OPD response deadline', () => {
  it('lists them per OPD, oldest first, bounded, escaped, each linked to its look-up; served without JavaScript', async () => {
    const oldest = await routedDaysAgo(15, 'dishub', 'Dinas Perhubungan');
    const later = await routedDaysAgo(9, 'dishub', 'Dinas Perhubungan');
    const odd = await routedDaysAgo(12, 'dlh', 'DLH <b>"Lingkungan"</b> & Co');
    const recent = await routedDaysAgo(1, 'dishub', 'Dinas Perhubungan');
    const answered = await routedDaysAgo(20, 'dishub', 'Dinas Perhubungan');
    const many = [];
    for (let i = 0; i < 12; i++) many.push(await routedDaysAgo(8, 'satpolpp', 'Satuan Polisi Pamong Praja'));
    // dishub answers one through its OPD API: it leaves the list.
    const key = (await new OpdKeyStore(redis, prefix).create('dishub', 'SIM Dishub')).secret;
    const res = await gw.app.inject({ method: 'POST', url: `/api/v1/opd/complaints/${answered.id}/status`, headers: { authorization: `Bearer ${key}` }, payload: { state: 'in_progress', updateId: 'overdue-page-1' } });
    expect(res.statusCode).toBe(202);
    await waitFor(async () => ((await gw.deps.status.get(answered.id))?.state === 'in_progress' ? true : null), { what: 'the report applied' });

    // Satpol PP's staff have an inbox account; DLH has neither an account nor a key.
    await gw.deps.auth.users.add({ username: 'satpol', password: 'kata-sandi-satpol-43', role: 'opd', opd: 'satpolpp' });

    const { context, page, problems } = await adminPage({ javaScriptEnabled: false });
    try {
      expect(await page.locator('#ada-terlambat').textContent()).toContain('15 aduan belum ditanggapi dinas');
      // Said of the late OPD nobody reads in Aduan, and of it only.
      expect(await page.locator('[id^="tanpa-pembaca-"]').evaluateAll((ps) => ps.map((p) => p.id))).toEqual(['tanpa-pembaca-dlh']);
      expect(await page.locator('#tanpa-pembaca-dlh a').getAttribute('href')).toBe('/admin/akun?instansi=dlh#tambah');
      const section = page.locator('#batas-tanggapan');
      // The OPD with the oldest late complaint first; escaped names shown as typed.
      expect(await section.locator('h3').allTextContents()).toEqual(['Dinas Perhubungan · 2 aduan', 'DLH <b>"Lingkungan"</b> & Co · 1 aduan', 'Satuan Polisi Pamong Praja · 12 aduan']);
      expect(await section.locator('b').count()).toBe(0);
      const rows = await section.locator('ul').first().locator('li').allTextContents();
      const late = (c: { routedMs: number }) => `terlambat ${deadline.workingDaysLate(c.routedMs, Date.now())} hari kerja`;
      expect(rows.map((r) => r.split(' · ').slice(0, 2).join(' · '))).toEqual([`${oldest.ticket} · ${late(oldest)}`, `${later.ticket} · ${late(later)}`]);
      expect(await section.locator('ul').nth(1).textContent()).toContain(`${odd.ticket} · ${late(odd)}`);
      const text = (await section.textContent())!;
      for (const c of [recent, answered]) expect(text).not.toContain(c.ticket);
      // Bounded: satpolpp's 10 oldest, and the rest counted.
      expect(await section.locator('ul').nth(2).locator('li').count()).toBe(10);
      expect(text).toContain('Dan 2 aduan lain dari dinas ini.');
      // The ticket's look-up on the same page: the complaint, where it is, and its form to re-assign it.
      await Promise.all([page.waitForURL(/tiket=/), section.getByRole('link', { name: oldest.ticket }).click()]);
      const found = page.locator(`article[aria-labelledby="t-${oldest.id}"]`);
      expect(await found.textContent()).toContain('Sudah diteruskan oleh sistem ke Dinas Perhubungan');
      expect(await found.locator(`#opd-${oldest.id}`).count()).toBe(1);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
    const withAxe = await adminPage({ bypassCSP: true });
    try {
      expect(await accessibilityViolations(withAxe.page)).toEqual([]);
    } finally {
      await withAxe.context.close();
    }
  }, 60_000);
});
