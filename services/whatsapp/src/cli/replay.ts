import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { jsonLinesOf, parseEnvOrExit } from '@aduan/config';
import { createLogger } from '@aduan/telemetry';
import { ReplayEnv } from '../env.ts';
import { replay } from '../replay.ts';

/**
 * pnpm --filter @aduan/whatsapp replay <file.jsonl> [--account +62...]
 * One Baileys WebMessageInfo per line (proto toJSON() or BufferJSON). Prints each complaint
 * queued (ticket, id, counts; no personal data) and a JSON summary.
 */
const { values, positionals } = parseArgs({ allowPositionals: true, options: { account: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
// pnpm runs scripts in the package directory; INIT_CWD is where the operator typed the command.
const file = positionals[0] ? resolve(process.env.INIT_CWD ?? process.cwd(), positionals[0]) : undefined;
if (values.help || !file) {
  process.stderr.write('usage: pnpm --filter @aduan/whatsapp replay <file.jsonl> [--account +6281...]\n  (account defaults to the first of WA_NUMBERS; REDIS_URL, QUEUE_PREFIX honoured)\n');
  process.exit(values.help ? 0 : 2);
}
const env = parseEnvOrExit(ReplayEnv);
const account = values.account ?? env.WA_NUMBERS?.[0];
if (!account || !/^\+[1-9]\d{7,14}$/.test(account)) {
  process.stderr.write('replay: give the receiving number with --account +6281... or WA_NUMBERS\n');
  process.exit(2);
}
const logger = createLogger({ service: 'whatsapp-replay', level: env.LOG_LEVEL, destination: process.stderr as never });

const summary = await replay({
  lines: jsonLinesOf(file),
  account,
  redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  prefix: env.QUEUE_PREFIX,
  spoolDir: join(env.REPLAY_SPOOL_DIR, 'spool'),
  inboxSpoolDir: join(env.REPLAY_SPOOL_DIR, 'inbox'),
  attachmentDir: env.ATTACHMENT_DIR,
  maxMediaBytes: env.MAX_MEDIA_BYTES,
  quietMs: env.CONVERSATION_QUIET,
  ticketPrefix: env.TICKET_PREFIX,
  logger,
  onComplaint: (c, outcome) => {
    process.stdout.write(`${outcome} ${c.ticket} ${c.id} messages=${c.source.messageIds.length} attachments=${c.attachments.length}${c.location ? ' location' : ''}\n`);
  },
});
process.stdout.write(`${JSON.stringify({ file, account, ...summary })}\n`);
process.exit(0);
