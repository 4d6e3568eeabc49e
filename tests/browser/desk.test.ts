import { Queue } from 'bullmq';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, QueueNames } from '@aduan/queue';
import { RoutedComplaint } from '@aduan/schema';
import { memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { accessibilityViolations, watchScriptProblems } from '../support/chromium.ts';
import { startBrowserStack, type BrowserStack } from '../support/stack.ts';

/** The radio desk in a real headless Chromium with the real router: keyboard only. */
const url = testRedisUrl();
const prefix = uniquePrefix('desk-browser');
const { logger } = memoryLogger('desk-browser');
const PASSWORD = 'kata-sandi-rahasia-1';
let browser: Browser;
let stack: BrowserStack | undefined;
let gw: BrowserStack['gw'];
let base: string;
let routedQ: Queue;
let page: Page;
let scriptProblems: string[] = [];

beforeAll(async () => {
  stack = await startBrowserStack({ url, prefix, logger, env: { WHATSAPP_PUBLIC_NUMBER: '+6281130001234' } });
  ({ gw, base, browser } = stack);
  await gw.deps.auth.users.add({ username: 'siti', password: PASSWORD, role: 'operator', station: 'Radio Patria FM' });
  routedQ = new Queue(QueueNames.routed, { connection: createRedis(url, 'worker'), prefix });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'id-ID' });
  scriptProblems = watchScriptProblems(page);
}, 60_000);
afterAll(async () => {
  // The desk's script ran under the pages' CSP the whole time, and nothing in it threw.
  expect(scriptProblems).toEqual([]);
  await routedQ?.close();
  await stack?.close();
});

const activeId = () => page.evaluate('document.activeElement && document.activeElement.id') as Promise<string>;
const kb = () => page.keyboard;
async function tab(times = 1) {
  for (let i = 0; i < times; i++) await kb().press('Tab');
}

/** Keys one call-in from the first field; fields left undefined are tabbed past. */
async function keyCall(c: { name?: string; phone?: string; consent?: boolean; program?: string; text: string; category?: string; kelurahan?: string; landmark?: string }) {
  expect(await activeId()).toBe('caller-name');
  if (c.name) await kb().type(c.name);
  await tab();
  if (c.phone) await kb().type(c.phone);
  await tab(2); // anonim di udara stays on
  if (c.consent) await kb().press('Space');
  await tab();
  if (c.program) {
    await kb().press('Control+A');
    await kb().type(c.program);
  }
  await tab(2); // call time: filled in when typing started
  await kb().type(c.text);
  await tab();
  if (c.category) {
    await kb().type(c.category);
    await kb().press('ArrowDown');
    await kb().press('Enter'); // picks the highlighted option, does not submit
  }
  await tab();
  if (c.kelurahan) await kb().type(c.kelurahan);
  await tab();
  if (c.landmark) await kb().type(c.landmark);
}

/** The focused element as a test names it: its id, else its text, else its tag (BODY when focus left the page's controls). */
const focused = () => page.evaluate(`(() => { const a = document.activeElement; return !a || a === document.body ? 'BODY' : a.id || a.textContent.trim() || a.tagName; })()`) as Promise<string>;
/** True when the whole element is inside the viewport (to a rounding pixel) and nothing is drawn over its middle. */
const inView = (selector: string) =>
  page.evaluate(`(() => {
    const el = document.querySelector(${JSON.stringify(selector)});
    const r = el.getBoundingClientRect();
    if (!r.height || r.top < -1 || r.bottom > window.innerHeight + 1) return false;
    const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return el === top || el.contains(top);
  })()`) as Promise<boolean>;

/** Leaves the desk as the next step expects it (form empty, cursor in the first field), even when a step failed midway. */
async function nextCaller() {
  await kb().press('Escape');
  await kb().press('Alt+N');
}

/** Back on the desk with a live session and an empty form, also when a step failed on the login page or after the session ended. */
async function backAtDesk() {
  await page.goto(`${base}/desk`);
  if (page.url() !== `${base}/desk`) {
    await page.locator('#username').fill('siti');
    await page.locator('#password').fill(PASSWORD);
    await page.locator('#password').press('Enter');
    await page.waitForURL(`${base}/desk`);
  }
  await expect.poll(activeId).toBe('caller-name');
  await nextCaller();
}

async function boardRow(ticket: string) {
  return page.locator(`#board-rows tr[data-ticket="${ticket}"]`);
}

describe('radio desk in Chromium', () => {
  let jukirTicket = '';
  let sampahTicket = '';

  it('logs in with the keyboard and lands on the desk with the first field focused', async () => {
    await page.goto(`${base}/desk`);
    expect(page.url()).toBe(`${base}/login?next=%2Fdesk`);
    // Chromium applies autofocus when it next renders, which can come after the load event on a
    // busy machine: wait for focus to land rather than read it once.
    await expect.poll(activeId).toBe('username');
    await kb().type('SITI');
    await tab();
    await kb().type('wrong-password-1');
    await kb().press('Enter');
    await page.waitForLoadState();
    expect(await page.locator('#login-message').textContent()).toContain('Nama pengguna atau kata sandi salah.');
    await expect.poll(activeId).toBe('password');
    await kb().type(PASSWORD);
    await kb().press('Enter');
    await page.waitForURL(`${base}/desk`);
    await expect.poll(activeId).toBe('caller-name');
  });

  it('labels every field and tabs through them in a sensible order', async () => {
    const unlabelled = await page.evaluate(`[...document.querySelectorAll('input:not([type=hidden]), textarea, select')].filter((el) => el.labels.length === 0 && !el.getAttribute('aria-label')).map((el) => el.id || el.name)`);
    expect(unlabelled).toEqual([]);
    const order: string[] = [];
    for (let i = 0; i < 11; i++) {
      order.push(await activeId());
      await tab();
    }
    expect(order).toEqual(['caller-name', 'caller-phone', 'anonymous', 'consent', 'program', 'call-time', 'text', 'category', 'kelurahan', 'landmark', 'submit']);
    expect(await page.locator('.keys').textContent()).toContain('F2');
    await kb().press('Alt+N');
  });

  it('keys two call-ins with the keyboard only; both tickets show and the live board gets their OPDs', async () => {
    await keyCall({ name: 'Pak Slamet', phone: '0812 3456 7890', consent: true, program: 'Halo Blitar Pagi', text: 'Jukir liar di depan Pasar Legi minta parkir lima ribu tanpa karcis', category: 'parkir', kelurahan: 'Bendogerit', landmark: 'Pasar Legi' });
    await kb().press('Enter');
    await expect.poll(() => page.locator('#ticket').textContent()).toMatch(/^ADU-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    jukirTicket = (await page.locator('#ticket').textContent()) ?? '';
    expect(await page.locator('#result-caption').textContent()).toContain('Tiket baru');
    // The caller gave a number: the operator tells them how to check from it.
    expect(await page.locator('#result-detail').textContent()).toContain(`kirim "cek ${jukirTicket}" lewat WhatsApp ke 0811-3000-1234 dari nomor HP-nya`);
    expect(await activeId()).toBe('caller-name');
    expect(await page.locator('#text').inputValue()).toBe('');
    expect(await page.locator('#program').inputValue()).toBe('Halo Blitar Pagi');
    // The ticket is big enough to read on air.
    expect(parseFloat((await page.evaluate(`getComputedStyle(document.getElementById('ticket')).fontSize`)) as string)).toBeGreaterThanOrEqual(40);

    await keyCall({ name: 'Bu Ani', text: 'Sampah menumpuk di TPS dekat Pasar Templek belum diangkut tiga hari, baunya menyengat', kelurahan: 'Kepanjenkidul' });
    await kb().press('Enter');
    await expect.poll(() => page.locator('#ticket').textContent()).not.toBe(jukirTicket);
    sampahTicket = (await page.locator('#ticket').textContent()) ?? '';
    expect(await page.locator('#result-detail').textContent()).not.toContain('WhatsApp');

    await expect.poll(async () => (await boardRow(jukirTicket)).locator('.opd').textContent(), { timeout: 15_000 }).toBe('Dinas Perhubungan');
    await expect.poll(async () => (await boardRow(sampahTicket)).locator('.opd').textContent(), { timeout: 15_000 }).toBe('Dinas Lingkungan Hidup');
    await page.screenshot({ path: 'test-results/desk-board.png', fullPage: true }).catch(() => {});
  });

  it('hints the earlier complaint for a similar call and links it with one key', async () => {
    await keyCall({ name: 'Mas Joko', text: 'Parkir liar lagi di Pasar Legi, tarifnya mahal sekali', kelurahan: 'Bendogerit' });
    await expect.poll(() => page.locator('#hint-list li').first().textContent(), { timeout: 10_000 }).toContain(jukirTicket);
    // Nothing of an emergency in these words: no 112 line.
    expect(await page.locator('#emergency-hint').isVisible()).toBe(false);
    // The same hints found again after another pause in typing are not drawn (nor read out by a
    // screen reader, the list being a live region) again: the item drawn first is still there.
    await page.locator('#hint-list li').first().evaluate((li) => li.setAttribute('data-drawn', 'first'));
    await page.locator('#text').press('End');
    await kb().type(' ');
    await page.waitForTimeout(1_000);
    expect(await page.locator('#hint-list li[data-drawn=first]').count()).toBe(1);
    await page.screenshot({ path: 'test-results/desk-hint.png', fullPage: true }).catch(() => {});
    const callTime = await page.locator('#call-time').inputValue();
    await kb().press('F2');
    await expect.poll(() => page.locator('#result-caption').textContent()).toContain('Ditautkan');
    expect(await page.locator('#ticket').textContent()).toBe(jukirTicket);
    expect(await activeId()).toBe('caller-name');
    await expect.poll(async () => (await boardRow(jukirTicket)).locator('.supporters').textContent()).toBe('1');
    // The linked call is on the station's board too (its tally of the day), newest, as a link to
    // that ticket with its state, at the call's time, and without the caller's name.
    const linked = page.locator(`#board-rows tr.linked[data-linked-to="${jukirTicket}"]`);
    await expect.poll(() => linked.count()).toBe(1);
    expect(await linked.locator('td').allTextContents()).toEqual([callTime, jukirTicket, `Ditautkan ke ${jukirTicket} (pelapor tambahan)`, 'Dinas Perhubungan', '']);
    expect(await page.locator('#board-rows tr').first().getAttribute('data-linked-to')).toBe(jukirTicket);
    expect(await page.locator('#board-rows').textContent()).not.toContain('Joko');
    await page.screenshot({ path: 'test-results/desk-board-link.png', fullPage: true }).catch(() => {});
    // Downstream sees the count: the routed complaint republished as <id>.s1.
    const id = (await gw.deps.status.idForTicket(jukirTicket)) ?? '';
    const job = await waitFor(async () => (await routedQ.getJob(`${id}.s1`)) ?? null, { what: 'routed .s1 job' });
    expect(RoutedComplaint.parse(job.data).supporters).toBe(1);
  });

  it('tells the operator, while the call is typed, to send a caller in an emergency to 112; the next caller starts without it', async () => {
    await keyCall({ name: 'Bu Rini', text: 'Ada kebakaran di gang 3 Sananwetan sekarang, apinya sudah besar', kelurahan: 'Sananwetan' });
    await expect.poll(() => page.locator('#emergency-hint').isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await page.locator('#emergency-hint').textContent()).toContain('segera menelepon 112');
    // Put into a status region that was there all along (announced), not an element unhidden (often not).
    expect(await page.locator('#emergency-hint').getAttribute('hidden')).toBeNull();
    await kb().press('Alt+N');
    await expect.poll(() => page.locator('#emergency-hint').isVisible()).toBe(false);
    expect(await page.locator('#emergency-hint').textContent()).toBe('');
    expect(await activeId()).toBe('caller-name');
  });

  it('looks up a ticket for a caller asking about it: the state, the OPD and its notes (Alt+C, or a click on the board)', async () => {
    const id = (await gw.deps.status.idForTicket(jukirTicket)) ?? '';
    const statusQ = new Queue(QueueNames.status, { connection: createRedis(url, 'worker'), prefix });
    await statusQ.add('status', { schemaVersion: 1, complaintId: id, opd: 'dishub', state: 'in_progress', at: new Date().toISOString(), updateId: `desk-lookup-${id}`, message: 'Petugas parkir sudah ditegur' }, { jobId: `desk-lookup-${id}` });
    await statusQ.close();
    await waitFor(async () => (await gw.deps.status.get(id))?.state === 'in_progress', { what: 'in_progress applied' });

    await kb().press('Alt+C');
    expect(await activeId()).toBe('lookup-ticket');
    await kb().type(`  ${jukirTicket.toLowerCase().replace(/-/g, ' ')} `); // as heard on air
    await kb().press('Enter');
    await expect.poll(() => page.locator('#lookup-state').textContent()).toBe('Sedang ditindaklanjuti (Dinas Perhubungan)');
    expect(await page.locator('#lookup-ticket-shown').textContent()).toBe(jukirTicket);
    const history = await page.locator('#lookup-history li').allTextContents();
    expect(history.map((h) => h.replace(/^\d\d\/\d\d \d\d:\d\d /, ''))).toEqual(['Diterima, menunggu diteruskan', 'Diteruskan ke instansi terkait', 'Sedang ditindaklanjuti — Petugas parkir sudah ditegur']);
    const about = (await page.locator('#lookup-about').textContent()) ?? '';
    expect(about).toContain('Jukir liar di depan Pasar Legi');
    expect(about).toContain('Radio Patria FM');
    expect(about).toContain('1 pelapor tambahan');
    // No caller's name or number on a look-up.
    expect(about).not.toContain('Slamet');

    await page.locator('#lookup-ticket').fill('ADU-0000-0000');
    await kb().press('Enter');
    await expect.poll(() => page.locator('#lookup-error').textContent()).toContain('tidak ditemukan');
    expect(await page.locator('#lookup-result').isHidden()).toBe(true);

    // A click on a ticket of today's board.
    await (await boardRow(jukirTicket)).locator('td.ticket button').click();
    await expect.poll(() => page.locator('#lookup-state').textContent()).toBe('Sedang ditindaklanjuti (Dinas Perhubungan)');
    expect(await page.locator('#lookup-error').isHidden()).toBe(true);
    await kb().press('Alt+N');
  });

  it("warns before and when linking that the caller's name and number are not kept (F2)", async () => {
    try {
      await keyCall({ name: 'Pak Yono', phone: '0813 2222 3333', consent: true, text: 'Sampah di TPS dekat Pasar Templek masih menumpuk, belum diangkut', kelurahan: 'Kepanjenkidul' });
      await expect.poll(() => page.locator('#hint-list li').first().textContent(), { timeout: 10_000 }).toContain(sampahTicket);
      // Before: next to the link buttons, while a name or number is typed.
      await expect.poll(() => page.locator('#link-warning').isVisible()).toBe(true);
      expect(await page.locator('#link-warning').textContent()).toContain('Nama/nomor penelepon tidak disimpan saat ditautkan ke aduan lain.');
      // He asked to be called back: that needs a complaint of his own.
      expect(await page.locator('#link-warning').textContent()).toContain('Kirim sebagai aduan baru (Enter).');
      await page.screenshot({ path: 'test-results/desk-link-warning.png', fullPage: true }).catch(() => {});
      await kb().press('F2');
      await expect.poll(() => page.locator('#result-caption').textContent()).toContain('Ditautkan');
      expect(await page.locator('#ticket').textContent()).toBe(sampahTicket);
      // When: with the ticket to read on air.
      expect(await page.locator('#result-detail').textContent()).toContain('Nama/nomor penelepon tidak disimpan saat ditautkan ke aduan lain.');
      expect(await activeId()).toBe('caller-name');
      expect(await page.locator('#link-warning').isVisible()).toBe(false);
      // Nothing of his is left on the form for the next caller.
      expect(await page.locator('#hint-caller-phone').textContent()).toBe('Disimpan sebagai +62…');
    } finally {
      await nextCaller();
    }
  });


  it('shows a server-side field error inline and keeps everything typed', async () => {
    await keyCall({ name: 'Pak Bambang', phone: '12', text: 'Pohon besar di depan sekolah hampir tumbang, dahannya retak' });
    await kb().press('Enter');
    await expect.poll(() => page.locator('#err-caller-phone').textContent()).toContain('Nomor HP tidak valid');
    expect(await page.locator('#caller-phone').getAttribute('aria-invalid')).toBe('true');
    expect(await activeId()).toBe('caller-phone');
    expect(await page.locator('#text').inputValue()).toBe('Pohon besar di depan sekolah hampir tumbang, dahannya retak');
    expect(await page.locator('#caller-name').inputValue()).toBe('Pak Bambang');
    // Fix it and send.
    await kb().press('Control+A');
    await kb().press('Backspace');
    await kb().press('Enter');
    await expect.poll(() => page.locator('#result-caption').textContent()).toContain('Tiket baru');
  });

  it("greys out the previous caller's ticket once the next caller is typed or refused, and brings the refusal into view (1366x768)", async () => {
    await page.setViewportSize({ width: 1366, height: 768 });
    try {
      await kb().press('Alt+N');
      await keyCall({ name: 'Pak Darto', text: 'Selokan di depan rumah tersumbat, air meluber ke jalan', kelurahan: 'Sukorejo' });
      await kb().press('Enter');
      await expect.poll(() => page.locator('#result-caption').textContent()).toContain('Tiket baru');
      const dartoTicket = (await page.locator('#ticket').textContent()) ?? '';
      expect(await page.locator('#result').getAttribute('class')).not.toContain('previous');

      // The next caller: from her first letter the panel says whose ticket it is.
      await kb().type('B');
      await expect.poll(() => page.locator('#result-caption').textContent()).toBe('Tiket penelepon sebelumnya (Pak Darto):');
      expect(await page.locator('#result').getAttribute('class')).toContain('previous');
      expect(await page.locator('#result-detail').isVisible()).toBe(false);
      await kb().press('Backspace');
      // A mistyped kelurahan: refused by the gateway.
      await keyCall({ name: 'Bu Lestari', text: 'Jalan kampung berlubang besar, sudah ada yang jatuh dari motor', kelurahan: 'Plosokrep' });
      await kb().press('Enter');
      await expect.poll(() => page.locator('#err-kelurahan').textContent()).toContain('Bukan kelurahan di Kota Blitar');
      expect(await activeId()).toBe('kelurahan');
      expect(await inView('#err-kelurahan')).toBe(true);
      await page.screenshot({ path: 'test-results/desk-refused.png' }).catch(() => {});
      expect(await page.locator('#ticket').textContent()).toBe(dartoTicket);
      expect(await page.locator('#result-caption').textContent()).toBe('Tiket penelepon sebelumnya (Pak Darto):');
      expect(await page.locator('#result').getAttribute('class')).toContain('previous');
      // Much smaller than a ticket to read on air.
      expect(parseFloat((await page.evaluate(`getComputedStyle(document.getElementById('ticket')).fontSize`)) as string)).toBeLessThan(30);

      // Corrected and sent: her ticket, to read on air.
      await kb().press('Control+A');
      await kb().type('Plosokerep');
      await kb().press('Enter');
      await expect.poll(() => page.locator('#result-caption').textContent()).toContain('Tiket baru');
      expect(await page.locator('#ticket').textContent()).not.toBe(dartoTicket);
      expect(await page.locator('#result').getAttribute('class')).not.toContain('previous');
      expect(parseFloat((await page.evaluate(`getComputedStyle(document.getElementById('ticket')).fontSize`)) as string)).toBeGreaterThanOrEqual(40);
      // In view again, though the page was scrolled down to the kelurahan's message.
      expect(await inView('#result-caption')).toBe(true);
      expect(await inView('#ticket')).toBe(true);

      // A caller who gave no name: named by programme and call time. Alt+N moves on too.
      await keyCall({ text: 'Pohon mahoni di tepi jalan condong ke arah rumah warga' });
      await kb().press('Enter');
      await expect.poll(() => page.locator('#result-caption').textContent()).toContain('Tiket baru');
      await kb().press('Alt+N');
      expect(await page.locator('#result-caption').textContent()).toMatch(/^Tiket penelepon sebelumnya \(Halo Blitar Pagi, \d\d:\d\d\):$/);
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
      await nextCaller();
    }
  });


  it('picks the only suggestion on Enter, and closes the list when the field is refused', async () => {
    try {
      // Typed "lampu": one category fits; Enter takes it (and sends nothing yet).
      await keyCall({ name: 'Bu Tini', text: 'Lampu jalan di gang masjid mati sudah seminggu' });
      await kb().press('Shift+Tab');
      await kb().press('Shift+Tab');
      expect(await activeId()).toBe('category');
      await kb().type('lampu');
      expect(await page.locator('#category-list li').allTextContents()).toEqual(['Lampu jalan (PJU) mati']);
      await kb().press('Enter');
      expect(await page.locator('#category').inputValue()).toBe('Lampu jalan (PJU) mati');
      expect(await page.locator('#category-list').isHidden()).toBe(true);
      expect(await page.locator('#err-category').isHidden()).toBe(true);
      expect(await page.locator('#text').inputValue()).toBe('Lampu jalan di gang masjid mati sudah seminggu');
      // A misspelt kelurahan is still found.
      await tab();
      await kb().type('Plosokrep');
      expect(await page.locator('#kelurahan-list li').allTextContents()).toEqual(['Plosokerep (Kec. Sananwetan)']);
      await kb().press('Enter');
      expect(await page.locator('#kelurahan').inputValue()).toBe('Plosokerep');
      await kb().press('Enter');
      await expect.poll(() => page.locator('#result-caption').textContent()).toContain('Tiket baru');
      expect(await page.locator('#text').inputValue()).toBe('');

      // Typed "jalan": two fit, none chosen, Enter sends and the gateway refuses it. The error is not
      // left under the open list.
      await keyCall({ name: 'Pak Edi', text: 'Jalan di depan balai RW rusak parah dan berlubang' });
      await kb().press('Shift+Tab');
      await kb().press('Shift+Tab');
      await kb().type('jalan');
      expect(await page.locator('#category-list li').count()).toBe(2);
      await kb().press('Enter');
      await expect.poll(() => page.locator('#err-category').textContent()).toBe('Pilih kategori dari daftar.');
      expect(await page.locator('#category-list').isHidden()).toBe(true);
      expect(await inView('#err-category')).toBe(true);
    } finally {
      await nextCaller();
    }
  });


  it('keeps an entry typed while the network is down and sends it once when it is back', async () => {
    await page.context().setOffline(true);
    await keyCall({ name: 'Bu Sri', text: 'Lampu PJU di Jalan Kalimantan mati, gelap sekali kalau malam' });
    await kb().press('Enter');
    await expect.poll(() => page.locator('#outbox-list li').count()).toBe(1);
    expect(await page.locator('#notice').textContent()).toContain('tersimpan');
    expect(await activeId()).toBe('caller-name');
    // The gateway is still unreachable and the operator reloads the page: the entry survives (localStorage).
    const blocked = '**/api/v1/desk/complaints';
    await page.route(blocked, (route) => route.abort('connectionrefused'));
    await page.context().setOffline(false);
    await page.reload();
    expect(await page.locator('#outbox-list li').count()).toBe(1);
    await page.waitForTimeout(5_500); // at least one failed automatic resend
    expect(await page.locator('#outbox-list li').count()).toBe(1);
    await page.unroute(blocked);
    await expect.poll(() => page.locator('#outbox').isHidden(), { timeout: 15_000 }).toBe(true);
    // Found by its words, not by counting the board's rows: the board is today's (WIB), and a run
    // across midnight WIB (17:00 UTC) starts a new one.
    const rows = page.locator('#board-rows tr', { hasText: 'Lampu PJU di Jalan Kalimantan' });
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(1);
    // Exactly one complaint for it, however many times the outbox retried.
    const board = await page.evaluate(`fetch('/api/v1/desk/board').then((r) => r.json())`) as { entries: { snippet?: string }[] };
    expect(board.entries.filter((e) => e.snippet?.startsWith('Lampu PJU di Jalan Kalimantan'))).toHaveLength(1);
  });

  it('shows an entry sent late from the outbox as late, named, not as the ticket to read now; the network notice goes', async () => {
    try {
      const earlier = (await page.locator('#ticket').textContent()) ?? '';
      await keyCall({ name: 'Pak Karyo', text: 'Saluran air depan pasar mampet, bau sekali kalau siang' });
      await kb().press('Enter');
      await expect.poll(() => page.locator('#ticket').textContent()).not.toBe(earlier);
      expect(await page.locator('#result-caption').textContent()).toContain('Tiket baru');
      const shownBefore = (await page.locator('#ticket').textContent()) ?? '';
      await page.context().setOffline(true);
      await keyCall({ name: 'Pak Anwar', text: 'Tiang listrik miring di ujung gang, kabelnya menjuntai rendah' });
      await kb().press('Enter');
      await expect.poll(() => page.locator('#notice').textContent()).toContain('Jaringan putus');
      // The next caller is being typed when the network comes back.
      await kb().type('Bu Wati');
      await page.context().setOffline(false);
      await expect.poll(() => page.locator('#outbox').isHidden(), { timeout: 15_000 }).toBe(true);
      // The big panel still shows the earlier ticket, as an earlier caller's.
      expect(await page.locator('#result-caption').textContent()).toBe('Tiket penelepon sebelumnya (Pak Karyo):');
      expect(await page.locator('#ticket').textContent()).toBe(shownBefore);
      // The late one is listed apart, with its caller's name.
      await expect.poll(() => page.locator('#late-list li').first().textContent()).toMatch(/^Terkirim terlambat — tiket Pak Anwar: ADU-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      const lateTicket = /ADU-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec((await page.locator('#late-list li').first().textContent()) ?? '')?.[0];
      expect(lateTicket).not.toBe(shownBefore);
      expect(await page.locator('#caller-name').inputValue()).toBe('Bu Wati');
      // Connected, nothing waits: no network notice left.
      await expect.poll(() => page.locator('#notice').isHidden()).toBe(true);
      await expect.poll(() => page.locator('#net').textContent()).toBe('Terhubung');
      await page.screenshot({ path: 'test-results/desk-late.png' }).catch(() => {});
    } finally {
      await page.context().setOffline(false);
      await nextCaller();
    }
  });


  it('keeps a choice picked from a list in the typed draft: reloaded (as when logging in again), the landmark and the kelurahan it filled in are back', async () => {
    try {
      await keyCall({ text: 'Parkir liar di depan pasar setiap sore, jalan jadi macet' });
      expect(await activeId()).toBe('landmark');
      await kb().type('Pasar Le');
      await kb().press('ArrowDown');
      await kb().press('Enter'); // picks, fills in its kelurahan, sends nothing
      expect(await page.locator('#landmark').inputValue()).toBe('Pasar Legi');
      expect(await page.locator('#kelurahan').inputValue()).toBe('Bendogerit');
      await page.reload();
      expect(await page.locator('#text').inputValue()).toBe('Parkir liar di depan pasar setiap sore, jalan jadi macet');
      expect(await page.locator('#landmark').inputValue()).toBe('Pasar Legi');
      expect(await page.locator('#kelurahan').inputValue()).toBe('Bendogerit');
    } finally {
      await nextCaller();
    }
  });

  it('a send that is never answered (a link that died without a word) frees the desk for the next caller within seconds; the entry is sent once later', async () => {
    // Its first send hangs, as behind a modem that lost its link or a proxy whose upstream hangs.
    const sends = '**/api/v1/desk/complaints';
    let sent = 0;
    await page.route(sends, (route) => (sent++ === 0 ? undefined : route.continue()));
    try {
      await keyCall({ name: 'Pak Gimin', text: 'Pohon tumbang menutup Jalan Kenari, mobil tidak bisa lewat' });
      await kb().press('Enter');
      // Not the whole TCP timeout (minutes, Enter doing nothing): the form is cleared and the entry waits.
      await expect.poll(() => page.locator('#text').inputValue(), { timeout: 12_000 }).toBe('');
      expect(await page.locator('#notice').textContent()).toContain('Jaringan putus');
      expect(await activeId()).toBe('caller-name');
      expect(await page.locator('#outbox-list li').count()).toBe(1);
      // Sent again by the outbox: listed as late, under its caller's name.
      await expect.poll(() => page.locator('#late-list li').first().textContent(), { timeout: 15_000 }).toMatch(/^Terkirim terlambat — tiket Pak Gimin: ADU-/);
      const board = (await page.evaluate(`fetch('/api/v1/desk/board').then((r) => r.json())`)) as { entries: { snippet?: string }[] };
      expect(board.entries.filter((e) => e.snippet?.startsWith('Pohon tumbang menutup Jalan Kenari'))).toHaveLength(1);
    } finally {
      await page.unroute(sends);
      await nextCaller();
    }
  });

  it('a send the gateway answers but does not take (503) says the server is busy, not that the network is down; the entry is sent later', async () => {
    const sends = '**/api/v1/desk/complaints';
    let sent = 0;
    await page.route(sends, (route) =>
      sent++ === 0 ? route.fulfill({ status: 503, contentType: 'application/json', headers: { 'retry-after': '5' }, body: JSON.stringify({ error: 'queue_unavailable', message: 'Redis is unreachable' }) }) : route.continue(),
    );
    try {
      await keyCall({ name: 'Bu Ning', text: 'Got di Jalan Mastrip meluap tiap hujan, air masuk ke rumah warga' });
      await kb().press('Enter');
      await expect.poll(() => page.locator('#notice').textContent()).toContain('Server sedang sibuk: aduan tersimpan');
      expect(await page.locator('#notice').textContent()).not.toContain('Jaringan putus');
      expect(await page.locator('#net').textContent()).toBe('Terhubung');
      expect(await page.locator('#outbox-list li').count()).toBe(1);
      await expect.poll(() => page.locator('#late-list li').first().textContent(), { timeout: 15_000 }).toMatch(/^Terkirim terlambat — tiket Bu Ning: ADU-/);
    } finally {
      await page.unroute(sends);
      await nextCaller();
    }
  });

  it('a session that ends while a call is typed: "Masuk lagi" keeps the keyboard focus while the desk polls, and after logging in again the call is sent', async () => {
    try {
      await keyCall({ name: 'Bu Warsini', text: 'Sampah menumpuk di depan Pasar Templek sudah tiga hari' });
      const session = (await page.context().cookies()).find((c) => c.name === gw.deps.auth.cookie.name);
      await gw.deps.auth.sessions.destroy(session?.value ?? '');
      // The board's poll finds out within 3 s; Enter keeps the call in the outbox.
      await expect.poll(() => page.locator('#notice').textContent(), { timeout: 5_000 }).toContain('Sesi Anda sudah berakhir');
      await kb().press('Enter');
      await expect.poll(() => page.locator('#outbox-list li').count()).toBe(1);
      expect(await activeId()).toBe('caller-name');
      await kb().press('Shift+Tab');
      expect(await focused()).toBe('Masuk lagi');
      // Two board polls and a resend later (each finding the session over), the link still has the focus.
      await page.waitForTimeout(6_500);
      expect(await focused()).toBe('Masuk lagi');
      await kb().press('Enter');
      await page.waitForURL(`${base}/login?next=/desk&expired=1`);
      await expect.poll(activeId).toBe('username');
      await kb().type('siti');
      await tab();
      await kb().type(PASSWORD);
      await kb().press('Enter');
      await page.waitForURL(`${base}/desk`);
      await expect.poll(() => page.locator('#late-list li').first().textContent(), { timeout: 10_000 }).toMatch(/^Terkirim terlambat — tiket Bu Warsini: ADU-/);
      expect(await page.locator('#outbox').isHidden()).toBe(true);
    } finally {
      await backAtDesk();
    }
  });

  it('an account disabled while logged in is told at once by the board poll, not at the next send', async () => {
    await gw.deps.auth.users.setDisabled('siti', true);
    try {
      await expect.poll(() => page.locator('#notice').textContent(), { timeout: 5_000 }).toBe('Akun Anda dinonaktifkan. Silakan hubungi admin.');
      // Said once: the polls after it leave it (and the keyboard focus) alone.
      await page.waitForTimeout(3_500);
      expect(await page.locator('#notice').textContent()).toBe('Akun Anda dinonaktifkan. Silakan hubungi admin.');
    } finally {
      // Enabled again: its sessions were ended with the disabling; the operator logs in again.
      await gw.deps.auth.users.setDisabled('siti', false);
      await backAtDesk();
    }
  });

  it('logging out leaves no half-typed caller on the computer', async () => {
    await page.locator('#caller-name').fill('Pak Harto');
    await page.locator('#caller-phone').fill('0812 9999 1111');
    await page.locator('#caller-phone').dispatchEvent('input');
    const draft = () => page.evaluate(`localStorage.getItem('aduan.desk.draft.siti')`);
    await expect.poll(draft).toContain('Pak Harto');
    // "Keluar" is reached with Tab, after everything else on the page (fast keying is not slowed).
    await page.locator('#caller-name').focus();
    const order: string[] = [];
    for (let i = 0; i < 120 && order.at(-1) !== 'Keluar'; i++) {
      await tab();
      order.push(await focused());
    }
    expect(order.at(-1)).toBe('Keluar');
    expect(order.slice(0, 10)).toEqual(['caller-phone', 'anonymous', 'consent', 'program', 'call-time', 'text', 'category', 'kelurahan', 'landmark', 'submit']);
    await tab();
    expect(['BODY', 'caller-name']).toContain(await focused());
    await kb().press('Shift+Tab');
    expect(await focused()).toBe('Keluar');
    await kb().press('Enter');
    await page.waitForURL(`${base}/login`);
    expect(await draft()).toBeNull();
  });

  it('an expired session says so and sends the operator to log in again', async () => {
    await page.context().clearCookies();
    await page.goto(`${base}/desk`);
    expect(page.url()).toBe(`${base}/login?next=%2Fdesk`);
  });
  it('meets WCAG 2.1 AA by axe-core: the login page, the desk with its board, and a ticket look-up', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'id-ID', bypassCSP: true });
    const own = await context.newPage();
    try {
      await own.goto(`${base}/login?next=%2Fdesk`);
      expect(await accessibilityViolations(own), 'login').toEqual([]);
      await own.getByLabel('Nama pengguna').fill('siti');
      await own.getByLabel('Kata sandi').fill(PASSWORD);
      // Checked once the desk's script has drawn the board from its first fetch.
      const boardLoaded = own.waitForResponse((r) => r.url().endsWith('/api/v1/desk/board'));
      await own.getByRole('button', { name: 'Masuk' }).click();
      await own.waitForURL(`${base}/desk`);
      await boardLoaded;
      expect(await accessibilityViolations(own), 'desk').toEqual([]);
      // With a ticket looked up (its history shown).
      await own.locator('#board-rows td.ticket button').first().click();
      await own.locator('#lookup-result').waitFor();
      expect(await accessibilityViolations(own), 'look-up').toEqual([]);
    } finally {
      await context.close();
    }
  });
});
