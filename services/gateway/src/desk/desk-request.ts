import { z } from 'zod';
import { ValidationFailedError, type FieldError } from '../errors.ts';
import { ComplaintRequest, PARSE_WITH_INPUT, fieldErrors } from '../intake/complaint-request.ts';

const MAX_CALL_AGE_MS = 7 * 86_400_000;
const CLOCK_SKEW_MS = 5 * 60_000;

const callTime = z
  .string()
  .pipe(z.iso.datetime({ offset: true, error: 'callTime must be an ISO date-time such as 2026-11-28T08:15:00+07:00' }))
  .refine((v) => Date.parse(v) <= Date.now() + CLOCK_SKEW_MS, { message: 'callTime is in the future', params: { code: 'call_time_in_future' } })
  .refine((v) => Date.parse(v) >= Date.now() - MAX_CALL_AGE_MS, { message: 'callTime is more than 7 days ago', params: { code: 'call_time_too_old' } });

/** What the desk adds to the web form's complaint schema: the broadcast the call came in on. */
export const DeskExtras = z.object({
  program: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.string({ error: 'program is required' }).trim().max(120)),
  callTime: callTime.optional(),
  reporter: z.object({ contactConsent: z.boolean().default(false) }).optional(),
});

/** POST /api/v1/desk/complaints body (documentation): ComplaintRequest + program, callTime, reporter.contactConsent. */
export const DeskComplaintRequest = ComplaintRequest.extend({
  program: z.string().max(120).meta({ description: 'Radio programme the call came in on (remembered per operator by the desk page).' }),
  callTime: z.string().optional().meta({ description: 'When the caller called, ISO 8601 with offset; defaults to now. At most 7 days ago.' }),
}).meta({ id: 'DeskComplaintRequest', description: 'A radio call-in. `reporter.anonymous` defaults to true (not named on air); `reporter.contactConsent` records consent to be called back.' });

export const LinkRequest = z
  .object({
    program: z.string().trim().min(1).max(120),
    callTime: callTime.optional(),
  })
  .meta({ id: 'DeskLinkRequest' });

export type DeskExtras = z.infer<typeof DeskExtras>;

export function parseDeskExtras(raw: Record<string, unknown>): DeskExtras {
  const parsed = DeskExtras.safeParse(raw, PARSE_WITH_INPUT);
  if (!parsed.success) throw new ValidationFailedError(fieldErrors(parsed.error));
  return parsed.data;
}

/** Radio default: a caller is not named on air unless the operator says otherwise. */
export function withRadioDefaults(raw: Record<string, unknown>): Record<string, unknown> {
  const reporter = raw.reporter && typeof raw.reporter === 'object' ? (raw.reporter as Record<string, unknown>) : {};
  return { ...raw, reporter: { ...reporter, anonymous: reporter.anonymous ?? true } };
}

/** Runs both validations so the operator sees every problem at once, not one per attempt. */
export function collectFieldErrors(...steps: (() => void)[]): void {
  const fields: Record<string, FieldError> = {};
  for (const step of steps) {
    try {
      step();
    } catch (err) {
      if (!(err instanceof ValidationFailedError)) throw err;
      Object.assign(fields, err.fields);
    }
  }
  if (Object.keys(fields).length) throw new ValidationFailedError(fields);
}
