/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG_1x1 } from '@aduan/gateway/testing';
import { memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { accessibilityViolations, watchScriptProblems } from '../support/chromium.ts';
import { startBrowserStack, type BrowserStack } from '../support/stack.ts';

/** The citizen form in a real headless Chromium on a small phone screen. */
const url = testRedisUrl();
const prefix = uniquePrefix('browser');
const { logger, lines: logLines } = memoryLogger('browser');
let browser: Browser;
let base: string;

let stack: BrowserStack | undefined;

beforeAll(async () => {
  stack = await startBrowserStack({ url, prefix, logger });
  ({ base, browser } = stack);
}, 60_000);
afterAll(() => stack?.close());

/** How many lines the element's text takes: the distinct tops of its text's line boxes. */
const textLines = (page: Page, selector: string) =>
  page.locator(selector).evaluate((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
  });

/** The element's accessible description as Chromium's accessibility tree has it (what a screen reader reads after its name). */
async function accessibleDescription(page: Page, selector: string): Promise<string> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = (await cdp.send('DOM.getDocument')) as { root: { nodeId: number } };
    const { nodeId } = (await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector })) as { nodeId: number };
    const { nodes } = (await cdp.send('Accessibility.getPartialAXTree', { nodeId, fetchRelatives: false })) as { nodes: { description?: { value?: string } }[] };
    return nodes[0]?.description?.value ?? '';
  } finally {
    await cdp.detach();
  }
}

const phone = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'id-ID' };

describe('web form in Chromium (phone)', () => {
  it('files a complaint with a photo and shows the ticket, then the status page shows the OPD', async () => {
    const page = await browser.newPage(phone);
    const scriptProblems = watchScriptProblems(page);
    await page.goto(`${base}/`);
    // The form's script (/form.js) runs under the page's CSP: it shows the location button.
    await expect.poll(() => page.getByRole('button', { name: 'Pakai lokasi saya' }).isVisible()).toBe(true);
    // Fits the phone: nothing wider than the viewport.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.getByLabel('Isi aduan').fill('Lampu PJU di Jl. Merdeka mati sudah seminggu, gelap sekali kalau malam');
    // Choosing another kecamatan clears a kelurahan outside it; choosing a kelurahan sets its kecamatan.
    await page.getByLabel('Kelurahan').selectOption('Rembang');
    expect(await page.getByLabel('Kecamatan').inputValue()).toBe('Sananwetan');
    await page.getByLabel('Kecamatan').selectOption('Kepanjenkidul');
    expect(await page.getByLabel('Kelurahan').inputValue()).toBe('');
    await page.getByLabel('Kelurahan').selectOption('Kepanjenlor');
    expect(await page.getByLabel('Kecamatan').inputValue()).toBe('Kepanjenkidul');
    await page.getByLabel(/^Foto/).setInputFiles({ name: 'lampu.png', mimeType: 'image/png', buffer: PNG_1x1 });
    await page.getByLabel('Rahasia').check();
    await page.getByRole('button', { name: 'Kirim aduan' }).click();
    const ticket = (await page.locator('#ticket').textContent())?.trim();
    expect(ticket).toMatch(/^ADU-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    await page.screenshot({ path: 'test-results/webform-success.png', fullPage: true }).catch(() => {});
    // The ticket is read out and written down as one unit: one line, even on a 320 px phone.
    for (const width of [360, 320]) {
      await page.setViewportSize({ width, height: 740 });
      expect(await textLines(page, '#ticket'), `ticket lines at ${width} px`).toBe(1);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), `page width at ${width} px`).toBeLessThanOrEqual(width);
    }

    const statusHref = await page.locator('#status-link').getAttribute('href');
    const accessCode = (await page.locator('#status-token').textContent())?.trim() ?? '';
    expect(accessCode).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    // The status page it links to, then Back: the thank-you page again (a GET after the post,
    // not Chrome's "Confirm Form Resubmission"), ticket and access code shown.
    await page.locator('#status-link').click();
    await page.waitForURL(/\/status\?/);
    await page.goBack();
    expect((await page.locator('#ticket').textContent())?.trim()).toBe(ticket);
    expect((await page.locator('#status-token').textContent())?.trim()).toBe(accessCode);
    // Back from the thank-you page (a phone's back gesture, or the next person at a shared
    // computer): the form does not come back filled in, to be read or sent a second time.
    await page.goBack();
    await page.getByLabel('Isi aduan').waitFor();
    expect(await page.getByLabel('Isi aduan').inputValue()).toBe('');
    expect(await page.getByLabel('Rahasia').isChecked()).toBe(false);
    await waitFor(async () => {
      await page.goto(`${base}${statusHref}`);
      return (await page.locator('body').textContent())?.includes('Diteruskan ke instansi terkait');
    }, { what: 'status page shows routed' });
    expect(scriptProblems).toEqual([]);
    // Typed back by hand on the Cek Status form, as a citizen copies it from paper: the ticket's
    // code alone, the access code in lower case with spaces for its dashes.
    await page.goto(`${base}/status`);
    await page.getByLabel('Nomor tiket').fill(ticket!.slice(4).toLowerCase());
    const code = page.getByLabel('Kode akses');
    // A phone keyboard offers capitals and does not "correct" the code.
    expect([await code.getAttribute('autocapitalize'), await code.getAttribute('autocorrect'), await code.getAttribute('spellcheck')]).toEqual(['characters', 'off', 'false']);
    await code.fill(accessCode.replace(/-/g, ' ').toLowerCase());
    await page.getByRole('button', { name: 'Cek status' }).click();
    expect(await page.locator('[role=status]').textContent()).toContain('Diteruskan ke instansi terkait');
    await page.close();
  });

  it('a complaint whose answer was lost comes back under the same key: sent again, it keeps its first ticket', async () => {
    const page = await browser.newPage(phone);
    await page.goto(`${base}/`);
    await page.getByLabel('Isi aduan').fill('Saluran air di depan SDN Kepanjenlor tersumbat, air meluap ke jalan');
    await page.getByLabel('Kelurahan').selectOption('Kepanjenlor');
    await page.getByLabel('Nomor HP/WhatsApp').fill('081234567890');
    await page.getByLabel('Rahasia').check();
    await page.getByLabel(/^Foto/).setInputFiles({ name: 'saluran.png', mimeType: 'image/png', buffer: PNG_1x1 });
    const key = await page.locator('input[name=idempotencyKey]').inputValue();
    // The complaint reaches the gateway and is filed; its answer never reaches the phone.
    let firstAnswer = '';
    await page.route(`${base}/`, async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      firstAnswer = await (await route.fetch()).text();
      await route.abort('connectionreset');
    });
    await page.getByRole('button', { name: 'Kirim aduan' }).click();
    await expect.poll(() => firstAnswer).toContain('aduan Anda sudah kami terima');
    const firstTicket = /id="ticket">([^<]+)</.exec(firstAnswer)?.[1];
    expect(firstTicket).toMatch(/^ADU-/);
    await page.unroute(`${base}/`);
    // Back to the form in this tab: what was sent is there again, and the page says why.
    await page.goto(`${base}/`);
    await expect.poll(() => page.locator('#unanswered-notice').isVisible()).toBe(true);
    expect(await page.locator('#unanswered-notice').textContent()).toContain('Foto perlu dipilih lagi');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('unanswered-notice');
    expect(await page.getByLabel('Isi aduan').inputValue()).toContain('Saluran air');
    expect(await page.getByLabel('Kelurahan').inputValue()).toBe('Kepanjenlor');
    expect(await page.getByLabel('Rahasia').isChecked()).toBe(true);
    expect(await page.locator('input[name=idempotencyKey]').inputValue()).toBe(key);
    // The number was not kept on the device (a shared computer's next user must not find it): asked for again.
    expect(await page.getByLabel('Nomor HP/WhatsApp').inputValue()).toBe('');
    expect(await page.locator('#unanswered-notice').textContent()).toContain('Nama, nomor HP, dan email tidak kami simpan');
    expect(await page.evaluate(() => sessionStorage.getItem('aduan.unanswered'))).not.toContain('0812');
    await page.getByLabel('Nomor HP/WhatsApp').fill('081234567890');
    // Sent again: the complaint filed the first time, not a second one.
    await page.getByRole('button', { name: 'Kirim aduan' }).click();
    expect((await page.locator('#ticket').textContent())?.trim()).toBe(firstTicket);
    // Answered: the tab forgets it, and the next form is empty.
    await page.goto(`${base}/`);
    await page.getByLabel('Isi aduan').waitFor();
    expect(await page.locator('#unanswered-notice').count()).toBe(0);
    expect(await page.getByLabel('Isi aduan').inputValue()).toBe('');

    // A complaint that never arrived (the connection dropped on the way) comes back too; the
    // citizen may instead start afresh, under a new key.
    await page.getByLabel('Isi aduan').fill('Pohon tumbang menutup jalan di Jl. Kalimantan');
    const secondKey = await page.locator('input[name=idempotencyKey]').inputValue();
    await page.route(`${base}/`, (route) => (route.request().method() === 'POST' ? route.abort('internetdisconnected') : route.continue()));
    await page.getByRole('button', { name: 'Kirim aduan' }).click();
    await page.unroute(`${base}/`);
    await page.goto(`${base}/`);
    await expect.poll(() => page.locator('#unanswered-notice').isVisible()).toBe(true);
    expect(await page.getByLabel('Isi aduan').inputValue()).toBe('Pohon tumbang menutup jalan di Jl. Kalimantan');
    expect(await page.locator('#unanswered-notice').textContent()).not.toContain('Foto');
    expect(await page.locator('#unanswered-notice').textContent()).not.toContain('Nama, nomor HP');
    await page.getByRole('button', { name: 'Kosongkan, buat aduan baru' }).click();
    await expect.poll(() => page.locator('#unanswered-notice').count()).toBe(0);
    expect(await page.getByLabel('Isi aduan').inputValue()).toBe('');
    expect(await page.locator('input[name=idempotencyKey]').inputValue()).not.toBe(secondKey);

    // Kept for 15 minutes at most: an older one is dropped, not put into the next person's form.
    await page.evaluate(() => sessionStorage.setItem('aduan.unanswered', JSON.stringify({ key: 'k-old', at: Date.now() - 16 * 60 * 1000, values: { text: 'Aduan lama orang lain' }, photos: 0, reporter: false })));
    await page.goto(`${base}/`);
    await page.getByLabel('Isi aduan').waitFor();
    expect(await page.locator('#unanswered-notice').count()).toBe(0);
    expect(await page.getByLabel('Isi aduan').inputValue()).toBe('');
    expect(await page.evaluate(() => sessionStorage.getItem('aduan.unanswered'))).toBeNull();
    await page.close();
  });

  it('shows the error next to the text field and keeps what was typed', async () => {
    const context = await browser.newContext({ ...phone, geolocation: { latitude: -8.0983, longitude: 112.1681 }, permissions: ['geolocation'] });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.getByRole('button', { name: 'Pakai lokasi saya' }).click();
    await expect.poll(() => page.locator('#geo-status').textContent()).toBe('Lokasi Anda sudah ditambahkan.');
    await page.getByLabel('Alamat atau patokan').fill('dekat Alun-alun');
    await page.getByLabel('Nomor HP/WhatsApp').fill('12');
    await page.getByLabel(/^Foto/).setInputFiles({ name: 'lampu.png', mimeType: 'image/png', buffer: PNG_1x1 });
    await page.getByRole('button', { name: 'Kirim aduan' }).click();
    await expect.poll(() => page.locator('#text-error').textContent()).toContain('Mohon tuliskan isi aduan Anda.');
    expect(await page.locator('#reporter\\.phone-error').textContent()).toContain('Nomor HP belum benar');
    // The browser cannot keep the chosen photo across the page: the citizen is told to choose it again.
    expect(await page.locator('#photos-error').textContent()).toContain('silakan pilih fotonya lagi');
    // The summary counts the two fields to correct, not the instruction about the photo.
    expect(await page.locator('#error-summary').textContent()).toContain('Ada 2 isian yang perlu diperbaiki');
    expect(await page.getByLabel('Alamat atau patokan').inputValue()).toBe('dekat Alun-alun');
    expect(await page.getByLabel('Isi aduan').getAttribute('aria-invalid')).toBe('true');
    // The location taken before the error is still in the form, says so, and can be taken out.
    expect(await page.locator('#lat').inputValue()).toBe('-8.098300');
    expect(await page.locator('#geo-status').textContent()).toBe('Lokasi Anda sudah ditambahkan.');
    await page.getByRole('button', { name: 'Hapus lokasi' }).click();
    expect(await page.locator('#lat').inputValue()).toBe('');
    expect(await page.locator('#lon').inputValue()).toBe('');
    expect(await page.getByRole('button', { name: 'Hapus lokasi' }).isHidden()).toBe(true);
    await page.screenshot({ path: 'test-results/webform-error.png', fullPage: true }).catch(() => {});
    await context.close();
  });
  it('a link of the error summary brings its field into view with the field\'s label above it, with or without JavaScript', async () => {
    for (const javaScriptEnabled of [false, true]) {
      const context = await browser.newContext({ ...phone, javaScriptEnabled });
      const page = await context.newPage();
      await page.goto(`${base}/`);
      await page.getByLabel('Isi aduan').fill('Trotoar di Jl. Kenari ambles, berbahaya untuk pejalan kaki');
      await page.getByLabel('Nomor HP/WhatsApp').fill('0812');
      await page.getByRole('button', { name: 'Kirim aduan' }).click();
      await page.locator('#error-summary').waitFor();
      await page.locator('#error-summary a', { hasText: 'Nomor HP belum benar' }).click();
      // The field has the focus, and the citizen sees which field it is: its label is on screen, not scrolled off above.
      const seen = await page.evaluate(() => {
        const field = document.activeElement as HTMLInputElement;
        return { field: field.id, labelTop: field.labels?.[0]?.getBoundingClientRect().top ?? -1, fieldBottom: field.getBoundingClientRect().bottom };
      });
      expect(seen.field, `JavaScript ${javaScriptEnabled}`).toBe('reporter-phone');
      expect(seen.labelTop, `JavaScript ${javaScriptEnabled}`).toBeGreaterThanOrEqual(0);
      expect(seen.fieldBottom, `JavaScript ${javaScriptEnabled}`).toBeLessThanOrEqual(phone.viewport.height);
      await context.close();
    }
  });

  it('Back from the form sent back with an error brings what was typed, without saying it may have arrived', async () => {
    const page = await browser.newPage(phone);
    await page.goto(`${base}/`);
    await page.getByLabel('Isi aduan').fill('Sampah menumpuk di pinggir Jl. Kenari sejak Senin');
    await page.getByLabel('Nomor HP/WhatsApp').fill('0812');
    await page.getByLabel(/^Foto/).setInputFiles({ name: 'sampah.png', mimeType: 'image/png', buffer: PNG_1x1 });
    await page.getByRole('button', { name: 'Kirim aduan' }).click();
    await page.locator('#error-summary').waitFor();
    const key = await page.locator('input[name=idempotencyKey]').inputValue();
    // A phone's back gesture on the page with the error: the form again, with what was typed, and
    // the truth: nothing was filed (not "no answer came, it may have arrived").
    await page.goBack();
    await expect.poll(() => page.locator('#unanswered-notice').isVisible()).toBe(true);
    const notice = await page.locator('#unanswered-notice').textContent();
    expect(notice).toContain('Aduan Anda belum terkirim');
    expect(notice).not.toContain('belum mendapat jawaban');
    expect(notice).not.toContain('sudah sampai');
    expect(notice).toContain('Foto perlu dipilih lagi');
    expect(notice).toContain('Nama, nomor HP, dan email tidak kami simpan');
    expect(await page.getByLabel('Isi aduan').inputValue()).toBe('Sampah menumpuk di pinggir Jl. Kenari sejak Senin');
    expect(await page.locator('input[name=idempotencyKey]').inputValue()).toBe(key);
    // Sent with the number corrected: filed, and the tab forgets it.
    await page.getByLabel('Nomor HP/WhatsApp').fill('081234567890');
    await page.getByRole('button', { name: 'Kirim aduan' }).click();
    await page.locator('#ticket').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('aduan.unanswered'))).toBeNull();
    await page.close();
  });

  it('on a weak signal: a photo over the limit is refused when chosen, and sending says so and cannot start twice', async () => {
    const context = await browser.newContext(phone);
    const page = await context.newPage();
    const scriptProblems = watchScriptProblems(page);
    await page.goto(`${base}/`);
    // Told at once, not after minutes of uploading: which photo, how big, and the limit.
    await page.getByLabel(/^Foto/).setInputFiles({ name: 'IMG_2041.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(9 * 1024 * 1024 + 1) });
    await expect.poll(() => page.locator('#photos-client-error').textContent()).toBe('Foto "IMG_2041.jpg" terlalu besar (9,0 MB). Batasnya 8 MB per foto; silakan pilih foto lain.');
    expect(await page.locator('#photos').evaluate((el) => (el as HTMLInputElement).files?.length)).toBe(0);
    // A screen reader on the photo field reads why it is empty again: the error is its description.
    expect(await accessibleDescription(page, '#photos')).toContain('terlalu besar');
    await page.getByLabel('Isi aduan').fill('Jembatan kecil di Jl. Kenari retak dan miring, bahaya untuk motor');
    await page.getByLabel(/^Foto/).setInputFiles({ name: 'jembatan.png', mimeType: 'image/png', buffer: PNG_1x1 });
    // A slow upload: the post is held on its way for a moment. What the page shows meanwhile is
    // noted in the tab's sessionStorage, read once the thank-you page is there (while a post is
    // pending, the page cannot be evaluated from outside).
    await page.route(`${base}/`, async (route) => {
      if (route.request().method() === 'POST') await new Promise((r) => setTimeout(r, 500));
      await route.continue();
    });
    await page.evaluate(() => {
      const send = document.getElementById('send') as HTMLButtonElement;
      const sending = document.getElementById('sending') as HTMLElement;
      document.getElementById('complaint-form')!.addEventListener('submit', () =>
        setTimeout(() => sessionStorage.setItem('seen-while-sending', JSON.stringify({ disabled: send.disabled, label: send.textContent, hidden: sending.hidden, said: sending.textContent })), 50),
      );
    });
    await page.getByRole('button', { name: 'Kirim aduan' }).click();
    await page.locator('#ticket').waitFor({ timeout: 30_000 });
    // While it travelled: the button could not be tapped again, and the page said what was happening.
    const seen = JSON.parse((await page.evaluate(() => sessionStorage.getItem('seen-while-sending'))) ?? 'null') as { disabled: boolean; label: string; hidden: boolean; said: string };
    expect(seen).toMatchObject({ disabled: true, label: 'Mengirim…', hidden: false });
    expect(seen.said).toContain('Aduan dan foto sedang dikirim');
    expect(scriptProblems).toEqual([]);
    await context.close();
  });

  it('asks the server for no /favicon.ico, which the 404 page answered on every page load', async () => {
    const page = await browser.newPage(phone);
    for (const path of ['/', '/status']) {
      await page.goto(`${base}${path}`);
      await page.waitForLoadState('networkidle');
    }
    await page.close();
    expect(logLines.filter((l) => l.url === '/favicon.ico')).toEqual([]);
  });

  it('without JavaScript shows no location buttons that could do nothing', async () => {
    const context = await browser.newContext({ ...phone, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    expect(await page.locator('#geo').isVisible()).toBe(false);
    expect(await page.locator('#geo-clear').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Kirim aduan' }).isVisible()).toBe(true);
    await context.close();
  });

  it('meets WCAG 2.1 AA by axe-core: the form, its errors, the ticket and the status page', async () => {
    const context = await browser.newContext({ ...phone, bypassCSP: true });
    const page = await context.newPage();
    try {
      await page.goto(`${base}/`);
      expect(await accessibilityViolations(page), 'form').toEqual([]);
      await page.getByRole('button', { name: 'Kirim aduan' }).click();
      await expect.poll(() => page.locator('#text-error').count()).toBe(1);
      expect(await accessibilityViolations(page), 'form with errors').toEqual([]);
      await page.getByLabel('Isi aduan').fill('Trotoar di depan SDN Sananwetan 1 rusak dan berlubang');
      await page.getByRole('button', { name: 'Kirim aduan' }).click();
      await expect.poll(() => page.locator('#ticket').count()).toBe(1);
      expect(await accessibilityViolations(page), 'ticket').toEqual([]);
      await page.locator('#status-link').click();
      await expect.poll(() => page.locator('h2', { hasText: 'Riwayat' }).count()).toBe(1);
      expect(await accessibilityViolations(page), 'status').toEqual([]);
    } finally {
      await context.close();
    }
  });
});
