import { z } from 'zod';
import { ReopenEnv, ServiceEnv, envBoolean, envDurationMs, envInt, envLogLevel, envTicketPrefix } from '@aduan/config';

/** Settings shared by the service and the replay command. */
export const InstagramCommonEnv = ServiceEnv.extend({
  /** Our Instagram account as written into Complaint.source.account and Notification.account (default: INSTAGRAM_USERNAME). */
  INSTAGRAM_ACCOUNT: z.string().trim().min(1).max(100).optional(),
  /** The Instagram login name of the city's account. */
  INSTAGRAM_USERNAME: z.string().trim().min(1).max(100).optional(),
  /** Root directory of attachment storage (content-addressed files). */
  ATTACHMENT_DIR: z.string().min(1).default('./data/attachments'),
  /** Directory of the producer's durable spool (jobs kept while Redis is down); one per process. */
  SPOOL_DIR: z.string().min(1).default('./data/spool/instagram'),
  /** Directory of the conversation inbox spool (chat messages kept while Redis is down); one per process. */
  INBOX_SPOOL_DIR: z.string().min(1).default('./data/spool/instagram-inbox'),
  /** Largest media file downloaded (bytes). */
  MEDIA_MAX_BYTES: envInt(25 * 1024 * 1024, { min: 1024 }),
  /** Timeout of one media download. */
  MEDIA_TIMEOUT: envDurationMs('30s'),
  /** Quiet period after a citizen's last message before the burst becomes one complaint. */
  CONVERSATION_QUIET: envDurationMs('3m'),
  /** Ticket prefix (ADU-XXXX-XXXX). */
  TICKET_PREFIX: envTicketPrefix(),
  /** When "BELUM <ticket> <keadaannya>" reopens a resolved complaint (ADR 0014); match the gateway's. */
  ...ReopenEnv.shape,
  LOG_LEVEL: envLogLevel(),
});

export const InstagramEnv = InstagramCommonEnv.extend({
  /** Password; needed only when there is no saved session in Redis (first start, or the session is gone). */
  INSTAGRAM_PASSWORD: z.string().min(1).optional(),
  /** Optional HTTP(S) proxy for Instagram traffic (e.g. a fixed egress IP Instagram already knows). */
  INSTAGRAM_PROXY_URL: z.url().optional(),
  /** false for a plain forward proxy without CONNECT (requests then go to it as absolute URLs). */
  INSTAGRAM_PROXY_TUNNEL: envBoolean(true),
  /** Base poll interval; each wait gets +-INSTAGRAM_POLL_JITTER random jitter. */
  INSTAGRAM_POLL_INTERVAL: envDurationMs('45s'),
  /** Jitter fraction (0..0.9). */
  INSTAGRAM_POLL_JITTER: z.coerce.number().min(0).max(0.9).default(0.3),
  /** On a thread never seen before, items older than this are history, not complaints. */
  INSTAGRAM_BACKFILL: envDurationMs('24h'),
  /** Approve message requests (pending inbox) after taking their messages. */
  INSTAGRAM_APPROVE_PENDING: envBoolean(true),
  /** Inbox pages and thread pages read per poll, at most. */
  INSTAGRAM_MAX_PAGES: envInt(3, { min: 1, max: 20 }),
  /**
   * One request to Instagram: connecting, waiting for the answer, any silence while it comes in
   * (the library sets none: a connection that never answered held polling for good). A send's
   * deadline is twice this.
   */
  INSTAGRAM_REQUEST_TIMEOUT: envDurationMs('30s'),
  /** One poll cycle, at most: a poll not over by then is given up and tried again after a back-off. */
  INSTAGRAM_POLL_TIMEOUT: envDurationMs('5m'),
  /** Messages sent per minute at most (notify.instagram), across replicas. */
  INSTAGRAM_SEND_PER_MINUTE: envInt(12, { min: 1, max: 120 }),
  /**
   * Health/metrics/admin HTTP port and host (named as in every Aduan service; called HTTP_PORT
   * and HTTP_HOST before session 20, which main.ts refuses by name). The host defaults to this
   * machine only: the admin endpoint takes login codes.
   */
  PORT: envInt(3103, { min: 0, max: 65_535 }),
  HOST: z.string().default('127.0.0.1'),
  /** Bearer token for POST /admin/instagram/code (two-factor / checkpoint code). Unset: endpoint off. */
  ADMIN_TOKEN: z.string().min(24, 'ADMIN_TOKEN must be at least 24 characters').optional(),
});

export type InstagramCommonEnv = z.infer<typeof InstagramCommonEnv>;
export type InstagramEnv = z.infer<typeof InstagramEnv>;

export function accountOf(env: Pick<InstagramCommonEnv, 'INSTAGRAM_ACCOUNT' | 'INSTAGRAM_USERNAME'>): string | undefined {
  return env.INSTAGRAM_ACCOUNT ?? env.INSTAGRAM_USERNAME;
}

/** Variables this service read under another name before: set, they would be ignored without a word. */
export function renamedVariables(env: NodeJS.ProcessEnv): string | undefined {
  const renamed = [['HTTP_PORT', 'PORT'], ['HTTP_HOST', 'HOST']].filter(([old]) => env[old!]);
  return renamed.length ? `${renamed.map(([old, now]) => `${old} is now ${now}`).join(', ')}, as in every Aduan service: rename it in your environment or .env file` : undefined;
}
