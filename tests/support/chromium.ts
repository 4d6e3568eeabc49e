import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * Debian's chromium driven by playwright-core (never a downloaded browser). CHROMIUM_PATH
 * overrides `which chromium`. The flags keep it off the network this machine does not have.
 */
export function chromiumPath(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return fromEnv;
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('chromium is not installed: apt-get install chromium (browser tests use the Debian package)');
  }
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/**
 * Collects what the page's Content-Security-Policy blocked and any uncaught script error, for a
 * test to expect none: a page whose script the CSP refuses still renders, so only this shows it.
 */
export function watchScriptProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  return problems;
}

const axeScript = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/**
 * What axe-core finds against WCAG 2.1 A and AA on the page as it is now, one line per rule:
 * `rule (impact): first element`. The page's context needs `bypassCSP: true`, since axe is
 * injected as a script the pages' CSP would refuse.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axeScript });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes[0]?.target.join(' ')}`);
  });
}

/**
 * A fresh phone-sized context (360x740, bypassing the CSP so that axe can be injected) logged in
 * through `/login` without `next` as a staff account, on the page that login lands it on.
 */
export async function staffOnPhone(browser: Browser, base: string, who: { username: string; password: string; landsOn: string }): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'id-ID', bypassCSP: true });
  const page = await context.newPage();
  const problems = watchScriptProblems(page);
  await page.goto(`${base}/login`);
  await page.fill('#username', who.username);
  await page.fill('#password', who.password);
  await Promise.all([page.waitForURL(`${base}${who.landsOn}`), page.keyboard.press('Enter')]);
  return { context, page, problems };
}
