import { Queue } from 'bullmq';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, QueueNames } from '@aduan/queue';
import { Complaint } from '@aduan/schema';
import { memoryLogger, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { watchScriptProblems } from '../support/chromium.ts';
import { startBrowserStack, type BrowserStack } from '../support/stack.ts';

/**
 * What goes wrong at a live desk: a refused call loaded over the next caller, Enter pressed twice,
 * a second operator logging in in the same browser, a desk computer whose clock is off, an outbox
 * entry the gateway keeps refusing. Real Chromium, real gateway; each test in a browser of its own.
 */
const url = testRedisUrl();
const prefix = uniquePrefix('desk-mishaps');
const { logger } = memoryLogger('desk-mishaps');
const PASSWORD = 'kata-sandi-rahasia-1';
const STATION = 'Radio Patria FM';
const OFFSET_MS = 420 * 60_000; // DESK_UTC_OFFSET_MINUTES' default (WIB)
const SENDS = '**/api/v1/desk/complaints';
let stack: BrowserStack | undefined;
let gw: BrowserStack['gw'];
let base: string;
let intakeQ: Queue;
const scriptProblems: string[] = [];

beforeAll(async () => {
  // No router: what the tests check is what reached `intake`.
  stack = await startBrowserStack({ url, prefix, logger, router: false });
  ({ gw, base } = stack);
  await gw.deps.auth.users.add({ username: 'siti', password: PASSWORD, role: 'operator', station: STATION });
  await gw.deps.auth.users.add({ username: 'budi', password: PASSWORD, role: 'operator', station: 'Radio Mayangkara' });
  intakeQ = new Queue(QueueNames.intake, { connection: createRedis(url, 'worker'), prefix });
}, 60_000);
afterAll(async () => {
  expect(scriptProblems).toEqual([]);
  await intakeQ?.close();
  await stack?.close();
});

/** A browser of its own (its own localStorage and cookies), a WIB desk computer unless told otherwise. */
async function newBrowser(opts: { timezoneId?: string; clockAheadMs?: number; javaScriptEnabled?: boolean } = {}): Promise<BrowserContext> {
  const context = await (stack as BrowserStack).browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'id-ID', timezoneId: opts.timezoneId ?? 'Asia/Jakarta', javaScriptEnabled: opts.javaScriptEnabled ?? true });
  if (opts.clockAheadMs) await context.clock.install({ time: Date.now() + opts.clockAheadMs });
  return context;
}

/** `until: 'commit'` returns as soon as the desk page starts to arrive, before its script has run. */
async function logIn(page: Page, username: string, until: 'load' | 'commit' = 'load') {
  // The login page itself: /desk would open the desk of whoever this browser is logged in as.
  await page.goto(`${base}/login?next=%2Fdesk`);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(PASSWORD);
  await page.locator('#password').press('Enter');
  await page.waitForURL(`${base}/desk`, { waitUntil: until });
}

/** A tab whose script problems (CSP refusals, uncaught errors) fail the run. */
async function newPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  const problems = watchScriptProblems(page);
  page.on('close', () => scriptProblems.push(...problems));
  return page;
}

async function openDesk(username: string, opts?: Parameters<typeof newBrowser>[0]): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newBrowser(opts);
  const page = await newPage(context);
  await logIn(page, username);
  return { context, page };
}

/** Keys one call-in (fill sends the input events the desk listens to) and presses Enter. */
async function keyCall(page: Page, c: { name?: string; phone?: string; text: string; callTime?: string }) {
  if (c.name) await page.locator('#caller-name').fill(c.name);
  if (c.phone) await page.locator('#caller-phone').fill(c.phone);
  await page.locator('#program').fill('Halo Blitar Malam');
  if (c.callTime) await page.locator('#call-time').fill(c.callTime);
  await page.locator('#text').fill(c.text);
  await page.locator('#text').press('Enter');
}

/** The complaints on `intake` with this text, as queued. */
async function queued(text: string): Promise<Complaint[]> {
  const jobs = await intakeQ.getJobs(['waiting', 'active', 'completed', 'delayed']);
  return jobs.filter((j) => j?.data.text === text).map((j) => Complaint.parse(j.data));
}

const activeId = (page: Page) => page.evaluate('document.activeElement && document.activeElement.id') as Promise<string>;
const outboxLines = (page: Page) => page.locator('#outbox-list li').allTextContents();

/** A call the gateway refuses (a phone number of two digits), answered after the operator moved on (Alt+N): it waits under "Belum terkirim" for "Muat ke formulir". */
async function leaveRefused(page: Page, name: string, text: string) {
  await page.route(SENDS, async (route) => {
    await new Promise((r) => setTimeout(r, 800));
    await route.continue();
  });
  await keyCall(page, { name, phone: '12', text });
  await page.keyboard.press('Alt+N');
  await expect.poll(() => outboxLines(page)).toEqual([expect.stringContaining('ditolak')]);
  await page.unroute(SENDS);
}

/** Station time (WIB) as the desk shows it, `ms` after the epoch. */
const wib = (ms: number) => new Date(ms + OFFSET_MS).toISOString().slice(11, 16);

describe('radio desk mishaps, in Chromium', () => {
  it('"Muat ke formulir" asks before it replaces a caller being typed, and a loaded call is kept as the draft', async () => {
    const { context, page } = await openDesk('siti');
    try {
      const refused = 'Pohon besar di depan SDN Sentul condong ke jalan, takut tumbang';
      await leaveRefused(page, 'Pak Bambang', refused);
      // The next caller is on the line and being typed.
      await page.locator('#caller-name').fill('Bu Wati');
      const asked: string[] = [];
      page.once('dialog', (d) => {
        asked.push(d.message());
        void d.dismiss();
      });
      await page.locator('#outbox-list button').click();
      await expect.poll(() => asked.length).toBe(1);
      expect(asked[0]).toContain('Bu Wati');
      // Said no: nothing changed.
      expect(await page.locator('#caller-name').inputValue()).toBe('Bu Wati');
      expect(await outboxLines(page)).toEqual([expect.stringContaining('ditolak')]);

      page.once('dialog', (d) => void d.accept());
      await page.locator('#outbox-list button').click();
      await expect.poll(() => page.locator('#text').inputValue()).toBe(refused);
      expect(await page.locator('#caller-name').inputValue()).toBe('Pak Bambang');
      expect(await page.locator('#err-caller-phone').textContent()).toContain('Nomor HP tidak valid');
      expect(await page.locator('#outbox').isHidden()).toBe(true);
      // Out of the outbox it is the draft: a reload (or a login after the session ended) keeps it.
      await page.reload();
      expect(await page.locator('#text').inputValue()).toBe(refused);
      expect(await page.locator('#caller-name').inputValue()).toBe('Pak Bambang');
    } finally {
      await context.close();
    }
  });

  it('"Muat ke formulir" while a send is under way waits for it: the answer then clears only the call it was for', async () => {
    const { context, page } = await openDesk('siti');
    try {
      const refused = 'Saluran air di Jalan Kenari mampet, air menggenang di jalan';
      await leaveRefused(page, 'Bu Sri', refused);
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await page.route(SENDS, async (route) => {
        await new Promise((r) => setTimeout(r, 1500));
        await route.continue();
      });
      await keyCall(page, { name: 'Pak Karyo', text: 'Lampu PJU di Jalan Kalimantan mati, gelap sekali kalau malam' });
      await page.locator('#outbox-list li', { hasText: 'ditolak' }).getByRole('button').click();
      await expect.poll(() => page.locator('#notice').textContent()).toContain('sedang dikirim');
      await expect.poll(() => page.locator('#result-caption').textContent(), { timeout: 5_000 }).toContain('Tiket baru');
      await page.unroute(SENDS);
      expect(await page.locator('#text').inputValue()).toBe('');
      // The refused call is still there to load, and loads into the empty form without a question.
      expect(await outboxLines(page)).toEqual([expect.stringContaining('ditolak')]);
      await page.locator('#outbox-list button').click();
      await expect.poll(() => page.locator('#text').inputValue()).toBe(refused);
      expect(dialogs).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('Enter again on the emptied form (a double press, or after F2) does nothing: no error, the cursor stays on the caller name', async () => {
    const { context, page } = await openDesk('siti');
    try {
      await keyCall(page, { name: 'Pak Slamet', text: 'Jukir liar di depan Pasar Legi minta parkir lima ribu tanpa karcis' });
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('#result-caption').textContent()).toContain('Tiket baru');
      const ticket = (await page.locator('#ticket').textContent()) ?? '';
      // The second press lands once the first was answered and the form cleared.
      await page.keyboard.press('Enter');
      await page.waitForTimeout(300);
      expect(await page.locator('#err-text').isHidden()).toBe(true);
      expect(await activeId(page)).toBe('caller-name');
      // F2, then Enter.
      await page.locator('#text').fill('Parkir liar lagi di Pasar Legi, tarifnya mahal sekali');
      await expect.poll(() => page.locator('#hint-list li').first().textContent(), { timeout: 10_000 }).toContain(ticket);
      await page.keyboard.press('F2');
      await expect.poll(() => page.locator('#result-caption').textContent()).toContain('Ditautkan');
      await page.keyboard.press('Enter');
      await page.waitForTimeout(300);
      expect(await page.locator('#err-text').isHidden()).toBe(true);
      expect(await activeId(page)).toBe('caller-name');
      // The next caller's name goes where it belongs.
      await page.keyboard.type('Bu Ani');
      expect(await page.locator('#caller-name').inputValue()).toBe('Bu Ani');
      expect(await page.locator('#text').inputValue()).toBe('');
    } finally {
      await context.close();
    }
  });

  it("another operator logging in in the same browser: the first tab says so, keeps its calls and files nothing under the other's name", async () => {
    const { context, page: siti } = await openDesk('siti');
    const waiting = 'Sampah menumpuk di TPS dekat Pasar Templek belum diangkut tiga hari';
    const typedAfter = 'Jalan kampung berlubang besar di Sukorejo, sudah ada yang jatuh';
    const budisCall = 'Pohon mahoni di tepi jalan Mayang condong ke arah rumah warga';
    try {
      // Siti has a call waiting (her network dropped).
      await siti.route(SENDS, (route) => route.abort('connectionrefused'));
      await keyCall(siti, { name: 'Bu Tini', text: waiting });
      await expect.poll(() => outboxLines(siti)).toEqual([expect.stringContaining('menunggu')]);
      // Budi logs in in a second tab: the browser's session cookie is now his.
      const budi = await newPage(context);
      await logIn(budi, 'budi');
      await keyCall(budi, { name: 'Pak Edi', text: budisCall });
      await expect.poll(() => budi.locator('#result-caption').textContent()).toContain('Tiket baru');
      await siti.unroute(SENDS);

      await expect.poll(() => siti.locator('#notice').textContent(), { timeout: 5_000 }).toContain('akun lain');
      await keyCall(siti, { name: 'Pak Darto', text: typedAfter });
      await expect.poll(() => outboxLines(siti)).toHaveLength(2);
      // A resend and two board polls later: nothing sent, nothing of Budi's station shown.
      await siti.waitForTimeout(6_000);
      expect(await outboxLines(siti)).toEqual([expect.stringContaining('menunggu'), expect.stringContaining('menunggu')]);
      expect(await queued(waiting)).toEqual([]);
      expect(await queued(typedAfter)).toEqual([]);
      expect(await siti.locator('#board-rows').textContent()).not.toContain('Pohon mahoni');
      expect(await siti.locator('#notice').textContent()).toContain('akun lain');

      // Siti logs in again in her tab: her calls are sent, as hers, at her station.
      await siti.locator('#notice a').click();
      await siti.locator('#username').fill('siti');
      await siti.locator('#password').fill(PASSWORD);
      await siti.locator('#password').press('Enter');
      await siti.waitForURL(`${base}/desk`);
      await expect.poll(() => siti.locator('#outbox').isHidden(), { timeout: 10_000 }).toBe(true);
      for (const text of [waiting, typedAfter]) expect((await queued(text)).map((c) => [c.intake.operatorId, c.source.account])).toEqual([['siti', STATION]]);
    } finally {
      await context.close();
    }
  });

  it('fills the call time when the caller is typed, not when the programme is edited or a box ticked', async () => {
    const { context, page } = await openDesk('siti');
    try {
      await page.locator('#program').fill('Halo Blitar Siang');
      await page.locator('#consent').check();
      await page.locator('#anonymous').uncheck();
      expect(await page.locator('#call-time').inputValue()).toBe('');
      await page.locator('#caller-phone').fill('0812 3456 7890');
      expect(await page.locator('#call-time').inputValue()).toMatch(/^\d\d:\d\d$/);
    } finally {
      await context.close();
    }
  });

  it("a desk computer 10 minutes fast and not on WIB: the call time shown and sent is the station's, by the server's clock", async () => {
    const { context, page } = await openDesk('siti', { timezoneId: 'Europe/London', clockAheadMs: 10 * 60_000 });
    try {
      const now = 'Selokan di depan rumah tersumbat, air meluber ke jalan raya';
      const before = Date.now();
      await page.locator('#caller-name').fill('Pak Darto');
      expect([wib(before), wib(Date.now())]).toContain(await page.locator('#call-time').inputValue());
      await page.locator('#program').fill('Halo Blitar Malam');
      await page.locator('#text').fill(now);
      await page.locator('#text').press('Enter');
      await expect.poll(() => page.locator('#result-caption').textContent()).toContain('Tiket baru');
      const [filed] = await queued(now);
      expect(Math.abs(Date.parse(filed?.intake.callTime ?? '') - before)).toBeLessThan(90_000);

      // A call time typed by the operator is the station's too.
      const earlier = 'Tiang listrik miring di ujung gang, kabelnya menjuntai rendah';
      const threeMinutesAgo = Date.now() - 3 * 60_000;
      await keyCall(page, { name: 'Bu Lestari', callTime: wib(threeMinutesAgo), text: earlier });
      await expect.poll(() => page.locator('#result-caption').textContent()).toContain('Tiket baru');
      const [typed] = await queued(earlier);
      expect(Math.abs(Date.parse(typed?.intake.callTime ?? '') - threeMinutesAgo)).toBeLessThan(61_000);
      // The board reads station time as well.
      await expect.poll(() => page.locator('#board-rows tr', { hasText: 'Tiang listrik' }).locator('td').first().textContent()).toBe(wib(Date.parse(typed?.intake.callTime ?? '')));
    } finally {
      await context.close();
    }
  });

  it('an entry the gateway keeps failing (500) does not hold back the entries after it', async () => {
    const { context, page } = await openDesk('siti');
    const failing = 'Got di Jalan Mastrip meluap tiap hujan, air masuk ke rumah warga';
    try {
      await page.route(SENDS, (route) => route.abort('connectionrefused'));
      await keyCall(page, { name: 'Bu Ning', text: failing });
      await keyCall(page, { name: 'Pak Gimin', text: 'Pohon tumbang menutup Jalan Kenari, mobil tidak bisa lewat' });
      await expect.poll(() => outboxLines(page)).toHaveLength(2);
      await page.unroute(SENDS);
      await page.route(SENDS, (route) =>
        (route.request().postData() ?? '').includes(failing) ? route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: 'internal_error', message: 'A bug' }) }) : route.continue(),
      );
      await expect.poll(() => page.locator('#late-list li').first().textContent(), { timeout: 12_000 }).toMatch(/^Terkirim terlambat — tiket Pak Gimin: ADU-/);
      expect(await outboxLines(page)).toEqual([expect.stringMatching(/^Got di Jalan Mastrip.* — menunggu$/)]);
    } finally {
      await context.close();
    }
  });

  it('an account refused (403) leaves the waiting entries waiting, and they are sent once its operator logs in again', async () => {
    const { context, page } = await openDesk('siti');
    try {
      await page.route(SENDS, (route) => route.abort('connectionrefused'));
      await keyCall(page, { name: 'Pak Yono', text: 'Sampah di TPS dekat Pasar Templek masih menumpuk, belum diangkut' });
      await keyCall(page, { name: 'Bu Rini', text: 'Trotoar di Jalan Merdeka rusak, banyak paving yang lepas' });
      await expect.poll(() => outboxLines(page)).toHaveLength(2);
      await gw.deps.auth.users.setDisabled('siti', true);
      // The resend meets the 403 and the form is sent too.
      await page.unroute(SENDS);
      await keyCall(page, { name: 'Pak Harto', text: 'Pipa PDAM bocor di depan balai RW, air terbuang terus' });
      await expect.poll(() => page.locator('#notice').textContent()).toContain('Akun Anda dinonaktifkan');
      await expect.poll(() => outboxLines(page)).toHaveLength(3);
      await page.waitForTimeout(5_500);
      expect(await outboxLines(page)).toEqual([expect.stringContaining('menunggu'), expect.stringContaining('menunggu'), expect.stringContaining('menunggu')]);

      await gw.deps.auth.users.setDisabled('siti', false);
      await logIn(page, 'siti');
      await expect.poll(() => page.locator('#outbox').isHidden(), { timeout: 10_000 }).toBe(true);
      expect(await page.locator('#late-list li').count()).toBe(3);
    } finally {
      await gw.deps.auth.users.setDisabled('siti', false);
      await context.close();
    }
  });

  it('an entry refused without an answer about it (marked by an earlier desk on a 403) keeps its idempotency key when loaded back: filed once', async () => {
    const { context, page } = await openDesk('siti');
    const arrived = 'Lampu PJU di gang masjid Sananwetan mati sudah seminggu';
    try {
      // The gateway takes it, its answer is lost.
      let first: { ticket: string } | undefined;
      await page.route(SENDS, async (route) => {
        if (!first) first = (await (await route.fetch()).json()) as { ticket: string };
        await route.abort('connectionreset');
      });
      await keyCall(page, { name: 'Pak Lurah', text: arrived });
      await expect.poll(() => outboxLines(page)).toEqual([expect.stringContaining('menunggu')]);
      expect(first?.ticket).toMatch(/^ADU-/);
      // An earlier version of the desk marked waiting entries refused for good on a 403.
      await page.evaluate(`(() => {
        const list = JSON.parse(localStorage.getItem('aduan.desk.outbox.siti'));
        list[0].rejected = 'Akun Anda dinonaktifkan. Silakan hubungi admin.';
        localStorage.setItem('aduan.desk.outbox.siti', JSON.stringify(list));
      })()`);
      await page.unroute(SENDS);
      await page.reload();
      await page.locator('#outbox-list button').click();
      await expect.poll(() => page.locator('#text').inputValue()).toBe(arrived);
      await page.locator('#text').press('Enter');
      await expect.poll(() => page.locator('#result-caption').textContent()).toContain('Tiket baru');
      expect(await page.locator('#ticket').textContent()).toBe(first?.ticket);
      expect(await queued(arrived)).toHaveLength(1);
    } finally {
      await context.close();
    }
  });
  it('a reload while a call is being sent leaves the call to the outbox, not in the form: Enter after the reload files nothing more, one complaint, one ticket', async () => {
    const { context, page } = await openDesk('siti');
    const text = 'Pohon tumbang menutup jalan di Jl. Mastrip, belum dipotong sejak kemarin';
    const keys: string[] = [];
    try {
      // The gateway files the first send, whose answer does not come back before the page is
      // reloaded (a slow link, then F5 or a crash).
      let held = false;
      await page.route(SENDS, async (route) => {
        keys.push(route.request().headers()['idempotency-key'] ?? '');
        if (held) return route.continue();
        held = true;
        await route.fetch();
      });
      await keyCall(page, { name: 'Pak Slamet', phone: '081234000111', text });
      await expect.poll(() => queued(text)).toHaveLength(1);
      const [filed] = await queued(text);
      await page.reload();
      expect(await page.locator('#caller-name').inputValue()).toBe('');
      expect(await page.locator('#caller-phone').inputValue()).toBe('');
      expect(await page.locator('#text').inputValue()).toBe('');
      expect(await page.locator('#program').inputValue()).toBe('Halo Blitar Malam');
      expect(await page.locator('#notice').textContent()).toContain('Pak Slamet sedang dikirim');
      // The outbox sends it under its key: the first ticket, listed with its caller.
      await expect.poll(() => page.locator('#late-list li').first().textContent(), { timeout: 12_000 }).toBe(`Terkirim terlambat — tiket Pak Slamet: ${filed?.ticket}`);
      // Enter, as the operator would on a form they thought still held the caller, files nothing.
      await page.locator('#text').press('Enter');
      await page.locator('#caller-name').press('Enter');
      await page.waitForTimeout(1_000);
      expect(await queued(text)).toHaveLength(1);
      expect(new Set(keys).size).toBe(1);
      expect(await outboxLines(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a call reloaded away during its send and then refused is back with "Muat ke formulir": its words and the reason, sent once corrected', async () => {
    const { context, page } = await openDesk('siti');
    const text = 'Saluran air di depan SDN Kepanjenkidul mampet, baunya sampai ke kelas';
    try {
      // Its first send is never answered; sent again after the reload, the gateway refuses the number.
      let held = false;
      await page.route(SENDS, (route) => {
        if (held) return route.continue();
        held = true;
      });
      await keyCall(page, { name: 'Bu Warsini', phone: '12', text });
      await expect.poll(() => held).toBe(true);
      await page.reload();
      expect(await page.locator('#caller-name').inputValue()).toBe('');
      await expect.poll(() => outboxLines(page)).toEqual([expect.stringContaining('ditolak')]);
      expect(await page.locator('#notice').textContent()).toContain('Aduan sebelumnya ditolak');
      await page.locator('#outbox-list button').click();
      await expect.poll(() => page.locator('#text').inputValue()).toBe(text);
      expect(await page.locator('#caller-name').inputValue()).toBe('Bu Warsini');
      expect(await page.locator('#caller-phone').inputValue()).toBe('12');
      expect(await page.locator('#err-caller-phone').textContent()).toContain('Nomor HP tidak valid');
      await page.locator('#caller-phone').fill('0812 3400 0222');
      await page.locator('#text').press('Enter');
      await expect.poll(() => page.locator('#result-caption').textContent()).toContain('Tiket baru');
      expect((await queued(text)).map((c) => c.reporter.phone)).toEqual(['+6281234000222']);
    } finally {
      await context.close();
    }
  });
});

describe('the radio desk before (or without) its script, in Chromium', () => {
  it('without JavaScript it takes no call: nothing typed reaches the URL or the history, and the page says why', async () => {
    const context = await newBrowser({ javaScriptEnabled: false });
    const page = await newPage(context);
    const visited: string[] = [];
    page.on('request', (r) => visited.push(r.url()));
    page.on('framenavigated', (f) => visited.push(f.url()));
    try {
      await logIn(page, 'siti');
      // The operator clicks into the fields, types a caller and presses Enter.
      await page.locator('#caller-name').click({ force: true });
      await page.keyboard.type('Bu Sri Wahyuni');
      await page.locator('#caller-phone').click({ force: true });
      await page.keyboard.type('081234000111');
      await page.keyboard.press('Enter');
      await page.waitForTimeout(500);
      await page.waitForLoadState();
      expect(page.url()).toBe(`${base}/desk`);
      expect(visited.filter((u) => u.includes('?') && u.startsWith(`${base}/desk`))).toEqual([]);
      expect(visited.filter((u) => /Wahyuni|081234000111/.test(u))).toEqual([]);
      // (Playwright's text selectors skip <noscript>: the message is found by its element.)
      const told = page.locator('noscript p');
      expect(await told.isVisible()).toBe(true);
      expect(await told.textContent()).toContain('JavaScript di browser ini mati');
      expect(await page.locator('#loading').isVisible()).toBe(false);
      expect(await page.locator('#net').textContent()).not.toBe('Terhubung');
      expect(await page.locator('#submit').isDisabled()).toBe(true);
      await page.screenshot({ path: 'test-results/desk-noscript.png' }).catch(() => {});
    } finally {
      await context.close();
    }
  });

  it('while desk.js is still loading the forms are closed and say so, and the header claims no connection; once it runs they open', async () => {
    const context = await newBrowser();
    const page = await newPage(context);
    let release = () => {};
    const arrived = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route('**/desk/desk.js', async (route) => {
      await arrived;
      await route.continue();
    });
    try {
      await logIn(page, 'siti', 'commit');
      await page.locator('#entry').waitFor();
      expect(await page.locator('#loading').isVisible()).toBe(true);
      expect(await page.locator('#loading').textContent()).toContain('sedang dimuat');
      expect(await page.locator('#net').textContent()).toBe('Memuat…');
      for (const id of ['caller-name', 'text', 'submit', 'lookup-ticket']) expect(await page.locator(`#${id}`).isDisabled(), id).toBe(true);
      await page.locator('#caller-name').click({ force: true });
      await page.keyboard.type('Pak Darto');
      await page.keyboard.press('Enter');
      await page.waitForTimeout(300);
      expect(page.url()).toBe(`${base}/desk`);

      release();
      await expect.poll(() => page.locator('#loading').isHidden()).toBe(true);
      expect(await page.locator('#caller-name').isEnabled()).toBe(true);
      await expect.poll(() => activeId(page)).toBe('caller-name');
      await expect.poll(() => page.locator('#net').textContent()).toBe('Terhubung');
    } finally {
      await context.close();
    }
  });
});
