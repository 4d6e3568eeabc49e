import { z } from 'zod';
import { ReopenEnv, ServiceEnv, envBoolean, envDurationMs, envInt, envLogLevel, envTicketPrefix } from '@aduan/config';

/** The one environment schema of the WhatsApp service; parsed once in main.ts. */
export const WhatsAppEnv = ServiceEnv.extend({
  /** Our WhatsApp numbers, E.164, comma separated: one Baileys socket each. */
  WA_NUMBERS: z
    .string()
    .min(1)
    .transform((s) => s.split(',').map((n) => n.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^\+[1-9]\d{7,14}$/, 'each WA_NUMBERS entry must be E.164, e.g. +6281234567890')).min(1)),
  /** First pairing: "qr" prints a QR code; "code" asks WhatsApp for an 8-character pairing code for the number. */
  WA_PAIRING: z.enum(['qr', 'code']).default('qr'),
  /** HTTP port for /healthz and /metrics. */
  PORT: envInt(8082, { min: 1, max: 65_535 }),
  HOST: z.string().default('0.0.0.0'),
  /** Directory of the producer's durable spool (jobs for intake/notify while Redis is down). */
  SPOOL_DIR: z.string().min(1).default('./data/whatsapp/spool'),
  /** Directory of the inbound message spool (chat messages that arrived while Redis was down). */
  INBOX_SPOOL_DIR: z.string().min(1).default('./data/whatsapp/inbox'),
  /** Attachment storage root (LocalDiskStorage). */
  ATTACHMENT_DIR: z.string().min(1).default('./data/attachments'),
  /** Largest media file downloaded; bigger ones are noted in the complaint but not stored. */
  MAX_MEDIA_BYTES: envInt(32 * 1024 * 1024, { min: 1 }),
  /** Quiet period after a citizen's last message before the complaint is filed. */
  CONVERSATION_QUIET: envDurationMs('3m'),
  /** A conversation is filed at the latest this long after it opened. */
  CONVERSATION_MAX_OPEN: envDurationMs('30m'),
  TICKET_PREFIX: envTicketPrefix(),
  /** When "BELUM <ticket> <keadaannya>" reopens a resolved complaint (ADR 0014); match the gateway's. */
  ...ReopenEnv.shape,
  /** Outgoing messages per minute per number (keep low: WhatsApp bans bulk senders). */
  SEND_PER_MINUTE: envInt(20, { min: 1, max: 600 }),
  /** Simulate typing before each reply ("composing" presence for a time that grows with the text). */
  SEND_TYPING: envBoolean(true),
  LOG_LEVEL: envLogLevel(),
});
export type WhatsAppEnv = z.output<typeof WhatsAppEnv>;

/** Environment of the replay and bench commands: the same names, plus their own spool directories. */
export const ReplayEnv = WhatsAppEnv.pick({
  REDIS_URL: true,
  QUEUE_PREFIX: true,
  WA_NUMBERS: true,
  ATTACHMENT_DIR: true,
  MAX_MEDIA_BYTES: true,
  CONVERSATION_QUIET: true,
  TICKET_PREFIX: true,
  LOG_LEVEL: true,
}).extend({
  WA_NUMBERS: WhatsAppEnv.shape.WA_NUMBERS.optional(),
  /** Spools of the replay process (a live service may hold SPOOL_DIR/INBOX_SPOOL_DIR). */
  REPLAY_SPOOL_DIR: z.string().min(1).default('./data/whatsapp/replay-spool'),
  LOG_LEVEL: envLogLevel('warn'),
});
export type ReplayEnv = z.output<typeof ReplayEnv>;
