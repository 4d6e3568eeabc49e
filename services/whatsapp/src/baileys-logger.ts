import type { ILogger } from '@whiskeysockets/baileys/lib/Utils/logger.js';
import type { Logger } from '@aduan/telemetry';

/** A WhatsApp address (phone number or LID, any server) or a bare phone number. */
const ADDRESS = /\d{5,}(?::\d+)?@(?:s\.whatsapp\.net|lid|c\.us|g\.us|broadcast)|\+?\b\d{9,15}\b/g;

/** Keys whose value names a person or a business: a push name, a verified business name, a username. */
const PERSON = /^(?:notify|pushname|push_?name|verified_?name|verifiedbizname|display_?name|vcard)$|username$/i;

/**
 * Attributes of a binary node (a stanza) that say nothing about a person and help to debug;
 * every other attribute's value is redacted (from, to, participant, notify, verified_name, and
 * whatever WhatsApp adds next). Kept only when the value is a short token, never free text.
 */
const SAFE_ATTRS = new Set(['id', 'type', 'category', 'offline', 'v', 'count', 'mediatype', 'edit', 'class', 'addressing_mode', 'phash', 'code', 'text', 'xmlns', 'retry', 'status', 'reason', 'state', 'platform']);
const SAFE_VALUE = /^[\w.:+-]{0,80}$/;
/** `text` carries an error's name (`rate-overlimit`), but a person's status too: only lower-case tokens. */
const SAFE_TEXT = /^[a-z0-9_.:-]{0,64}$/;

function safeAttr(name: string, value: string): boolean {
  return SAFE_ATTRS.has(name) && (name === 'text' ? SAFE_TEXT : SAFE_VALUE).test(value);
}

/** A node's attributes as an object (`attrs`): safe ones kept, the rest redacted. */
function scrubAttrs(attrs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(attrs)) out[k] = typeof v === 'string' && safeAttr(k, v) ? v : v === undefined ? v : '[redacted]';
  return out;
}

/** `k='v' k2='v2'` as Baileys' binaryNodeToString writes them. */
const ATTR_START = /(?:^| )([\w:-]+)='/g;

function scrubAttrString(attrs: string): string {
  const starts = [...attrs.matchAll(ATTR_START)];
  if (starts.length === 0) return attrs.trim() ? '[redacted]' : attrs;
  return starts
    .map((m, i) => {
      const from = m.index + m[0].length;
      const to = i + 1 < starts.length ? starts[i + 1]!.index : attrs.length;
      // A value may hold a quote itself (a push name like "Jum'at"): it runs to the next attribute.
      const value = attrs.slice(from, to).replace(/'\s*$/, '');
      return `${m[1]}='${safeAttr(m[1]!, value) ? value : '[redacted]'}'`;
    })
    .join(' ');
}

const OPEN_TAG = /^(\s*)<([\w:-]+) (.*?)(\/?)>$/;
const CLOSE_TAG = /^\s*<\/[\w:-]+>$/;
/** A string that holds a binary node written by binaryNodeToString (Baileys logs whole stanzas so). */
const STANZA = /(?:^|\n)\s*<[\w:-]+ [^\n]*>/;

/**
 * A stanza written as text: tags and safe attributes are kept; other attribute values (a push
 * name, a verified name, addresses) and every line of content (the encrypted payload, a
 * certificate, text) are redacted. A line that is not a whole tag (a value with a line break)
 * counts as content.
 */
function scrubStanza(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      if (CLOSE_TAG.test(line)) return line;
      const tag = OPEN_TAG.exec(line);
      if (tag) return `${tag[1]}<${tag[2]} ${scrubAttrString(tag[3]!)}${tag[4]}>`;
      return line.trim() ? `${/^\s*/.exec(line)![0]}[redacted]` : line;
    })
    .join('\n');
}

function scrubString(value: string): string {
  return (STANZA.test(value) ? scrubStanza(value) : value).replace(ADDRESS, '[redacted]');
}

/**
 * Baileys' warnings carry citizens' numbers under keys of its own (`sender`, `author`,
 * `senderAlt`, `attrs.from`, binary nodes dumped as strings...), which the telemetry logger's
 * key list does not know and cannot keep up with. Everything Baileys logs is scrubbed of
 * WhatsApp addresses and phone numbers by value, whatever the key; of names by key (`notify`,
 * `verifiedBizName`...); and stanzas, as objects (`attrs`, `content`) or as strings, keep only
 * their tags and a few attributes that name no one.
 */
function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 5) return '[nested]';
  if (ArrayBuffer.isView(value)) return '[binary]';
  if (value instanceof Error) return { type: value.name, message: scrub(value.message) };
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (PERSON.test(k) && v !== undefined && v !== null) out[k] = '[redacted]';
    else if (k === 'attrs' && v !== null && typeof v === 'object' && !Array.isArray(v)) out[k] = scrubAttrs(v as Record<string, unknown>);
    else if (k === 'content' && typeof v === 'string') out[k] = '[redacted]';
    else out[k] = scrub(v, depth + 1);
  }
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
