import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { watchScriptProblems } from '../support/chromium.ts';
import { startBrowserStack, type BrowserStack } from '../support/stack.ts';

/** The API's own documentation (Swagger UI at /docs) in a real headless Chromium, under the pages' CSP. */
const url = testRedisUrl();
const prefix = uniquePrefix('docs-browser');
let browser: Browser;
let base: string;

let stack: BrowserStack | undefined;

beforeAll(async () => {
  stack = await startBrowserStack({ url, prefix, logger: memoryLogger('docs-browser').logger, router: false });
  ({ base, browser } = stack);
}, 60_000);
afterAll(() => stack?.close());

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
