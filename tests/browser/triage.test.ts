import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, multipartBody, PNG_1x1 } from '@aduan/gateway/testing';
import { createRedis, QueueNames, startLocalRedis } from '@aduan/queue';
import { startRouterService } from '@aduan/router';
import { memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { whatsappComplaint } from '@aduan/testkit/complaints';
import { accessibilityViolations, watchScriptProblems } from '../support/chromium.ts';
import { startBrowserStack, type BrowserStack } from '../support/stack.ts';

/** The admin's triage page in a real headless Chromium with the real router, on a laptop. */
const url = testRedisUrl();
const prefix = uniquePrefix('triage-browser');
const { logger } = memoryLogger('triage-browser');
const PASSWORD = 'kata-sandi-admin-42';
let browser: Browser;
let stack: BrowserStack | undefined;
let gw: BrowserStack['gw'];
let base: string;
let triageQ: Queue;
let page: Page;
let scriptProblems: string[] = [];

beforeAll(async () => {
  stack = await startBrowserStack({ url, prefix, logger });
  ({ gw, base, browser } = stack);
  await gw.deps.auth.users.add({ username: 'admin', password: PASSWORD, role: 'admin' });
  triageQ = new Queue(QueueNames.triage, { connection: createRedis(url, 'worker'), prefix });
  page = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: 'id-ID' });
  scriptProblems = watchScriptProblems(page);
  await page.goto(`${base}/admin/triage`);
  await page.fill('#username', 'admin');
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL(`${base}/admin/triage`), page.keyboard.press('Enter')]);
}, 60_000);
afterAll(async () => {
  expect(scriptProblems).toEqual([]);
  await triageQ?.close();
  await stack?.close();
});

/** Files a complaint on the web API and waits until the router has put it in triage. */
async function unsure(text: string): Promise<{ id: string; ticket: string }> {
  const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text } });
  expect(res.statusCode).toBe(202);
  const { id, ticket } = res.json();
  await waitFor(async () => (await triageQ.getJob(id)) ?? null, { what: 'triage job' });
  return { id, ticket };
}

async function loginCookie(): Promise<string> {
  const res = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', payload: { username: 'admin', password: PASSWORD } });
  return `aduan_session=${res.cookies.find((c) => c.name === 'aduan_session')?.value}`;
}

/** Ends every session for real, as the idle timeout does: the keys are gone from Redis. */
async function expireSessions(): Promise<void> {
  const redis = createRedis(url, 'worker');
  for (const key of await redis.keys(`${prefix}:session:*`)) await redis.del(key);
  redis.disconnect();
}

const selectedIn = (p: Page, id: string) => p.$eval(`#opd-${id}`, (s) => (s as HTMLSelectElement).value);
const selected = (id: string) => selectedIn(page, id);

describe('triage page in Chromium (1366x768)', () => {
  it('picks an OPD by the short name admins know: typing "Dishub" on the list chooses Dinas Perhubungan', async () => {
    const { id } = await unsure('Mohon perhatiannya bapak ibu, sudah lama sekali tidak ada yang peduli di sini');
    await page.goto(`${base}/admin/triage`);
    await page.focus(`#opd-${id}`);
    await page.keyboard.type('Dishub');
    expect(await selected(id)).toBe('dishub');
    await page.waitForTimeout(1100); // the list's type-ahead starts afresh after a pause
    await page.keyboard.type('DLH');
    expect(await selected(id)).toBe('dlh');
    await triageQ.remove(id);
  });
  it("does not offer the router's fallback as a choice when it recognised nothing: Enter in the note sends nothing until an OPD is picked", async () => {
    const { id, ticket } = await unsure('Tolong diperhatikan pak, sudah lama sekali dibiarkan begitu saja tanpa kejelasan');
    await page.goto(`${base}/admin/triage`);
    const item = page.locator(`article[aria-labelledby="t-${id}"]`);
    expect(await item.textContent()).toContain('Sistem tidak punya tebakan');
    expect(await selected(id)).toBe('');
    await page.focus(`#note-${id}`);
    await page.keyboard.type('Cek dulu ke kelurahan');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    expect(page.url()).toBe(`${base}/admin/triage`);
    expect(await triageQ.getJob(id)).toBeDefined();
    await page.selectOption(`#opd-${id}`, 'dlh');
    await Promise.all([page.waitForURL(/done=/), page.focus(`#note-${id}`).then(() => page.keyboard.press('Enter'))]);
    expect(await page.locator('[role=status]').textContent()).toContain(ticket);
  });
  it('after an assignment the admin is back where they were: the confirmation names the OPD and Tab goes on to the next complaint', async () => {
    const filed = [];
    for (const n of ['satu', 'dua', 'tiga', 'empat', 'lima', 'enam']) filed.push(await unsure(`Mohon perhatiannya bapak ibu, laporan ${n}: sudah lama sekali dibiarkan begitu saja`));
    await page.goto(`${base}/admin/triage`);
    const [, , , fourth, fifth] = filed as [unknown, unknown, unknown, { id: string; ticket: string }, { id: string }];
    await page.locator(`#opd-${fourth.id}`).scrollIntoViewIfNeeded();
    await page.focus(`#opd-${fourth.id}`);
    await page.keyboard.type('Dishub');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Parkir di depan rumah warga');
    await Promise.all([page.waitForURL(/done=/), page.keyboard.press('Enter')]);
    const status = page.locator('[role=status]');
    expect(await status.textContent()).toMatch(new RegExp(`${fourth.ticket}.*sudah diteruskan ke Dinas Perhubungan`));
    expect(await status.evaluate((el) => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })).toBe(true);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(`opd-${fifth.id}`);
    // A link naming a ticket it does not know, or any other text, shows no confirmation.
    await page.goto(`${base}/admin/triage?done=${encodeURIComponent('ADU-XXXX-XXXX ke Dinas Palsu')}`);
    expect(await page.locator('[role=status]').count()).toBe(0);
    for (const c of filed) await triageQ.remove(c.id);
  });
  it('a session that expired while the admin chose an OPD and typed a note: after logging in again both are back on that complaint, sent only when confirmed', async () => {
    const { id, ticket } = await unsure('Tolong diperhatikan pak, laporan ini sudah lama sekali dibiarkan begitu saja');
    await page.goto(`${base}/admin/triage`);
    await page.selectOption(`#opd-${id}`, 'dlh');
    const note = 'Sampah menumpuk di gang, mohon "segera" <dicek> & diangkut';
    await page.fill(`#note-${id}`, note);
    await expireSessions();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await Promise.all([page.waitForURL(/\/login\?/), page.locator(`#note-${id}`).press('Enter')]);
    expect(await page.locator('#login-message').textContent()).toContain('Sesi Anda sudah berakhir');
    await page.fill('#username', 'admin');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(`${base}/admin/triage/${id}/assign`), page.keyboard.press('Enter')]);
    expect(await page.title()).toMatch(/^Triase aduan/);
    expect(await page.locator('#dipulihkan').textContent()).toContain(`Sesi Anda tadi berakhir sebelum aduan ${ticket} diteruskan. Pilihan dinas dan catatan Anda sudah dipulihkan`);
    expect(await selected(id)).toBe('dlh');
    expect(await page.inputValue(`#note-${id}`)).toBe(note);
    // The keyboard is where the decision is: on the restored OPD.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(`opd-${id}`);
    expect(await triageQ.getJob(id)).toBeDefined(); // nothing was sent: the admin confirms
    // The note was never in a URL (access logs, history).
    expect(requests.filter((u) => u.includes('dicek') || u.includes('Sampah'))).toEqual([]);
    await Promise.all([page.waitForURL(/done=/), page.locator(`#note-${id}`).press('Enter')]);
    expect(await page.locator('[role=status]').textContent()).toContain(`${ticket} sudah diteruskan ke Dinas Lingkungan Hidup`);
    expect((await gw.deps.status.get(id))?.opd).toBe('dlh');
    // Used once: the draft cookie is gone.
    expect((await page.context().cookies()).map((c) => c.name)).not.toContain('aduan_triage_draft');
  });
  it('keeps the decision without JavaScript too, when the browser already dropped the session cookie (its maximum age)', async () => {
    const { id, ticket } = await unsure('Tolong diperhatikan pak, laporan kedua ini sudah lama sekali dibiarkan begitu saja');
    const context = await browser.newContext({ viewport: { width: 768, height: 1024 }, locale: 'id-ID', javaScriptEnabled: false });
    const own = await context.newPage();
    try {
      await own.goto(`${base}/admin/triage`);
      await own.fill('#username', 'admin');
      await own.fill('#password', PASSWORD);
      await Promise.all([own.waitForURL(`${base}/admin/triage`), own.keyboard.press('Enter')]);
      await own.selectOption(`#opd-${id}`, 'dinkes');
      await own.fill(`#note-${id}`, 'Cek ke puskesmas');
      await context.clearCookies({ name: 'aduan_session' });
      await Promise.all([own.waitForURL(/\/login\?/), own.locator(`#note-${id}`).press('Enter')]);
      await own.fill('#username', 'admin');
      await own.fill('#password', PASSWORD);
      await Promise.all([own.waitForURL(`${base}/admin/triage/${id}/assign`), own.keyboard.press('Enter')]);
      expect(await own.locator('#dipulihkan').textContent()).toContain('sudah dipulihkan');
      expect(await own.$eval(`#opd-${id}`, (s) => (s as HTMLSelectElement).value)).toBe('dinkes');
      expect(await own.inputValue(`#note-${id}`)).toBe('Cek ke puskesmas');
      await Promise.all([own.waitForURL(/done=/), own.getByRole('button', { name: 'Teruskan' }).click()]);
      expect(await own.locator('[role=status]').textContent()).toContain(`${ticket} sudah diteruskan ke`);
      expect((await gw.deps.status.get(id))?.opd).toBe('dinkes');
    } finally {
      await context.close();
    }
  });
  it("marks a complaint its OPD sent back with who sent it and why (escaped), preselects nothing, and assigns it back to that OPD", async () => {
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Jukir liar di depan Stasiun Blitar minta uang parkir tanpa karcis setiap hari' } });
    const { id, ticket } = res.json();
    const conn = createRedis(url, 'worker');
    const routedQ = new Queue(QueueNames.routed, { connection: conn, prefix });
    const statusQ = new Queue(QueueNames.status, { connection: conn, prefix });
    const opdQ = new Queue('opd.dishub', { connection: conn, prefix });
    try {
      await waitFor(async () => ((await gw.deps.status.get(id))?.opd === 'dishub' ? true : null), { what: 'routed to dishub' });
      const reason = 'Bukan kewenangan kami <img src=x onerror="window.__pwned=1">, mungkin DLH & Satpol PP';
      await statusQ.add('status', { schemaVersion: 1, complaintId: id, opd: 'dishub', state: 'returned', message: reason, at: new Date().toISOString(), updateId: `ret-${id}` }, { jobId: `ret-${id}` });
      await waitFor(async () => (await triageQ.getJob(`${id}.r1`)) ?? null, { what: 'returned to triage' });
      await page.goto(`${base}/admin/triage`);
      const item = page.locator(`article[aria-labelledby="t-${id}"]`);
      const mark = page.locator(`#kembali-${id}`);
      expect(await mark.textContent()).toContain('Dikembalikan oleh Dishub — Dinas Perhubungan');
      expect(await mark.textContent()).toContain(`Alasan dari dinas: ${reason}`);
      expect(await item.locator('img').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await item.textContent()).not.toContain('returned by');
      expect(await selected(id)).toBe('');
      // Back to dishub after all (the admin knows better): a new revision on dishub's queue.
      await page.selectOption(`#opd-${id}`, 'dishub');
      await Promise.all([page.waitForURL(/done=/), page.locator(`#note-${id}`).press('Enter')]);
      expect(await page.locator('[role=status]').textContent()).toContain(`${ticket} sudah diteruskan ke Dinas Perhubungan`);
      expect((await opdQ.getJob(`${id}.r2`))?.data.routing).toMatchObject({ opd: 'dishub', decidedBy: 'admin', revision: 2 });
      expect(await triageQ.getJob(`${id}.r1`)).toBeUndefined();
    } finally {
      await Promise.all([routedQ.close(), statusQ.close(), opdQ.close()]);
      conn.disconnect();
    }
  });
  it('finds a ticket as typed, also one already routed, and re-assigns it; another admin\'s decision meanwhile is shown, not overridden', async () => {
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Jukir liar di depan Pasar Legi minta uang parkir lima ribu tiap hari' } });
    const { id, ticket } = res.json();
    const routedQ = new Queue(QueueNames.routed, { connection: createRedis(url, 'worker'), prefix });
    try {
      await waitFor(async () => (await routedQ.getJob(id)) ?? null, { what: 'routed' });
      await page.goto(`${base}/admin/triage`);
      await page.focus('#cari-tiket');
      await page.keyboard.type(ticket.toLowerCase().replace('-', ' '));
      await Promise.all([page.waitForURL(/tiket=/), page.keyboard.press('Enter')]);
      expect(await page.locator('article').count()).toBe(1);
      expect(await page.locator('article').textContent()).toMatch(/Sudah diteruskan oleh sistem ke Dinas Perhubungan/);
      expect(await selected(id)).toBe('dishub');
      await page.focus(`#opd-${id}`);
      await page.keyboard.type('Satpol');
      await Promise.all([page.waitForURL(/done=/), page.locator(`#note-${id}`).press('Enter')]);
      expect(await page.locator('[role=status]').textContent()).toContain(`${ticket} sudah diteruskan ke Satuan Polisi Pamong Praja`);

      // The admin looks it up again; meanwhile another admin sends it to DLH.
      await page.goto(`${base}/admin/triage?tiket=${ticket}`);
      const other = await gw.app.inject({ method: 'POST', url: `/api/v1/complaints/${id}/assign`, headers: { cookie: await loginCookie() }, payload: { opd: 'dlh', note: 'sampah di parkiran' } });
      expect(other.statusCode).toBe(200);
      await page.selectOption(`#opd-${id}`, 'dishub');
      await page.fill(`#note-${id}`, 'Jukir di sisi utara, tiap pagi');
      await Promise.all([page.waitForURL(/error=conflict/), page.locator(`#note-${id}`).press('Enter')]);
      expect(await page.locator('[role=alert]').textContent()).toContain('baru saja diteruskan oleh admin lain');
      expect(await page.locator('article').textContent()).toContain('Sudah diteruskan oleh admin ke Dinas Lingkungan Hidup. Catatan: sampah di parkiran');
      // What this admin typed is not lost; their choice is named, and a stray Enter changes nothing.
      expect(await page.inputValue(`#note-${id}`)).toBe('Jukir di sisi utara, tiap pagi');
      expect(await page.locator(`#pilihan-${id}`).textContent()).toBe('Pilihan Anda tadi: Dishub — Dinas Perhubungan. Catatan Anda masih ada di formulir.');
      expect(await selected(id)).toBe('dlh');
      expect(page.url()).not.toContain('utara');
      expect((await routedQ.getJob(`${id}.r2`))?.data.routing.opd).toBe('dlh');
      expect(await routedQ.getJob(`${id}.r3`)).toBeUndefined();

      await page.goto(`${base}/admin/triage?tiket=ADU-0000-0000`);
      expect(await page.locator('main').textContent()).toContain('Tiket ADU-0000-0000 tidak ditemukan.');
    } finally {
      await routedQ.close();
    }
  });
  it('Redis stops as the admin sends a decision: the answer is the same form with their OPD and note, and one click sends it once Redis is back', async () => {
    // A Redis of its own, to stop, and a gateway on it, in this browser. The router puts the
    // complaint in triage, and is closed before Redis stops (a BullMQ worker closed while it
    // reconnects does not close; an assignment needs no router).
    const redisDir = mkdtempSync(join(tmpdir(), 'aduan-triage-browser-redis-'));
    let redis = await startLocalRedis({ dir: redisDir });
    const own = await createTestGateway({ redisUrl: redis.url, prefix, logger });
    const conn = createRedis(redis.url, 'worker');
    const triage = new Queue(QueueNames.triage, { connection: conn, prefix });
    const dlh = new Queue('opd.dlh', { connection: conn, prefix });
    // Their connection fails while Redis is stopped: not an error of the test.
    for (const queue of [triage, dlh]) queue.on('error', () => {});
    const context = await browser.newContext({ viewport: { width: 768, height: 1024 }, locale: 'id-ID', bypassCSP: true });
    try {
      await own.app.listen({ port: 0, host: '127.0.0.1' });
      const ownBase = `http://127.0.0.1:${(own.app.server.address() as AddressInfo).port}`;
      await own.deps.auth.users.add({ username: 'admin', password: PASSWORD, role: 'admin' });
      const router = await startRouterService({ redisUrl: redis.url, prefix, logger });
      const { id, ticket } = (await own.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Tolong diperhatikan pak, sudah lama sekali dibiarkan begitu saja di gang kami' } })).json();
      await waitFor(async () => (await triage.getJob(id)) ?? null, { what: 'triage job' }).finally(() => router.close());
      const tab = await context.newPage();
      await tab.goto(`${ownBase}/admin/triage`);
      await tab.fill('#username', 'admin');
      await tab.fill('#password', PASSWORD);
      await Promise.all([tab.waitForURL(`${ownBase}/admin/triage`), tab.keyboard.press('Enter')]);
      await tab.selectOption(`#opd-${id}`, 'dlh');
      const note = 'Sampah menumpuk di gang, mohon "segera" <dicek> & diangkut';
      await tab.fill(`#note-${id}`, note);

      await redis.stop();
      const [answer] = await Promise.all([tab.waitForResponse(`${ownBase}/admin/triage/${id}/assign`), tab.getByRole('button', { name: 'Teruskan' }).click()]);
      await tab.waitForLoadState();
      expect(answer.status()).toBe(503);
      expect(await tab.locator('[role=alert]').textContent()).toMatch(/^Aduan belum diteruskan: sistem sedang terganggu\./);
      expect(await tab.$eval(`#opd-${id}`, (el) => (el as HTMLSelectElement).value)).toBe('dlh');
      expect(await tab.inputValue(`#note-${id}`)).toBe(note);
      expect(await accessibilityViolations(tab)).toEqual([]);

      redis = await startLocalRedis({ dir: redisDir, port: redis.port });
      await waitFor(async () => (await own.app.inject({ url: '/readyz' })).json().checks.redis === true, { timeoutMs: 20_000, what: 'gateway reconnected to Redis' });
      await Promise.all([tab.waitForURL(/done=/), tab.getByRole('button', { name: 'Kirim lagi' }).click()]);
      expect(await tab.locator('[role=status]').textContent()).toContain(`${ticket} sudah diteruskan ke Dinas Lingkungan Hidup`);
      // (Its publish may have gone to the spool while the producer's connection was still coming back.)
      const job = await waitFor(async () => (await dlh.getJob(`${id}.r1`)) ?? null, { timeoutMs: 20_000, what: 'assigned to dlh' });
      expect(job.data.routing.note).toBe(note);
    } finally {
      await context.close();
      await own.close();
      await Promise.all([triage.close(), dlh.close()]);
      conn.disconnect();
      await redis.stop();
    }
  }, 60_000);
  it("shows the photo a WhatsApp citizen sent after their vague complaint in that complaint's card; the photo's own card leads there, its form folded away (WCAG 2.1 AA)", async () => {
    const conn = createRedis(url, 'worker');
    const intake = new Queue(QueueNames.intake, { connection: conn, prefix });
    const earlier = whatsappComplaint(prefix, 'Tolong dicek yang di sana itu pak, sudah lama sekali dibiarkan');
    const shot = { kind: 'image' as const, mimeType: 'image/png', ...(await gw.deps.storage.put(PNG_1x1)) };
    const extra = whatsappComplaint(prefix, `(foto tambahan untuk aduan ${earlier.ticket}, dikirim setelah aduan itu tercatat)`, { attachments: [shot] });
    for (const c of [earlier, extra]) {
      await intake.add('intake', c, { jobId: c.id });
      await waitFor(async () => (await triageQ.getJob(c.id)) ?? null, { what: 'triage job' });
    }
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'id-ID', bypassCSP: true });
    const [name, value] = (await loginCookie()).split('=') as [string, string];
    await context.addCookies([{ name, value, url: base }]);
    const own = await context.newPage();
    try {
      await own.goto(`${base}/admin/triage`);
      // In the complaint's card: the photo, loaded (served to the admin by the addition's id).
      const thumb = own.locator(`#tambahan-dari-${earlier.id} img`);
      expect(await thumb.getAttribute('alt')).toBe(`Foto lampiran 1 dari ${extra.ticket}`);
      await thumb.scrollIntoViewIfNeeded();
      await own.waitForFunction((id) => { const img = document.querySelector<HTMLImageElement>(`#tambahan-dari-${id} img`); return !!img && img.complete && img.naturalWidth > 0; }, earlier.id);
      // The addition's own card: nothing to decide, its form folded away until asked for.
      expect(await own.locator(`#opd-${extra.id}`).isVisible()).toBe(false);
      expect(await accessibilityViolations(own)).toEqual([]);
      await own.locator(`#sendiri-${extra.id} summary`).click();
      expect(await own.locator(`#opd-${extra.id}`).isVisible()).toBe(true);
      expect(await selectedIn(own, extra.id)).toBe('');
      expect(await accessibilityViolations(own), 'opened').toEqual([]);
      // Its link leads to the complaint's card.
      await own.locator(`#ikut-${extra.id} a`).click();
      await own.waitForURL(`${base}/admin/triage#t-${earlier.id}`);
      expect(await own.locator(`#t-${earlier.id}`).evaluate((el) => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })).toBe(true);
    } finally {
      await context.close();
      for (const c of [earlier, extra]) await triageQ.remove(c.id);
      await intake.close();
      conn.disconnect();
    }
  }, 60_000);
  it('on a tablet (768x1024), by keyboard: a full list (a photo, a confidential reporter) and a restored decision meet WCAG 2.1 AA (axe-core) without sideways scrolling; "Keluar" then logging in again leads back to triage', async () => {
    const filed = [];
    for (let i = 0; i < 30; i++) filed.push(await unsure(`Mohon perhatiannya bapak ibu, laporan tablet ${i}: sudah lama sekali dibiarkan begitu saja`));
    const photo = (await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', ...multipartBody({ text: 'Tolong dilihat fotonya, kondisinya sudah begini sejak lama sekali' }, [{ name: 'photos', filename: 'kondisi.png', type: 'image/png', data: PNG_1x1 }]) })).json();
    const secret = (await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Mohon ditindak, saya takut melapor langsung karena tetangga sendiri', reporter: { name: 'Rina', phone: '081234567890', confidential: true } } })).json();
    for (const c of [photo, secret]) await waitFor(async () => (await triageQ.getJob(c.id)) ?? null, { what: 'triage job' });
    const context = await browser.newContext({ viewport: { width: 768, height: 1024 }, locale: 'id-ID', bypassCSP: true });
    const own = await context.newPage();
    const wide = () => own.evaluate(() => document.documentElement.scrollWidth > innerWidth);
    try {
      await own.goto(`${base}/admin/triage`);
      expect(await accessibilityViolations(own), 'login').toEqual([]);
      await own.keyboard.type('admin');
      await own.keyboard.press('Tab');
      await own.keyboard.type(PASSWORD);
      await Promise.all([own.waitForURL(`${base}/admin/triage`), own.keyboard.press('Enter')]);
      expect(await own.locator('article').count()).toBeGreaterThanOrEqual(32);
      expect(await own.locator(`#rahasia-${secret.id}`).count()).toBe(1);
      expect(await own.locator(`article[aria-labelledby="t-${photo.id}"] img`).count()).toBe(1);
      expect(await accessibilityViolations(own), 'list').toEqual([]);
      expect(await wide(), 'list').toBe(false);
      // A restored decision (the session expired as the admin sent it).
      const first = filed[0]!;
      await own.selectOption(`#opd-${first.id}`, 'dlh');
      await own.fill(`#note-${first.id}`, 'Mohon dicek');
      await expireSessions();
      await Promise.all([own.waitForURL(/\/login\?/), own.locator(`#note-${first.id}`).press('Enter')]);
      await own.fill('#username', 'admin');
      await own.fill('#password', PASSWORD);
      await Promise.all([own.waitForURL(`${base}/admin/triage/${first.id}/assign`), own.keyboard.press('Enter')]);
      expect(await accessibilityViolations(own), 'restored').toEqual([]);
      expect(await wide(), 'restored').toBe(false);
      // Keyboard only, from the top of the page: Keluar, then log in again.
      await own.keyboard.press('Tab');
      while ((await own.evaluate(() => document.activeElement?.textContent)) !== 'Keluar') await own.keyboard.press('Shift+Tab');
      await Promise.all([own.waitForURL(/\/login/), own.keyboard.press('Enter')]);
      await own.fill('#username', 'admin');
      await own.fill('#password', PASSWORD);
      await Promise.all([own.waitForURL(/\/(admin|desk)/), own.keyboard.press('Enter')]);
      expect(own.url()).toBe(`${base}/admin/triage`);
    } finally {
      await context.close();
      for (const c of [...filed, photo, secret]) await triageQ.remove(c.id);
    }
  }, 60_000);
});
