import { flushCompileCache } from 'node:module';

/**
 * `ADUAN_WARM_COMPILE_CACHE=1 pnpm start` (or a service's own start): the process has loaded
 * every module it runs with by the time it reads its configuration, so it writes Node's compile
 * cache and exits 0 there, before it connects to anything. A process that then finds every
 * module in the cache never loads the TypeScript stripper, ~15 MB of RSS for its whole life
 * (docs/adr/0003). The Docker image does this at build time (`pnpm warm`); a checkout fills
 * the cache on its first start anyway.
 */
export function exitIfWarmingCompileCache(env: NodeJS.ProcessEnv): void {
  if (env.ADUAN_WARM_COMPILE_CACHE !== '1') return;
  flushCompileCache();
  process.exit(0);
}
