import { z } from 'zod';
import type { RouteInput } from '../types.ts';

/** One line of `pnpm route` input. Extra fields (opd, source, ...) are allowed and ignored. */
export const RouteLine = z.looseObject({
  id: z.union([z.string().min(1), z.number()]),
  text: z.string().trim().min(1, 'text is empty'),
  category: z.string().trim().min(1).optional(),
  location: z
    .looseObject({ description: z.string().optional(), kelurahan: z.string().optional(), kecamatan: z.string().optional() })
    .optional(),
});
export type RouteLine = z.infer<typeof RouteLine>;

/**
 * An evaluation line also names the OPD that should get it: a code, "external", or "triage" when
 * no OPD can be told from it (see TRIAGE_LABEL in metrics.ts).
 */
export const EvalLine = RouteLine.extend({ opd: z.string().min(1, 'expected opd is empty') });
export type EvalLine = z.infer<typeof EvalLine>;

export function toRouteInput(line: RouteLine): RouteInput {
  const loc = line.location;
  const location = loc
    ? {
        ...(loc.description ? { description: loc.description } : {}),
        ...(loc.kelurahan ? { kelurahan: loc.kelurahan } : {}),
        ...(loc.kecamatan ? { kecamatan: loc.kecamatan } : {}),
      }
    : undefined;
  return { text: line.text, ...(line.category ? { category: line.category } : {}), ...(location ? { location } : {}) };
}

/** Parses one JSON line against a schema; returns a one-line English error message instead of throwing. */
export function parseLine<T extends z.ZodType>(schema: T, raw: string): { ok: true; value: z.output<T> } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    return { ok: false, error: `not valid JSON (${(err as Error).message})` };
  }
  const r = schema.safeParse(json);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, error: r.error.issues.map((i) => `${i.path.join('.') || '(line)'}: ${i.message}`).join('; ') };
}
