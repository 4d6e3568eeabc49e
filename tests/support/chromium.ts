import { execFileSync } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';

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
