import { Queue } from 'bullmq';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, QueueNames } from '@aduan/queue';
import { Complaint } from '@aduan/schema';
import { memoryLogger, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { watchScriptProblems } from '../support/chromium.ts';
import { startBrowserStack, type BrowserStack } from '../support/stack.ts';

/**
 * The next shift on the same desk computer: the entries one operator left waiting in the browser
 * are taken over, and sent, by the operator who logs in after. Real Chromium, real gateway.
 */
const url = testRedisUrl();
const prefix = uniquePrefix('desk-takeover');
const { logger } = memoryLogger('desk-takeover');
const PASSWORD = 'kata-sandi-rahasia-1';
const STATION = 'Radio Patria FM';
let browser: Browser;
let stack: BrowserStack | undefined;
let gw: BrowserStack['gw'];
let base: string;
let intakeQ: Queue;
let context: BrowserContext;
let page: Page;
let scriptProblems: string[] = [];

beforeAll(async () => {
  // No router: what the test checks is what reached `intake`.
  stack = await startBrowserStack({ url, prefix, logger, router: false });
  ({ gw, base, browser } = stack);
  await gw.deps.auth.users.add({ username: 'siti', password: PASSWORD, role: 'operator', station: STATION });
  await gw.deps.auth.users.add({ username: 'budi', password: PASSWORD, role: 'operator', station: STATION });
  intakeQ = new Queue(QueueNames.intake, { connection: createRedis(url, 'worker'), prefix });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'id-ID' });
  page = await context.newPage();
  scriptProblems = watchScriptProblems(page);
}, 60_000);
afterAll(async () => {
  expect(scriptProblems).toEqual([]);
  await context?.close();
  await intakeQ?.close();
  await stack?.close();
});

async function logIn(username: string) {
  await page.goto(`${base}/desk`);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(PASSWORD);
  await page.locator('#password').press('Enter');
  await page.waitForURL(`${base}/desk`);
}

/** Keys one call-in (fill sends the input events the desk listens to) and presses Enter. */
async function keyCall(c: { name: string; phone?: string; text: string }) {
  await page.locator('#caller-name').fill(c.name);
  if (c.phone) await page.locator('#caller-phone').fill(c.phone);
  await page.locator('#program').fill('Halo Blitar Malam');
  await page.locator('#text').fill(c.text);
  await page.locator('#text').press('Enter');
  await expect.poll(() => page.locator('#text').inputValue()).toBe('');
}

/** The complaints on `intake` with this text, as queued. */
async function queued(text: string): Promise<Complaint[]> {
  const jobs = await intakeQ.getJobs(['waiting', 'active', 'completed', 'delayed']);
  return jobs.filter((j) => j?.data.text === text).map((j) => Complaint.parse(j.data));
}

const REFUSED = 'Pohon besar di depan SDN Sentul condong ke jalan, takut tumbang';
const ARRIVED = 'Lampu PJU di Jalan Kalimantan mati, gelap sekali kalau malam';
const NEVER_SENT = 'Sampah menumpuk di TPS dekat Pasar Templek belum diangkut tiga hari';

describe("radio desk: the waiting entries of an operator whose shift ended, in Chromium", () => {
  it("the next operator is told whose entries wait and since when, takes them over, and each complaint is filed once (the one the gateway took earlier under its first ticket)", async () => {
    await logIn('siti');
    const sends = '**/api/v1/desk/complaints';
    // Siti, at the end of her shift. One entry the gateway refuses (kept for "Muat ke formulir").
    await page.route(sends, (route) => route.abort('connectionrefused'));
    await keyCall({ name: 'Pak Bambang', phone: '12', text: REFUSED });
    await page.unroute(sends);
    await expect.poll(() => page.locator('#outbox-list li').first().textContent(), { timeout: 15_000 }).toContain('ditolak');

    // Then the network fails: the first of two entries reaches the gateway, its answer does not.
    let firstAnswer: { ticket: string } | undefined;
    await page.route(sends, async (route) => {
      if (!firstAnswer && (route.request().postData() ?? '').includes(ARRIVED)) firstAnswer = (await (await route.fetch()).json()) as { ticket: string };
      await route.abort('connectionreset');
    });
    await keyCall({ name: 'Pak Lurah', text: ARRIVED });
    await keyCall({ name: 'Bu Tini', text: NEVER_SENT });
    await expect.poll(() => page.locator('#outbox-list li').count()).toBe(3);
    expect(firstAnswer?.ticket).toMatch(/^ADU-/);
    expect((await queued(ARRIVED)).map((c) => c.intake.operatorId)).toEqual(['siti']);
    expect(await queued(NEVER_SENT)).toEqual([]);

    // Her session ends; Budi logs in on the same browser for the next programme.
    const session = (await context.cookies()).find((c) => c.name === gw.deps.auth.cookie.name);
    await gw.deps.auth.sessions.destroy(session?.value ?? '');
    await page.unroute(sends);
    await logIn('budi');

    const others = page.locator('#others');
    await expect.poll(() => others.isVisible()).toBe(true);
    const line = (await page.locator('#others-list li').allTextContents()).join('\n');
    expect(line).toMatch(/^siti: 2 aduan menunggu dikirim dan 1 ditolak, sejak \d\d\/\d\d \d\d:\d\d$/);
    expect(await page.locator('#others-elsewhere').isHidden()).toBe(true);
    // Seen at login, without scrolling (1366x768, the stations' smallest screens).
    await page.setViewportSize({ width: 1366, height: 768 });
    const box = await page.locator('#others-send').boundingBox();
    expect(box && box.y + box.height).toBeLessThanOrEqual(768);
    // Nothing of Siti's is sent, nor moved, before Budi says so.
    expect(await page.locator('#outbox').isHidden()).toBe(true);
    expect(await queued(NEVER_SENT)).toEqual([]);
    await page.screenshot({ path: 'test-results/desk-takeover.png', fullPage: true }).catch(() => {});

    await page.locator('#others-send').click();
    await expect.poll(() => others.isHidden()).toBe(true);
    expect(await page.evaluate(`document.activeElement.id`)).toBe('caller-name');
    // Both waiting entries are sent now, listed as late under their callers' names.
    await expect.poll(() => page.locator('#late-list li').allTextContents(), { timeout: 15_000 }).toEqual(expect.arrayContaining([`Terkirim terlambat — tiket Pak Lurah: ${firstAnswer?.ticket}`, expect.stringMatching(/^Terkirim terlambat — tiket Bu Tini: ADU-/)]));
    // The refused one waits in Budi's list with its reason, to be corrected.
    await expect.poll(() => page.locator('#outbox-list li').allTextContents()).toEqual([expect.stringMatching(/^Pohon besar di depan SDN Sentul.* — ditolak: Ada isian yang belum benar\. \(dari siti\) Muat ke formulir$/)]);
    expect(await page.evaluate(`localStorage.getItem('aduan.desk.outbox.siti')`)).toBeNull();

    // Filed once each: the one the gateway took earlier under its first ticket and still Siti's
    // (queue and board); the one that never arrived by Budi, whose session sent it.
    const arrived = await queued(ARRIVED);
    expect(arrived.map((c) => [c.ticket, c.intake.operatorId])).toEqual([[firstAnswer?.ticket, 'siti']]);
    const neverSent = await queued(NEVER_SENT);
    expect(neverSent.map((c) => [c.intake.operatorId, c.source.account, c.reporter.name])).toEqual([['budi', STATION, 'Bu Tini']]);
    const board = await gw.deps.desk.entries.getMany([arrived[0]?.id ?? '', neverSent[0]?.id ?? '']);
    expect([board.get(arrived[0]?.id ?? '')?.operatorId, board.get(neverSent[0]?.id ?? '')?.operatorId]).toEqual(['siti', 'budi']);

    // "Muat ke formulir" brings the refused call back with its field error.
    await page.locator('#outbox-list button').click();
    await expect.poll(() => page.locator('#err-caller-phone').textContent()).toContain('Nomor HP tidak valid');
    expect(await page.locator('#text').inputValue()).toBe(REFUSED);
    expect(await queued(REFUSED)).toEqual([]);
  });
});
