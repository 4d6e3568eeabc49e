import { z } from 'zod';
import { ServiceEnv, envBoolean, envDurationMs, envInt, envLogLevel, envTicketPrefix } from '@aduan/config';

/** Example secrets that have appeared in this repository's files: anyone can read them. */
const PUBLIC_PLACEHOLDERS = new Set(['change-me-to-a-long-random-secret']);

export const GatewayEnv = ServiceEnv.extend({
  /** HTTP port. */
  PORT: envInt(3000, { min: 0, max: 65535 }),
  /** Listen address. */
  HOST: z.string().default('0.0.0.0'),
  /** pino log level. */
  LOG_LEVEL: envLogLevel(),
  /**
   * Where complaints are kept on local disk while Redis is unreachable (one directory per process).
   * It also keeps a copy of a generated status-token secret, so a restart while Redis is away starts.
   */
  SPOOL_DIR: z.string().default('data/spool/gateway'),
  /** Attachment storage root (content-addressed files). */
  ATTACHMENT_DIR: z.string().default('data/attachments'),
  /**
   * Secret for status tokens (HMAC). Unset (or empty, as for every variable): generated once and
   * kept in Redis, shared by all replicas, with a copy in SPOOL_DIR. The placeholder that
   * docker-compose.yml once shipped is refused: it is public.
   */
  STATUS_TOKEN_SECRET: z
    .string()
    .min(16)
    .refine((v) => !PUBLIC_PLACEHOLDERS.has(v), 'is a published placeholder: set a long random secret (openssl rand -base64 32), or leave it unset to have one generated')
    .optional(),
  /** Ticket prefix read out on air, 2-5 capital letters. */
  TICKET_PREFIX: envTicketPrefix(),
  /** Largest JSON or form body without files, bytes. */
  BODY_LIMIT_BYTES: envInt(256 * 1024, { min: 1024 }),
  /** Largest single photo, bytes. */
  MAX_PHOTO_BYTES: envInt(8 * 1024 * 1024, { min: 1024 }),
  /** Most photos per complaint. */
  MAX_PHOTOS: envInt(5, { min: 0, max: 20 }),
  /** Complaint submissions per IP per minute (0 disables; a city behind one NAT may need more). */
  RATE_LIMIT_PER_MINUTE: envInt(30, { min: 0 }),
  /** Trust X-Forwarded-For from a reverse proxy (true/1 only behind one). */
  TRUST_PROXY: envBoolean(false),
  /** Path to the OPD directory data; defaults to the repository's infra/routing. */
  ROUTING_DIRECTORY: z.string().optional(),
  /** How long to wait for Redis before spooling a complaint, ms. */
  QUEUE_ADD_TIMEOUT_MS: envInt(2_000, { min: 50 }),
  /** "production" makes the session cookie Secure by default (see SESSION_COOKIE_SECURE). */
  NODE_ENV: z.enum(['production', 'development', 'test']).default('development'),
  /** Session cookie only over HTTPS (true/1 behind TLS). Unset: true when NODE_ENV=production. */
  SESSION_COOKIE_SECURE: z.enum(['true', '1', 'false', '0']).optional(),
  /** Operator/admin session ends after this long without a request (e.g. 2h, 30m). */
  SESSION_IDLE_TIMEOUT: envDurationMs('2h'),
  /** Operator/admin session ends this long after login whatever the activity (one broadcast shift). */
  SESSION_MAX_AGE: envDurationMs('12h'),
  /** Failed logins per username and address before logins are refused for LOGIN_FAILURE_WINDOW. */
  LOGIN_MAX_FAILURES: envInt(10, { min: 1 }),
  /** Window in which failed logins are counted (and the lock-out length). */
  LOGIN_FAILURE_WINDOW: envDurationMs('15m'),
  /** Radio desk: how many days back duplicate hints look. */
  DESK_HINT_DAYS: envInt(3, { min: 1, max: 30 }),
  /** Radio desk: the stations' UTC offset in minutes, for "today" on the board (WIB = 420). */
  DESK_UTC_OFFSET_MINUTES: envInt(420, { min: -720, max: 840 }),
});
export type GatewayEnv = z.infer<typeof GatewayEnv>;
