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
