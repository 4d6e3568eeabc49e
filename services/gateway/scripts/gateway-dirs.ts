import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT_CONFIG } from '@aduan/config';

/**
 * Stops a tool that works on the gateway's files (complaint:erase, attachments:prune) when
 * SPOOL_DIR does not exist. The gateway makes its SPOOL_DIR at its first start, so one that is
 * not there is not the gateway's: most often the relative default, which `pnpm --filter` takes
 * from services/gateway while `pnpm start` wrote under the checkout's top. The tool would miss the
 * spooled complaints and the photos (ATTACHMENT_DIR being set the same way), and still report
 * success.
 */
export function exitUnlessGatewaySpool(spoolDir: string): void {
  if (existsSync(spoolDir)) return;
  process.stderr.write(`error (no_spool_dir): SPOOL_DIR ${resolve(spoolDir)} does not exist, so it is not the gateway's. Set SPOOL_DIR and ATTACHMENT_DIR as the gateway's (absolute paths). Nothing was changed.\n`);
  process.exit(EXIT_CONFIG);
}
