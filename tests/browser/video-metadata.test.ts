/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sniffMime, stripMetadata } from '@aduan/storage';
import { launchChromium } from '../support/chromium.ts';

/**
 * A phone video stripped of its location, make and model (boxes blanked in place) still plays in
 * Chromium to its end, the right way up (the tkhd rotation kept), exactly as the original does.
 */
const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/videos', name));
const VIDEOS = ['android-gps.mp4', 'iphone-gps.mov'];
const files = new Map<string, Buffer>();
let server: Server;
let base: string;
let browser: Browser;

beforeAll(async () => {
  for (const name of VIDEOS) {
    const original = fixture(name);
    const type = (await sniffMime(original))!.mimeType;
    const out = stripMetadata(original, type);
    if (!out.ok) throw new Error(`${name} refused`);
    expect(out.removed.length).toBeGreaterThan(0);
    files.set(`/original/${name}`, original);
    files.set(`/stripped/${name}`, out.data);
  }
  server = createServer((req, res) => {
    const body = files.get(req.url ?? '');
    if (!body) return void res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/html' }).end('<!doctype html><title>video</title>');
    // Chromium plays QuickTime H.264 served as video/mp4: the container is the same family.
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

/** Plays a video muted to its end; its size as shown (rotation applied), duration and whether it ended without an error. */
async function play(path: string) {
  const page = await browser.newPage();
  try {
    await page.goto(`${base}/`);
    return await page.evaluate(async (src) => {
      const v = document.createElement('video');
      v.muted = true;
      v.src = src;
      document.body.append(v);
      const ended = new Promise<string>((resolve) => {
        v.onended = () => resolve('ended');
        v.onerror = () => resolve(`error ${v.error?.code}`);
        setTimeout(() => resolve('timeout'), 10_000);
      });
      await new Promise((resolve) => (v.onloadedmetadata = resolve));
      await v.play();
      return { outcome: await ended, width: v.videoWidth, height: v.videoHeight, duration: Math.round(v.duration * 10) / 10, frames: v.getVideoPlaybackQuality().totalVideoFrames };
    }, `${base}${path}`);
  } finally {
    await page.close();
  }
}

describe('stripped phone videos in Chromium', () => {
  for (const name of VIDEOS) {
    it(`${name}: plays to its end, upright, like the original`, async () => {
      const original = await play(`/original/${name}`);
      expect(original).toMatchObject({ outcome: 'ended', duration: 1 });
      const stripped = await play(`/stripped/${name}`);
      expect(stripped).toEqual(original);
      // 64x48 recorded, rotated 90° by the tkhd matrix: shown portrait.
      expect([stripped.width, stripped.height]).toEqual([48, 64]);
    });
  }
});
