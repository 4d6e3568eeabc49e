/**
 * Deletes the photo and other attachment files nothing uses any more (UU No. 27/2022: personal
 * data kept no longer than its purpose; docs/operations.md, "Photo retention"). REDIS_URL (the
 * service user's, on a locked Redis), QUEUE_PREFIX, SPOOL_DIR, ATTACHMENT_DIR as the gateway's.
 *   attachments:prune                        prints what it would delete; changes nothing
 *   attachments:prune --yes                  deletes it
 *   --older-than <days>                      only files older than this (default: a day more than the longest job retention)
 *   --spool-dir <dir>                        another service's SPOOL_DIR or INBOX_SPOOL_DIR to read (repeat it; SPOOL_DIR always is)
 * Exit codes: 0 done (or nothing to delete, or a dry run), 1 failed (Redis unreachable or
 * refusing, a file that could not be read or deleted: run it again), 2 usage, 75 another run is
 * deleting now (run it again later), 78 a setting is invalid, SPOOL_DIR does not exist (not
 * the gateway's), or Redis holds no key under QUEUE_PREFIX (not the deployment's: nothing deleted).
 */
import { parseArgs } from 'node:util';
import type { Redis } from 'ioredis';
import { parseEnvOrExit } from '@aduan/config';
import { createLogger } from '@aduan/telemetry';
import { GatewayEnv } from '../src/config.ts';
import { DEFAULT_PRUNE_DAYS, PruneNoDeploymentError, PruneRunningError, pruneAttachments, withPruneLock, type PruneReport } from '../src/erasure/prune-attachments.ts';
import { cliRedisError, connectCliRedis } from '../src/redis-acl/cli-redis.ts';
import { exitUnlessGatewaySpool } from './gateway-dirs.ts';

/** EX_TEMPFAIL: another run is deleting now; running it again later does the work. */
const EXIT_RETRY = 75;
/** EX_CONFIG: QUEUE_PREFIX or REDIS_URL is not the deployment's (no key under the prefix). */
const EXIT_CONFIG = 78;

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: attachments-prune.ts [--older-than <days>] [--spool-dir <dir>]... [--yes]\n`);
  process.exit(2);
}

function parse() {
  let parsed;
  try {
    parsed = parseArgs({ options: { yes: { type: 'boolean', default: false }, 'older-than': { type: 'string' }, 'spool-dir': { type: 'string', multiple: true, default: [] } } });
  } catch (err) {
    usage((err as Error).message);
  }
  const { yes, 'older-than': olderThan, 'spool-dir': spoolDirs } = parsed.values;
  const days = olderThan === undefined ? DEFAULT_PRUNE_DAYS : /^\d+$/.test(olderThan) ? Number(olderThan) : NaN;
  if (!(days >= 1)) usage(`--older-than takes a whole number of days, 1 or more (got "${olderThan}")`);
  return { apply: yes, olderThanDays: days, spoolDirs };
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

function print(r: PruneReport, opts: { apply: boolean; olderThanDays: number }): void {
  const ages = r.files > 0 ? `; ${r.oldestDays} to ${r.newestDays} days old` : '';
  const out = [
    opts.apply ? `Deleted ${r.files} attachment file(s) older than ${opts.olderThanDays} days that nothing uses (${mb(r.bytes)} freed${ages}).` : `Dry run: nothing was changed. With --yes this would delete ${r.files} attachment file(s) older than ${opts.olderThanDays} days that nothing uses (${mb(r.bytes)}${ages}).`,
    `Kept ${r.kept} file(s) that old: a retained job, an open (or lately closed) complaint, a spooled complaint or an open chat conversation still uses them, or they were sent again.`,
  ];
  if (r.leftovers > 0) out.push(`${opts.apply ? 'Deleted' : 'Would delete'} ${r.leftovers} unfinished upload file(s) (*.tmp, a day old or more: their process stopped while writing them; ${mb(r.leftoverBytes)}).`);
  process.stdout.write(`${out.join('\n')}\n`);
}

async function main() {
  const opts = parse();
  const env = parseEnvOrExit(GatewayEnv);
  exitUnlessGatewaySpool(env.SPOOL_DIR);
  // The log line goes to stderr: stdout is the operator's report.
  const logger = createLogger({ service: 'attachments-prune', destination: process.stderr });
  let redis: Redis | undefined;
  try {
    redis = await connectCliRedis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', env.QUEUE_PREFIX);
    const spoolDirs = [...new Set([env.SPOOL_DIR, ...opts.spoolDirs])];
    const deps = { redis, prefix: env.QUEUE_PREFIX, attachmentDir: env.ATTACHMENT_DIR, spoolDirs };
    // A dry run changes nothing: it may run beside one that deletes.
    const report = opts.apply ? await withPruneLock(redis, env.QUEUE_PREFIX, () => pruneAttachments(deps, opts)) : await pruneAttachments(deps, opts);
    print(report, opts);
    if (opts.apply) logger.info({ event: 'attachments_pruned', files: report.files, bytes: report.bytes, kept: report.kept, leftovers: report.leftovers, directories: report.directories, olderThanDays: opts.olderThanDays }, 'attachments_pruned');
  } catch (err) {
    if (err instanceof PruneRunningError || err instanceof PruneNoDeploymentError) {
      process.stderr.write(`error (${err.code}): ${err.message}. Nothing was changed.\n`);
      process.exitCode = err instanceof PruneRunningError ? EXIT_RETRY : EXIT_CONFIG;
      return;
    }
    // A file's error names its path; a socket's (Redis gone: ECONNRESET) has an errno too, but no path.
    const { code, message } = err instanceof Error && 'path' in err ? { code: 'file', message: err.message } : cliRedisError(err);
    process.stderr.write(`error (${code}): ${message}. Run it again: nothing still in use was deleted.\n`);
    process.exitCode = 1;
  } finally {
    redis?.disconnect();
  }
}

await main();
