import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway } from '@aduan/gateway/testing';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { launchChromium, watchScriptProblems } from '../support/chromium.ts';

/** The API's own documentation (Swagger UI at /docs) in a real headless Chromium, under the pages' CSP. */
const url = testRedisUrl();
const prefix = uniquePrefix('docs-browser');
let browser: Browser;
let gw: Awaited<ReturnType<typeof createTestGateway>>;
let base: string;

beforeAll(async () => {
  gw = await createTestGateway({ redisUrl: url, prefix, logger: memoryLogger('docs-browser').logger });
  await gw.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(gw.app.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await gw?.close();
  await deletePrefix(url, prefix);
});

describe('/docs', () => {
  it('renders every API route under a CSP that forbids framing and foreign scripts, and nothing is blocked', async () => {
    const page = await browser.newPage();
    const problems = watchScriptProblems(page);
    const res = await page.goto(`${base}/docs`);
    const headers = res!.headers();
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers).toMatchObject({ 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin' });
    await page.locator('.opblock-summary-path', { hasText: '/api/v1/complaints/{ticket}' }).first().waitFor({ timeout: 20_000 });
    const paths = await page.locator('.opblock-summary-path').allTextContents();
    expect(paths).toEqual(expect.arrayContaining(['/api/v1/complaints', '/api/v1/opd/complaints/{id}/status']));
    expect(problems).toEqual([]);
    await page.close();
  });
});
