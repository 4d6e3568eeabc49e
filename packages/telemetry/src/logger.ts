import { pino, type Logger, type DestinationStream, type LoggerOptions as PinoOptions } from 'pino';

export type { Logger };

/**
 * Personal data never reaches a log line. These paths are censored wherever they appear at
 * the top level or one/two levels down (a complaint, a job's data, a request body).
 * Free text is redacted too: citizens write their phone number and address into it.
 */
const PII_KEYS = ['reporter', 'phone', 'email', 'text', 'caption', 'pushName', 'username', 'fullName', 'full_name', 'jid', 'remoteJid', 'participant', 'password', 'statusToken', 'token'];
export const REDACT_PATHS: string[] = [
  ...PII_KEYS,
  ...PII_KEYS.map((k) => `*.${k}`),
  ...PII_KEYS.map((k) => `*.*.${k}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
];

export interface LoggerOptions {
  level?: string;
  /** Service name bound to every line. */
  service: string;
  /** Tests pass an in-memory stream and assert on the JSON lines. */
  destination?: DestinationStream;
}

/** Strip query strings from logged URLs: `?token=` carries a status token. */
function stripQuery(url: string | undefined): string | undefined {
  if (!url) return url;
  const i = url.indexOf('?');
  return i === -1 ? url : `${url.slice(0, i)}?[redacted]`;
}

export function createLogger(opts: LoggerOptions): Logger {
  const options: PinoOptions = {
    level: opts.level ?? 'info',
    base: { service: opts.service },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: { method?: string; url?: string; id?: string }) => ({ method: req.method, url: stripQuery(req.url), id: req.id }),
      err: pino.stdSerializers.err,
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
