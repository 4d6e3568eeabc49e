import type { ILogger } from '@whiskeysockets/baileys/lib/Utils/logger.js';
import type { Logger } from '@aduan/telemetry';

/** A WhatsApp address (phone number or LID, any server) or a bare phone number. */
const ADDRESS = /\d{5,}(?::\d+)?@(?:s\.whatsapp\.net|lid|c\.us|g\.us|broadcast)|\+?\b\d{9,15}\b/g;

/**
 * Baileys' warnings carry citizens' numbers under keys of its own (`sender`, `author`,
 * `senderAlt`, `attrs.from`, binary nodes dumped as strings...), which the telemetry logger's
 * key list does not know and cannot keep up with. Everything Baileys logs is scrubbed of
 * WhatsApp addresses and phone numbers by value, whatever the key.
 */
function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(ADDRESS, '[redacted]');
  if (value === null || typeof value !== 'object' || depth > 5) return value;
  if (ArrayBuffer.isView(value)) return '[binary]';
  if (value instanceof Error) return { type: value.name, message: scrub(value.message) };
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrub(v, depth + 1);
  return out;
}

/** The logger handed to Baileys: ours (redacting, at warn level), with every value scrubbed. */
export function baileysLogger(logger: Logger): ILogger {
  const wrap = (l: Logger): ILogger => ({
    get level() {
      return l.level;
    },
    set level(level: string) {
      l.level = level;
    },
    child: (bindings) => wrap(l.child(scrub(bindings) as Record<string, unknown>)),
    trace: (obj, msg) => l.trace(scrub(obj), msg === undefined ? undefined : (scrub(msg) as string)),
    debug: (obj, msg) => l.debug(scrub(obj), msg === undefined ? undefined : (scrub(msg) as string)),
    info: (obj, msg) => l.info(scrub(obj), msg === undefined ? undefined : (scrub(msg) as string)),
    warn: (obj, msg) => l.warn(scrub(obj), msg === undefined ? undefined : (scrub(msg) as string)),
    error: (obj, msg) => l.error(scrub(obj), msg === undefined ? undefined : (scrub(msg) as string)),
  });
  return wrap(logger.child({ component: 'baileys' }, { level: 'warn' }));
}
