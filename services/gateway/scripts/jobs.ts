/**
 * Failed jobs of the contract queues, for the operator an alert called (AduanIntakeJobsFailed,
 * AduanCitizenNoticesFailed; docs/operations.md, "Failed jobs"). REDIS_URL (the service user's,
 * on a locked Redis), QUEUE_PREFIX and ROUTING_DIRECTORY as the gateway's.
 *   jobs.ts failed                          failed jobs per queue
 *   jobs.ts failed <queue> [--limit N]      the newest N (20) failed jobs of a queue: id, ticket,
 *                                           attempts, when, why (numbers and e-mails masked)
 *   jobs.ts retry <queue> [<job id>...]     which failed jobs would be run again; changes nothing
 *   jobs.ts retry <queue> [<job id>...] --yes
 *                                           runs them again (all of the queue's, or those named),
 *                                           each with its full attempts
 * Exit codes: 0 done (or a dry run), 1 failed (Redis unreachable or refusing: run it again),
 * 2 usage (an unknown queue among them), 3 a named job is not failed in that queue (the others
 * were still run again).
 */
import { parseArgs } from 'node:util';
import type { Redis } from 'ioredis';
import { parseEnvOrExit } from '@aduan/config';
import { loadDirectory } from '@aduan/routing/directory';
import { wibDateTime } from '@aduan/schema';
import { createLogger, type Logger } from '@aduan/telemetry';
import { GatewayEnv } from '../src/config.ts';
import { contractQueues } from '../src/contract-queues.ts';
import { failedCounts, listFailed, retryFailed, type FailedJob } from '../src/jobs/failed-jobs.ts';
import { cliRedisError, connectCliRedis } from '../src/redis-acl/cli-redis.ts';

const EXIT_NOT_FAILED = 3;
const USAGE = 'usage: jobs.ts failed [<queue>] [--limit N]\n       jobs.ts retry <queue> [<job id>...] [--yes]\n';

function usage(why?: string): never {
  process.stderr.write(`${why ? `error (usage): ${why}\n` : ''}${USAGE}`);
  process.exit(2);
}

const when = (ms: number | undefined) => (ms === undefined ? '-' : `${wibDateTime(new Date(ms).toISOString())} WIB`);

function jobTable(jobs: FailedJob[]): string[] {
  const idWidth = Math.max(6, ...jobs.map((j) => j.id.length));
  const lines = [`  ${'job id'.padEnd(idWidth)}  ${'ticket'.padEnd(14)}  attempts  ${'failed at'.padEnd(22)}  reason`];
  for (const j of jobs) lines.push(`  ${j.id.padEnd(idWidth)}  ${(j.ticket ?? '-').padEnd(14)}  ${String(j.attemptsMade).padStart(8)}  ${when(j.failedAt).padEnd(22)}  ${j.reason}`);
  return lines;
}

async function failed(redis: Redis, prefix: string, queues: string[], queue: string | undefined, limit: number): Promise<string[]> {
  if (!queue) {
    const counts = await failedCounts(redis, prefix, queues);
    const width = Math.max(...queues.map((q) => q.length));
    const withFailed = counts.filter((c) => c.failed > 0);
    if (withFailed.length === 0) return ['No failed jobs in any queue.'];
    return ['Failed jobs per queue (each is kept 30 days):', ...withFailed.map((c) => `  ${c.queue.padEnd(width)}  ${String(c.failed).padStart(5)}  newest ${when(c.newestAt)}`), 'See one queue\'s: jobs:failed <queue>. Run them again, once the cause is fixed: jobs:retry <queue> --yes.'];
  }
  const { total, jobs } = await listFailed(redis, prefix, queue, limit);
  if (total === 0) return [`No failed jobs in ${queue}.`];
  return [`${total} failed job(s) in ${queue}${total > jobs.length ? `, the newest ${jobs.length}` : ''}, newest first:`, ...jobTable(jobs)];
}

async function retry(redis: Redis, prefix: string, queue: string, ids: string[], apply: boolean, logger: Logger): Promise<string[]> {
  const { jobs, notFailed } = await retryFailed(redis, prefix, queue, { ...(ids.length > 0 ? { ids } : {}), apply });
  const out: string[] = [];
  if (jobs.length === 0) out.push(`No failed job of ${queue} to run again.`);
  else {
    out.push(apply ? `Put ${jobs.length} failed job(s) of ${queue} back to be run again, each with its full attempts:` : `Dry run: nothing was changed. With --yes these ${jobs.length} failed job(s) of ${queue} would be run again:`);
    out.push(...jobTable(jobs));
    if (queue.startsWith('notify.')) out.push('A notice run again is sent as it was written: check that it still makes sense to the citizen this late.');
  }
  if (notFailed.length > 0) {
    out.push(`Not failed in ${queue} (unknown, already run again, or not failed): ${notFailed.join(', ')}`);
    process.exitCode = EXIT_NOT_FAILED;
  }
  if (apply && jobs.length > 0) logger.info({ event: 'failed_jobs_retried', queue, jobs: jobs.length }, 'failed_jobs_retried');
  return out;
}

async function main() {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { yes: { type: 'boolean', default: false }, limit: { type: 'string', default: '20' } } });
  const [command, queue, ...ids] = positionals;
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) usage(`--limit must be a whole number of 1 or more, not "${values.limit}"`);
  if (command !== 'failed' && command !== 'retry') usage();
  if (command === 'failed' && ids.length > 0) usage();
  if (command === 'retry' && !queue) usage('retry needs a queue');
  const env = parseEnvOrExit(GatewayEnv);
  const queues = contractQueues(loadDirectory(env.ROUTING_DIRECTORY));
  if (queue && !queues.includes(queue)) usage(`"${queue}" is not a queue of the contract. The queues: ${queues.join(', ')}`);
  // The log line goes to stderr: stdout is the operator's report.
  const logger = createLogger({ service: 'jobs', destination: process.stderr });
  let redis: Redis | undefined;
  try {
    redis = await connectCliRedis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', env.QUEUE_PREFIX);
    const out = command === 'failed' ? await failed(redis, env.QUEUE_PREFIX, queues, queue, limit) : await retry(redis, env.QUEUE_PREFIX, queue!, ids, values.yes, logger);
    process.stdout.write(`${out.join('\n')}\n`);
  } catch (err) {
    const { code, message } = cliRedisError(err);
    process.stderr.write(`error (${code}): ${message}. Run it again.\n`);
    process.exitCode = 1;
  } finally {
    redis?.disconnect();
  }
}

await main();
