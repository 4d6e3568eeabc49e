import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { createTestGateway } from '@aduan/gateway/testing';
import { startRouterService } from '@aduan/router';
import type { Logger } from '@aduan/telemetry';
import { deletePrefix } from '@aduan/testkit';
import { launchChromium } from './chromium.ts';

export interface BrowserStack {
  gw: Awaited<ReturnType<typeof createTestGateway>>;
  /** http://127.0.0.1:<port> of the gateway. */
  base: string;
  browser: Browser;
  /** Closes the browser, the gateway and the router, and deletes the test's keys. */
  close(): Promise<void>;
}

/**
 * What the browser tests drive: the gateway listening on a free local port, with the real router
 * in the same process (unless `router: false`), and Debian's Chromium.
 */
export async function startBrowserStack(opts: { url: string; prefix: string; logger: Logger; router?: boolean; env?: Record<string, string> }): Promise<BrowserStack> {
  const router = opts.router === false ? undefined : await startRouterService({ redisUrl: opts.url, prefix: opts.prefix, logger: opts.logger });
  const gw = await createTestGateway({ redisUrl: opts.url, prefix: opts.prefix, logger: opts.logger, ...(router ? { routerAlive: router.alive } : {}), ...(opts.env ? { env: opts.env } : {}) });
  await gw.app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await launchChromium();
  return {
    gw,
    base: `http://127.0.0.1:${(gw.app.server.address() as AddressInfo).port}`,
    browser,
    async close() {
      await browser.close();
      await gw.close();
      await router?.close();
      await deletePrefix(opts.url, opts.prefix);
    },
  };
}
