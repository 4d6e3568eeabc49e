import { isIP } from 'node:net';
import { z } from 'zod';
import { ReopenEnv, ServiceEnv, envDurationMs, envInt, envLogLevel, envTicketPrefix } from '@aduan/config';
import { normalizePhone } from '@aduan/schema';

/** proxy-addr's names for address ranges, accepted in TRUST_PROXY. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY as fastify's `trustProxy`: false, or the trusted proxies' addresses. Never `true`
 * (trust every hop): fastify would then take the left-most X-Forwarded-For entry, which the
 * client writes itself. Nor a hop count: fastify 5 ignores those (it cannot tell a proxy from a
 * client claiming to be one).
 */
function trustedProxies(raw: string, ctx: z.RefinementCtx): false | string {
  const v = raw.trim();
  if (v === 'false' || v === '0') return false;
  if (v === 'true' || v === '1') return 'loopback';
  const entries = v.split(',').map((e) => e.trim());
  for (const e of entries) {
    const [address = '', bits] = e.split('/');
    const family = isIP(address);
    // A prefix of 0 (0.0.0.0/0, ::/0) would trust every hop again, as `true` would.
    const prefixOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) >= 1 && Number(bits) <= (family === 4 ? 32 : 128));
    if (PROXY_RANGE_NAMES.has(e) || (family && prefixOk)) continue;
    ctx.addIssue({ code: 'custom', message: `"${e}" is not an address, a CIDR range (prefix 1 to 32, or to 128 for IPv6) or one of ${[...PROXY_RANGE_NAMES].join(', ')} (use false, true, or a comma-separated list)` });
    return z.NEVER;
  }
  return entries.join(',');
}

/** Example secrets that have appeared in this repository's files: anyone can read them. */
const PUBLIC_PLACEHOLDERS = new Set(['change-me-to-a-long-random-secret']);

/**
 * How long a complaint with photos waits for an upload turn (MAX_CONCURRENT_UPLOADS) before a
 * 503 with Retry-After: 30 s, and at most half of REQUEST_IDLE_TIMEOUT, since a waiting upload's
 * connection is idle (its body unread) and would be closed without an answer.
 */
export const uploadWaitMs = (config: { REQUEST_IDLE_TIMEOUT: number }) => Math.min(30_000, Math.floor(config.REQUEST_IDLE_TIMEOUT / 2));

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
  /** Complaints with photos read at once (each holds its photos in memory until stored); more wait up to 30 s, then 503. */
  MAX_CONCURRENT_UPLOADS: envInt(4, { min: 1, max: 100 }),
  /**
   * A connection on which nothing arrives or leaves for this long is closed: a phone that lost its
   * signal mid-upload (or a client that stops sending on purpose) would otherwise hold its upload's
   * turn (MAX_CONCURRENT_UPLOADS) for good. An upload waits for its turn at most half of this (uploadWaitMs).
   */
  REQUEST_IDLE_TIMEOUT: envDurationMs('60s'),
  /** Complaint submissions per IP per minute (0 disables; a city behind one NAT may need more). */
  RATE_LIMIT_PER_MINUTE: envInt(30, { min: 0 }),
  /**
   * The reverse proxies whose X-Forwarded-For to believe, by address: false/0 none; true/1 a proxy
   * on this machine (loopback); or a comma-separated list of addresses, CIDR ranges and the names
   * loopback, linklocal, uniquelocal (private networks, e.g. a proxy container). The client's
   * address is the right-most entry that is not one of them.
   */
  TRUST_PROXY: z.string().default('false').transform(trustedProxies),
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
  /**
   * Progress reports (`POST /api/v1/opd/complaints/:id/status`) per OPD API key per minute (0
   * disables): each is kept a week on `status`, and may send a citizen a chat message, so a
   * runaway OPD script must not go unchecked.
   */
  OPD_REPORTS_PER_MINUTE: envInt(120, { min: 0 }),
  /**
   * Working days an OPD has to respond to a complaint routed to it (SP4N-LAPOR! expects a follow-up
   * within a few): counted in WIB from the day after routing, Monday to Friday without the
   * HOLIDAYS_FILE dates. Past it the complaint is overdue: the triage page lists it and
   * `aduan_opd_overdue_complaints` counts it. 0 turns deadlines off.
   */
  OPD_RESPONSE_DAYS: envInt(5, { min: 0, max: 60 }),
  /**
   * A citizen's reopen of a resolved complaint ("Masalahnya belum selesai?" on the status page, the
   * API): within REOPEN_DAYS of the resolution, REOPEN_MAX times at most (ADR 0014). Match the chat
   * adapters'.
   */
  ...ReopenEnv.shape,
  /** The holidays the response deadline skips, one YYYY-MM-DD a line; defaults to the repository's infra/holidays.txt. */
  HOLIDAYS_FILE: z.string().optional(),
  /**
   * When OPD staff get the WhatsApp digest of their inbox ("3 aduan menunggu tanggapan"), in WIB,
   * on working days: comma-separated HH:MM, or `off`. Only accounts given a number
   * (`user:whatsapp`) get one, from WHATSAPP_PUBLIC_NUMBER, and only when something waits. A
   * gateway down at the time sends it within 3 hours after, past midnight too (a late time's
   * digest belongs to the working day of the time).
   */
  OPD_DIGEST_TIMES: z
    .string()
    .trim()
    .default('07:30')
    .transform((v, ctx) => {
      if (v === '' || v.toLowerCase() === 'off') return [];
      const times = v.split(',').map((t) => t.trim());
      const bad = times.filter((t) => !/^([01]\d|2[0-3]):[0-5]\d$/.test(t));
      if (bad.length === 0) return [...new Set(times)].sort();
      ctx.addIssue({ code: 'custom', message: `must be times HH:MM (WIB) separated by commas, such as 07:30,13:00, or off; not ${bad.map((b) => `"${b}"`).join(', ')}` });
      return z.NEVER;
    }),
  /** The address citizens and staff reach this gateway at (https://aduan.blitarkota.go.id): links in the staff digest. Unset: the digest names the page without a link. */
  PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .transform((v) => v.replace(/\/+$/, ''))
    .optional(),
  /** Login attempts per client address per minute, whatever the username (0 disables): each costs a password hash. */
  LOGIN_RATE_LIMIT_PER_MINUTE: envInt(20, { min: 0 }),
  /**
   * Logins per account per hour from browsers that never logged into it, from any addresses (0
   * disables): guesses spread over many addresses stop there; a browser that logged in as that
   * user before (its `aduan_device` cookie) is not counted.
   */
  LOGIN_NEW_DEVICE_PER_HOUR: envInt(30, { min: 0 }),
  /** Radio desk: how many days back duplicate hints look. */
  DESK_HINT_DAYS: envInt(3, { min: 1, max: 30 }),
  /** Radio desk: the stations' UTC offset in minutes, for "today" on the board and the times the desk page shows and sends, whatever the desk computer's time zone (WIB = 420). */
  DESK_UTC_OFFSET_MINUTES: envInt(420, { min: -720, max: 840 }),
  /**
   * The city's WhatsApp number that citizens write to (the WhatsApp service's account), e.g.
   * 0812 3456 7890. When set, a citizen who gave a phone number is told, on the web form's
   * thank-you page and by the radio desk operator, that sending "cek <ticket>" to it from that
   * number shows the status. Unset: not mentioned. It must be one of a WhatsApp service's
   * WA_NUMBERS: while no running one serves it, the gateway says so (PublicNumberWatch, and
   * aduan_gateway_whatsapp_number_served on /metrics).
   */
  WHATSAPP_PUBLIC_NUMBER: z
    .string()
    .transform((v, ctx) => {
      const e164 = normalizePhone(v);
      if (e164) return e164;
      ctx.addIssue({ code: 'custom', message: 'must be a phone number such as 0812 3456 7890 or +6281234567890' });
      return z.NEVER;
    })
    .optional(),
});
export type GatewayEnv = z.infer<typeof GatewayEnv>;
