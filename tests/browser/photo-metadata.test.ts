/// <reference lib="dom" />
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { Queue } from 'bullmq';
import exifr from 'exifr';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpdKeyStore } from '@aduan/gateway';
import { multipartBody } from '@aduan/gateway/testing';
import { createRedis } from '@aduan/queue';
import { RoutedComplaint } from '@aduan/schema';
import { memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { startBrowserStack, type BrowserStack } from '../support/stack.ts';

/**
 * A confidential complaint with phone photos, sent through the real web form in Chromium, reaches
 * the OPD (opd.<code> job, OPD API download) without the metadata that identifies the citizen,
 * and the photos still display, the right way up.
 */
const url = testRedisUrl();
const prefix = uniquePrefix('exif');
const { logger } = memoryLogger('exif');
const redis = createRedis(url, 'worker');
const opdQueue = new Queue('opd.dishub', { connection: redis, prefix });
let browser: Browser;
let gw: BrowserStack['gw'];
let base: string;
let dishub: string;

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/photos', name));
const PHOTOS = [
  { name: 'phone-orientation6.jpg', mimeType: 'image/jpeg', shown: [48, 64] },
  { name: 'screenshot-text.png', mimeType: 'image/png', shown: [64, 48] },
  { name: 'photo-exif.webp', mimeType: 'image/webp', shown: [64, 48] },
  { name: 'anim-comment.gif', mimeType: 'image/gif', shown: [32, 24] },
];
/** What identifies the citizen in the fixtures (names, serials, the street, the phone's make, XMP). */
const IDENTIFYING = ['Budi Santoso', 'R58T90ABCDE', 'XM12345678', 'F2LXK0ABCDE', 'Jl. Merdeka', 'Samsung', 'Xiaomi', 'iPhone', 'xmptk', 'Photoshop 3.0'];
const everything = { tiff: true, exif: true, gps: true, xmp: true, iptc: true, icc: true, ihdr: true, mergeOutput: false } as const;

let stack: BrowserStack | undefined;

beforeAll(async () => {
  stack = await startBrowserStack({ url, prefix, logger });
  ({ gw, base, browser } = stack);
  dishub = (await new OpdKeyStore(redis, prefix).create('dishub', 'SIM Dishub')).secret;
}, 60_000);
afterAll(async () => {
  await opdQueue.close();
  redis.disconnect();
  await stack?.close();
});

/** How Chromium shows `data`: its natural size (orientation applied) and the colour at a point of it. */
async function shownInChromium(data: Buffer, mimeType: string, at: [number, number]) {
  const page = await browser.newPage();
  try {
    await page.setContent('<!doctype html><body></body>');
    return await page.evaluate(
      async ({ src, x, y }) => {
        const img = new Image();
        img.src = src;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth;
        canvas.height = img.naturalHeight;
        const ctx = canvas.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        return { width: img.naturalWidth, height: img.naturalHeight, rgb: [...ctx.getImageData(x, y, 1, 1).data.slice(0, 3)] };
      },
      { src: `data:${mimeType};base64,${data.toString('base64')}`, x: at[0], y: at[1] },
    );
  } finally {
    await page.close();
  }
}

describe('photos reach the OPD without identifying metadata', () => {
  it('web form (confidential) -> stored attachment -> opd.dishub job -> OPD API download: no GPS, serial, names, XMP, IPTC; orientation and ICC kept; the photos display', async () => {
    for (const p of PHOTOS) expect(fixture(p.name).includes('Budi Santoso', 0, 'latin1'), p.name).toBe(true);

    const page = await browser.newPage();
    await page.goto(`${base}/`);
    await page.getByLabel('Isi aduan').fill('Jukir liar di depan Pasar Legi minta parkir 5 ribu, tidak pakai karcis');
    await page.getByLabel(/^Foto/).setInputFiles(PHOTOS.map((p) => ({ name: p.name, mimeType: p.mimeType, buffer: fixture(p.name) })));
    await page.getByLabel('Rahasia').check();
    await page.getByRole('button', { name: 'Kirim aduan' }).click();
    await expect.poll(async () => (await page.locator('#ticket').textContent())?.trim()).toMatch(/^ADU-/);
    await page.close();

    const job = await waitFor(async () => (await opdQueue.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed']))[0] ?? null, { timeoutMs: 15_000, what: 'opd.dishub job' });
    const routed = RoutedComplaint.parse(job.data);
    expect(routed.reporter).toBeUndefined();
    expect(routed.attachments.map((a) => a.mimeType)).toEqual(PHOTOS.map((p) => p.mimeType));

    for (const [n, a] of routed.attachments.entries()) {
      const p = PHOTOS[n]!;
      const res = await gw.app.inject({ url: `/api/v1/opd/complaints/${routed.id}/attachments/${a.sha256}`, headers: { authorization: `Bearer ${dishub}` } });
      expect(res.statusCode, p.name).toBe(200);
      const got = res.rawPayload;
      expect(got.length, p.name).toBe(a.bytes);
      expect(IDENTIFYING.filter((s) => got.includes(s, 0, 'latin1')), p.name).toEqual([]);
      expect(got.length, p.name).toBeLessThan(fixture(p.name).length);
      if (p.mimeType === 'image/jpeg' || p.mimeType === 'image/png') {
        const meta = ((await exifr.parse(got, everything)) ?? {}) as Record<string, Record<string, unknown> | undefined>;
        expect(meta.gps, p.name).toBeUndefined();
        expect(meta.exif, p.name).toBeUndefined();
        expect(meta.iptc, p.name).toBeUndefined();
        expect(meta.dc, p.name).toBeUndefined();
        if (p.mimeType === 'image/jpeg') {
          expect(await exifr.orientation(got)).toBe(6);
          expect(meta.icc).toMatchObject({ ProfileDescription: 'Artifex Software sRGB ICC Profile' });
        } else expect(Object.keys(meta.ihdr ?? {})).not.toContain('Author');
      }
      // Displayed as the phone showed it: the portrait photo upright (its yellow corner, top left
      // in the sensor's frame, is top right once turned 90° clockwise).
      const shown = await shownInChromium(got, p.mimeType, p.mimeType === 'image/jpeg' ? [40, 6] : [1, 1]);
      expect([shown.width, shown.height], p.name).toEqual(p.shown);
      if (p.mimeType === 'image/jpeg') {
        const [r, g, b] = shown.rgb as [number, number, number];
        expect(r > 200 && g > 200 && b < 80, `yellow at the top right, got ${shown.rgb}`).toBe(true);
      }
    }
  });

  it('HEIC and AVIF through the API: the OPD gets them without GPS, serial or names, and the AVIF still displays', async () => {
    const files = [
      { name: 'iphone-exif.heic', type: 'image/heic' },
      { name: 'photo-exif.avif', type: 'image/avif' },
    ];
    const form = multipartBody({ text: 'Jukir liar di depan Pasar Legi minta parkir 5 ribu, tidak pakai karcis', 'reporter.confidential': 'true' }, files.map((f) => ({ name: 'photos', filename: f.name, type: f.type, data: fixture(f.name) })));
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', ...form });
    expect(res.statusCode).toBe(202);
    const job = await waitFor(async () => (await opdQueue.getJob(res.json().id)) ?? null, { timeoutMs: 15_000, what: 'opd.dishub job' });
    const routed = RoutedComplaint.parse(job.data);
    for (const [n, a] of routed.attachments.entries()) {
      const f = files[n]!;
      expect(fixture(f.name).includes('Budi Santoso', 0, 'latin1')).toBe(true);
      const got = (await gw.app.inject({ url: `/api/v1/opd/complaints/${routed.id}/attachments/${a.sha256}`, headers: { authorization: `Bearer ${dishub}` } })).rawPayload;
      expect(IDENTIFYING.filter((s) => got.includes(s, 0, 'latin1')), f.name).toEqual([]);
      const meta = ((await exifr.parse(got, everything)) ?? {}) as Record<string, unknown>;
      expect(meta.gps, f.name).toBeUndefined();
      expect(meta.exif, f.name).toBeUndefined();
      expect(meta.ifd0, f.name).toBeUndefined();
    }
    const avif = (await gw.app.inject({ url: `/api/v1/opd/complaints/${routed.id}/attachments/${routed.attachments[1]!.sha256}`, headers: { authorization: `Bearer ${dishub}` } })).rawPayload;
    const shown = await shownInChromium(avif, 'image/avif', [1, 1]);
    expect([shown.width, shown.height]).toEqual([64, 48]);
  });

  it('a photo cut inside its metadata is refused (415) with the form kept, and nothing is stored; the same photo twice is one file', async () => {
    const jpeg = fixture('phone-orientation6.jpg');
    const cut = jpeg.subarray(0, jpeg.indexOf('Exif\0', 0, 'latin1') + 100);
    const text = 'Jukir liar di depan Pasar Legi minta parkir 5 ribu, tidak pakai karcis';
    const refused = await gw.app.inject({ method: 'POST', url: '/', ...multipartBody({ text }, [{ name: 'photos', filename: 'cut.jpg', type: 'image/jpeg', data: cut }]) });
    expect(refused.statusCode).toBe(415);
    expect(refused.body).toContain(text);
    expect(refused.body).toContain('Foto yang dipilih rusak dan tidak dapat dibaca');
    const api = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', ...multipartBody({ text }, [{ name: 'photos', filename: 'cut.jpg', type: 'image/jpeg', data: cut }]) });
    expect(api.statusCode).toBe(415);
    const sha = createHash('sha256').update(cut).digest('hex');
    expect(await gw.deps.storage.has(`sha256/${sha.slice(0, 2)}/${sha}`)).toBe(false);

    // An Idempotency-Key retry of the same photos is the same complaint (stripping is deterministic).
    const form = multipartBody({ text }, [{ name: 'photos', filename: 'a.jpg', type: 'image/jpeg', data: jpeg }]);
    const send = () => gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: form.payload, headers: { ...form.headers, 'idempotency-key': `exif-${prefix}` } });
    const first = await send();
    expect(first.statusCode).toBe(202);
    expect((await send()).json().id).toBe(first.json().id);
  });
  it('an animated PNG (image/apng) is taken like a PNG: stored without its text chunks, still displayed', async () => {
    // The PNG fixture made animated: acTL and the first frame's fcTL before its IDAT.
    const png = fixture('screenshot-text.png');
    const chunk = (type: string, data: Buffer) => {
      const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
      const len = Buffer.alloc(4);
      len.writeUInt32BE(data.length);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(body));
      return Buffer.concat([len, body, crc]);
    };
    const actl = Buffer.alloc(8);
    actl.writeUInt32BE(1);
    const fctl = Buffer.alloc(26);
    fctl.writeUInt32BE(png.readUInt32BE(16), 4); // the IHDR's width and height
    fctl.writeUInt32BE(png.readUInt32BE(20), 8);
    fctl.writeUInt16BE(1, 20);
    fctl.writeUInt16BE(10, 22);
    const afterIhdr = 8 + 8 + 13 + 4;
    const animated = Buffer.concat([png.subarray(0, afterIhdr), chunk('acTL', actl), chunk('fcTL', fctl), png.subarray(afterIhdr)]);
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', ...multipartBody({ text: 'Jukir liar di depan Pasar Legi minta parkir 5 ribu, tidak pakai karcis' }, [{ name: 'photos', filename: 'rekaman.png', type: 'image/png', data: animated }]) });
    expect(res.statusCode).toBe(202);
    const job = await waitFor(async () => (await opdQueue.getJob(res.json().id)) ?? null, { timeoutMs: 15_000, what: 'opd.dishub job' });
    const [a] = RoutedComplaint.parse(job.data).attachments;
    expect(a!.mimeType).toBe('image/apng');
    const got = (await gw.app.inject({ url: `/api/v1/opd/complaints/${job.data.id}/attachments/${a!.sha256}`, headers: { authorization: `Bearer ${dishub}` } })).rawPayload;
    expect(animated.includes('Budi Santoso', 0, 'latin1')).toBe(true);
    expect(IDENTIFYING.filter((s) => got.includes(s, 0, 'latin1'))).toEqual([]);
    const shown = await shownInChromium(got, 'image/apng', [1, 1]);
    expect([shown.width, shown.height]).toEqual([png.readUInt32BE(16), png.readUInt32BE(20)]);
  });
});
