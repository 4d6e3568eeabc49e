import qrcode from 'qrcode-terminal';
import { listenOrExit, parseEnvOrExit } from '@aduan/config';
import { exitIfRedisRefuses } from '@aduan/queue';
import { createLogger, onShutdown } from '@aduan/telemetry';
import { makeBaileysSocket } from './baileys-socket.ts';
import { WhatsAppEnv } from './env.ts';
import { startWhatsAppService } from './service.ts';

const env = parseEnvOrExit(WhatsAppEnv);
const logger = createLogger({ service: 'whatsapp', level: env.LOG_LEVEL });

const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
await exitIfRedisRefuses(redisUrl, env.QUEUE_PREFIX);

const service = await startWhatsAppService({
  config: { ...env, REDIS_URL: redisUrl },
  logger,
  makeSocket: (_account, auth) => makeBaileysSocket(auth, logger),
  // Half the shutdown time for a slow media download (past it, the journal keeps the message) and
  // for a notification being sent (past it, or with Redis away, it waits in Redis to be sent again).
  inFlightGraceMs: Math.max(1_000, Math.floor(env.SHUTDOWN_TIMEOUT / 2)),
  // For the operator's eyes on the terminal, not the log stream.
  display: (account, what) => {
    if ('qr' in what) {
      process.stdout.write(`\nScan this QR code with WhatsApp on the phone of ${account} (Linked devices > Link a device).\nOr restart with WA_PAIRING=code to link with a pairing code instead.\n`);
      qrcode.generate(what.qr, { small: true });
    } else {
      process.stdout.write(`\nPairing code for ${account}: ${what.pairingCode}\nOn the phone: Linked devices > Link a device > Link with phone number instead, then type the code.\n`);
    }
  },
});
try {
  await listenOrExit(service.app, env.PORT, env.HOST);
} catch (err) {
  // Port taken or similar: give the number lock back before dying, so a fixed restart can start at once.
  await service.stop().catch(() => {});
  throw err;
}
logger.info({ port: env.PORT, numbers: env.WA_NUMBERS.length }, 'whatsapp service started');

onShutdown({ logger, timeoutMs: env.SHUTDOWN_TIMEOUT, steps: [{ name: 'whatsapp', run: () => service.stop() }] });
