import { z } from 'zod';
import { normalizePhone } from '@aduan/schema';

const optionalText = (max: number) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.string().trim().max(max).optional());

/**
 * A decimal such as "-8.0983" or "5e-7" (what String(number) gives: the location button's hidden
 * fields). Each part can match only one way, so a long run of digits is read in linear time (the
 * earlier `\d+\.?\d*` backtracked quadratically: 32,000 digits and an "x" held the event loop
 * for seconds), and no coordinate needs more than MAX_DECIMAL_LENGTH characters.
 */
const DECIMAL = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?$/i;
const MAX_DECIMAL_LENGTH = 40;

/** Form fields are strings: blank is "not given"; anything but a plain decimal is not a number (not 0 for " ", not 16 for "0x10"). */
const optionalNumber = (min: number, max: number) =>
  z.preprocess((v) => {
    if (v === null) return undefined;
    if (typeof v !== 'string') return v;
    const t = v.trim();
    return t === '' ? undefined : t.length <= MAX_DECIMAL_LENGTH && DECIMAL.test(t) ? Number(t) : v;
  }, z.number().min(min).max(max).optional());

/** HTML checkboxes send "on"; JSON sends booleans; "true"/"1" are accepted too. */
const flag = z.preprocess((v) => v === true || v === 'on' || v === 'true' || v === '1', z.boolean()).default(false);

/**
 * What a citizen (web form) or an API client sends. Field names are the public API contract
 * of POST /api/v1/complaints. Multipart and form posts use dotted names (`location.kelurahan`).
 */
export const ComplaintRequest = z
  .object({
    text: z.preprocess(
      // Browsers send a textarea's line breaks as CRLF: counted twice, a text its maxlength took would be "too long".
      (v) => (typeof v === 'string' ? (v.trim() === '' ? undefined : v.replace(/\r\n?/g, '\n')) : v),
      z.string({ error: 'text is required' }).trim().min(10, 'text must be at least 10 characters').max(5000, 'text must be at most 5000 characters'),
    ),
    category: optionalText(80),
    location: z
      .object({
        description: optionalText(500),
        kelurahan: optionalText(80),
        kecamatan: optionalText(80),
        lat: optionalNumber(-90, 90),
        lon: optionalNumber(-180, 180),
      })
      // The complaint contract takes a position only whole: without this, a lone lat was a 500.
      .refine((l) => (l.lat === undefined) === (l.lon === undefined), { message: 'lat and lon must be sent together', path: ['lat'], params: { code: 'lat_lon_together' } })
      .optional(),
    reporter: z
      .object({
        name: optionalText(120),
        phone: z.preprocess(
          (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
          z
            .string()
            .transform((v, ctx) => {
              const e164 = normalizePhone(v);
              if (!e164) {
                ctx.addIssue({ code: 'custom', message: 'phone must be a phone number such as 0812 3456 7890 or +6281234567890', params: { code: 'invalid_phone' } });
                return z.NEVER;
              }
              return e164;
            })
            .optional(),
        ),
        // Phone keyboards add a space after an autocompleted address.
        email: z.preprocess((v) => (typeof v === 'string' ? v.trim() || undefined : v), z.email('email must be a valid e-mail address').max(254).optional()),
        anonymous: flag,
        confidential: flag,
        /** The reporter agreed to be contacted back (the radio desk asks explicitly). */
        contactConsent: z.preprocess((v) => (v === undefined ? undefined : v === true || v === 'on' || v === 'true' || v === '1'), z.boolean().optional()),
      })
      .optional(),
  })
  .meta({ id: 'ComplaintRequest', description: 'A new complaint. Multipart requests add up to 5 `photos` files and use dotted field names.' });
export type ComplaintRequest = z.infer<typeof ComplaintRequest>;

export const ComplaintAccepted = z
  .object({
    id: z.string(),
    ticket: z.string().meta({ examples: ['ADU-7K3M-9Q2X'] }),
    statusToken: z.string().meta({ description: 'Bearer token for GET /api/v1/complaints/:ticket, 12 characters written XXXX-XXXX-XXXX (Crockford base32). Accepted back in any case, with or without the dashes. Keep it: tickets are read on air.', example: '7K3M-9Q2X-4HCE' }),
  })
  .meta({ id: 'ComplaintAccepted' });
export type ComplaintAccepted = z.infer<typeof ComplaintAccepted>;

/**
 * Parse options for request bodies: issues keep their input, so fieldErrors() can tell "missing"
 * from "wrong type"; and a missing field that its schema gives no message of its own is said so
 * ("updateId is required"), not in zod's words ("Invalid input: expected string, received undefined").
 */
export const PARSE_WITH_INPUT = {
  reportInput: true,
  error: (issue: z.core.$ZodRawIssue) => (issue.code === 'invalid_type' && issue.input === undefined ? `${(issue.path ?? []).join('.')} is required` : undefined),
} as const;

/** Turns multipart/urlencoded dotted fields into the nested request object. */
export function unflatten(fields: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [rawKey, value] of Object.entries(fields)) {
    const key = rawKey.replace(/\[(\w+)\]/g, '.$1');
    const parts = key.split('.');
    if (parts.some((p) => p === '__proto__' || p === 'constructor' || p === 'prototype')) continue;
    let node = out;
    for (const part of parts.slice(0, -1)) {
      if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
    node[parts[parts.length - 1] as string] = value;
  }
  return out;
}

/**
 * Zod issues -> one { code, message } per dotted field path. Parse with `{ reportInput: true }`
 * (PARSE_WITH_INPUT): a missing field ("required") is told from a wrong type by the issue's input.
 */
export function fieldErrors(error: z.ZodError): Record<string, { code: string; message: string }> {
  const out: Record<string, { code: string; message: string }> = {};
  for (const issue of error.issues) {
    const field = issue.path.join('.') || '_';
    if (out[field]) continue;
    out[field] = { code: issueCode(issue), message: issue.message };
  }
  return out;
}

function issueCode(issue: z.core.$ZodIssue): string {
  if (issue.code === 'custom') return String((issue.params as { code?: string } | undefined)?.code ?? 'invalid');
  if (issue.code === 'invalid_type') return issue.input === undefined ? 'required' : 'invalid_type';
  if ((issue.code === 'too_small' || issue.code === 'too_big') && issue.origin === 'number') return 'out_of_range';
  if (issue.code === 'too_small') return 'too_short';
  if (issue.code === 'too_big') return 'too_long';
  // A pattern says nothing a client can branch on: `invalid` (the message says what is expected).
  if (issue.code === 'invalid_format') return issue.format === 'regex' ? 'invalid' : `invalid_${issue.format}`;
  return issue.code;
}
