import { z } from 'zod';

/** zod schemas of the three directory files; they mirror the Directory types in types.ts. */

const Code = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lower-case code such as dishub or kec-sukorejo').max(40);
const Term = z.string().trim().min(1, 'empty keyword').max(80);
const TermList = z.array(Term).optional();

export const KeywordsSchema = z.strictObject({ decisive: TermList, strong: TermList, normal: TermList, weak: TermList });

export const OpdSchema = z.strictObject({
  code: Code,
  name: z.string().trim().min(1),
  shortName: z.string().trim().min(1),
  kind: z.enum(['opd', 'kecamatan', 'bumd', 'external']).optional(),
  topics: z.array(z.string().trim().min(1)).optional(),
  keywords: KeywordsSchema.optional(),
});

export const OpdsFile = z.strictObject({
  opds: z.array(OpdSchema).min(1),
  kecamatanKeywords: KeywordsSchema.optional(),
});

export const KelurahanSchema = z.strictObject({
  name: z.string().trim().min(1),
  landmarks: z.array(z.string().trim().min(1)).default([]),
  needsPrefix: z.boolean().optional(),
});

export const WilayahFile = z.strictObject({
  kecamatan: z.array(z.strictObject({ code: Code, name: z.string().trim().min(1), kelurahan: z.array(KelurahanSchema).min(1) })).min(1),
  outsideCity: z.strictObject({ body: Code, places: z.array(Term).min(1) }).optional(),
});

export const CategoriesFile = z.strictObject({
  categories: z
    .array(z.strictObject({ code: Code, label: z.string().trim().min(1), opd: Code, evidence: z.boolean().optional() }))
    .min(1),
});

export const ExternalFile = z.strictObject({
  externalBodies: z.array(
    z.strictObject({
      code: Code,
      name: z.string().trim().min(1),
      advice: z.string().trim().min(1),
      keywords: KeywordsSchema,
      placeKeywords: z.boolean().optional(),
    }),
  ),
});
