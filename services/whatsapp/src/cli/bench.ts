import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { proto } from '@whiskeysockets/baileys';
import { parseEnvOrExit } from '@aduan/config';
import { deletePrefix, redisAnswers, startLocalRedis, type LocalRedis } from '@aduan/queue';
import { createLogger } from '@aduan/telemetry';
import { ReplayEnv } from '../env.ts';
import { replay } from '../replay.ts';

/**
 * pnpm --filter @aduan/whatsapp bench [--senders 2000] [--per-sender 5]
 * A synthetic flood (many citizens writing bursts at once) through the replay path: mapping,
 * inbox, conversation engine on real Redis, then closing into complaints and acks.
 * Uses REDIS_URL if it answers, else a private redis-server (AOF everysec) in a temp dir.
 */
const { values } = parseArgs({ options: { senders: { type: 'string', default: '2000' }, 'per-sender': { type: 'string', default: '5' } } });
const senders = Number(values.senders);
const perSender = Number(values['per-sender']);
const env = parseEnvOrExit(ReplayEnv);
const logger = createLogger({ service: 'whatsapp-bench', level: 'error', destination: process.stderr as never });

const TEXTS = ['ada jukir liar minta 5 ribu', 'lampu PJU mati sudah seminggu', 'sampah menumpuk di pinggir jalan', 'pohon besar hampir tumbang', 'jalan berlubang dalam sekali'];
function* lines(): Generator<string> {
  const t0 = Math.floor(Date.now() / 1000) - 600;
  // Interleaved like real traffic: message i of every sender, then message i+1.
  for (let i = 0; i < perSender; i++) {
    for (let s = 0; s < senders; s++) {
      const jid = `62812${String(s).padStart(8, '0')}@s.whatsapp.net`;
      const message: proto.IMessage =
        i === 0 ? { conversation: 'Pak mau lapor' } : i === perSender - 1 && s % 3 === 0 ? { locationMessage: { degreesLatitude: -8.09 - s / 1e5, degreesLongitude: 112.16 } } : { extendedTextMessage: { text: `${TEXTS[(s + i) % TEXTS.length]} (${i})` } };
      const m = proto.WebMessageInfo.fromObject({ key: { remoteJid: jid, fromMe: false, id: `BENCH${s}X${i}` }, messageTimestamp: t0 + i * 10, pushName: `Warga ${s}`, message });
      yield JSON.stringify(m.toJSON());
    }
  }
}

let local: LocalRedis | undefined;
const dir = mkdtempSync(join(tmpdir(), 'aduan-wa-bench-'));
let url = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
if (!(await redisAnswers(url))) {
  local = await startLocalRedis({ dir: join(dir, 'redis') });
  url = local.url;
}
const prefix = `bench-wa-${process.pid}`;
const total = senders * perSender;
process.stdout.write(`bench: ${total} messages from ${senders} senders (${perSender} each) via the replay path; Redis ${local ? 'private redis-server' : url}\n`);

const s = await replay({
  lines: lines(),
  account: '+6281100000000',
  redisUrl: url,
  prefix,
  spoolDir: join(dir, 'spool'),
  inboxSpoolDir: join(dir, 'inbox'),
  attachmentDir: join(dir, 'attachments'),
  maxMediaBytes: 1_000_000,
  quietMs: env.CONVERSATION_QUIET,
  ticketPrefix: 'ADU',
  logger,
});
const msgPerS = Math.round(s.outcomes.ingested / (s.ingestMs / 1000));
const cPerS = Math.round(s.complaints / (s.closeMs / 1000));
process.stdout.write(
  `conversation assembly: ${s.outcomes.ingested} messages in ${s.ingestMs} ms = ${msgPerS} messages/s\n` +
    `closing: ${s.complaints} complaints (+ ${s.notifications} notifications) in ${s.closeMs} ms = ${cPerS} complaints/s\n` +
    `end to end: ${Math.round(total / ((s.ingestMs + s.closeMs) / 1000))} messages/s; outcomes ${JSON.stringify(s.outcomes)}\n`,
);

// Clean up the bench's keys and files.
await deletePrefix(url, prefix);
await local?.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(msgPerS >= 2000 ? 0 : 1);
