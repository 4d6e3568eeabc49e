import { resolve } from 'node:path';
import { parseEnvOrExit } from '@aduan/config';
import { createLogger, metricsRegistry } from '@aduan/telemetry';
import { accountOf, InstagramCommonEnv } from '../env.ts';
import { createIgMetrics } from '../metrics.ts';
import { runReplay } from '../replay.ts';

/**
 * `pnpm --filter @aduan/instagram replay <file.jsonl>`: prints one JSON line per complaint
 * queued (id, ticket, message and attachment counts; no personal data) and a summary.
 */
// pnpm runs scripts in the package directory; INIT_CWD is where the operator typed the command.
const arg = process.argv[2];
const file = arg ? resolve(process.env.INIT_CWD ?? process.cwd(), arg) : undefined;
if (!file) {
  process.stderr.write('usage: pnpm --filter @aduan/instagram replay <file.jsonl>\n');
  process.exit(2);
}
const env = parseEnvOrExit(InstagramCommonEnv);
const logger = createLogger({ service: 'instagram-replay', level: env.LOG_LEVEL === 'info' ? 'warn' : env.LOG_LEVEL, destination: process.stderr });
const account = accountOf(env) ?? 'replay';
const result = await runReplay({
  file,
  env,
  redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  account,
  logger,
  metrics: createIgMetrics(metricsRegistry),
  onBadLine: (err) => process.stderr.write(`${err.message}\n`),
});
for (const { complaint: c, outcome } of result.complaints) {
  process.stdout.write(`${JSON.stringify({ queued: 'intake', outcome, id: c.id, ticket: c.ticket, threadId: c.source.threadId, messages: c.source.messageIds.length, attachments: c.attachments.length, textChars: c.text.length })}\n`);
}
// The engine reports every notify it makes; a repeated one (same content) is one queued job.
const unique = new Map(result.notifications.map((n) => [JSON.stringify([n.kind, n.to, n.ticket, n.complaintId, n.replyTo, n.text]), n]));
const notified: Record<string, number> = {};
for (const n of unique.values()) notified[n.kind] = (notified[n.kind] ?? 0) + 1;
process.stdout.write(`${JSON.stringify({ summary: true, lines: result.lines, badLines: result.badLines, items: result.items, complaints: result.complaints.length, notifications: notified })}\n`);
process.exit(result.badLines > 0 ? 1 : 0);
