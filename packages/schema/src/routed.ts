import { z } from 'zod';
import { Complaint, IsoDateTime } from './complaint.ts';

export const OpdCode = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lower-case code such as dishub or kec-sukorejo')
  .max(40)
  .meta({ id: 'OpdCode' });

export const RoutingAlternative = z.object({
  opd: OpdCode,
  opdName: z.string(),
  confidence: z.number().min(0).max(1),
});

/**
 * Set on a revision published because the citizen said the OPD's resolution did not solve the
 * problem ("belum selesai"): the same OPD gets the complaint again, with a new response deadline.
 */
export const Reopened = z
  .object({
    /** The citizen's words on what is still wrong (Bahasa Indonesia as they wrote it). Masked like `text` in `opd.<code>` jobs of confidential complaints. */
    reason: z.string().min(1).max(1000),
    /** When the citizen said so. */
    at: IsoDateTime,
    /** How many times the citizen has reopened this complaint, this one included (1 for the first). */
    count: z.number().int().positive(),
  })
  .meta({ id: 'Reopened', description: 'The citizen reopened the complaint after the OPD reported it resolved: routed again to the same OPD.' });
export type Reopened = z.infer<typeof Reopened>;

export const Routing = z
  .object({
    opd: OpdCode,
    opdName: z.string().min(1),
    confidence: z.number().min(0).max(1),
    /** Human-readable reasons, e.g. "'jukir' -> Dinas Perhubungan". */
    reasons: z.array(z.string()).default([]),
    alternatives: z.array(RoutingAlternative).default([]),
    /** rules: the router; operator: the radio desk; admin: triage; opd: an OPD returned it ("bukan kewenangan kami"), so it is back in triage. */
    decidedBy: z.enum(['rules', 'operator', 'admin', 'opd']),
    /** True when the complaint went to `triage` instead of an OPD queue. */
    triage: z.boolean().default(false),
    /** Assignment count: 0 for the first decision, n after the n-th re-assignment. */
    revision: z.number().int().nonnegative().default(0),
    note: z.string().max(2000).optional(),
    /** Set when opd is "external": the body outside the city government and advice for the citizen (Bahasa Indonesia). */
    external: z.object({ body: z.string(), advice: z.string() }).optional(),
    reopened: Reopened.optional(),
    routedAt: IsoDateTime,
    routerVersion: z.string(),
  })
  .meta({ id: 'Routing' });
export type Routing = z.infer<typeof Routing>;

export const RoutedComplaint = Complaint.extend({
  /** Absent in `opd.<code>` jobs of confidential complaints (as are `source.senderId` and `source.threadId`; the reporter's handle, number, name and story link are masked in `text`). */
  reporter: Complaint.shape.reporter.optional(),
  routing: Routing,
  /** Extra citizens who reported the same problem (linked by the radio desk, say). */
  supporters: z.number().int().nonnegative().default(0),
}).meta({ id: 'RoutedComplaint', description: 'Job data of `routed`, `opd.<code>` and `triage`.' });
export type RoutedComplaint = z.infer<typeof RoutedComplaint>;
