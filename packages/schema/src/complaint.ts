import { z } from 'zod';

/** Bumped on any breaking change to the queue payloads; see docs/schema-changes.md. */
export const SCHEMA_VERSION = 1 as const;

export const Channel = z.enum(['whatsapp', 'instagram', 'webform', 'radio']).meta({
  id: 'Channel',
  description: 'Where the citizen complained.',
});
export type Channel = z.infer<typeof Channel>;

/** E.164 phone number, e.g. +6281234567890. */
export const PhoneE164 = z
  .string()
  .regex(/^\+[1-9]\d{7,14}$/, 'must be an E.164 phone number such as +6281234567890')
  .meta({ id: 'PhoneE164', examples: ['+6281234567890'] });

export const IsoDateTime = z.iso.datetime({ offset: true });

export const Reporter = z
  .object({
    name: z.string().trim().min(1).max(120).optional(),
    phone: PhoneE164.optional(),
    /** Chat handle: Instagram username, WhatsApp push name is `name`. */
    handle: z.string().trim().min(1).max(100).optional(),
    email: z.email().max(254).optional(),
    /** The reporter asked not to be named publicly (on air, in public dashboards). */
    anonymous: z.boolean().default(false),
    /** The reporter's identity must not reach the OPD: `opd.<code>` jobs carry no reporter. */
    confidential: z.boolean().default(false),
    /** The reporter agreed to be contacted back (radio desk asks explicitly). */
    contactConsent: z.boolean().optional(),
  })
  .meta({ id: 'Reporter', description: 'Who complained. Personal data: never logged.' });
export type Reporter = z.infer<typeof Reporter>;

export const Location = z
  .object({
    description: z.string().trim().min(1).max(500).optional(),
    kelurahan: z.string().trim().min(1).max(80).optional(),
    kecamatan: z.string().trim().min(1).max(80).optional(),
    lat: z.number().min(-90).max(90).optional(),
    lon: z.number().min(-180).max(180).optional(),
  })
  .refine((l) => (l.lat === undefined) === (l.lon === undefined), { message: 'lat and lon come together', path: ['lat'] })
  .meta({ id: 'Location' });
export type Location = z.infer<typeof Location>;

export const AttachmentKind = z.enum(['image', 'video', 'audio', 'document', 'sticker']);
export const Attachment = z
  .object({
    kind: AttachmentKind,
    mimeType: z.string().min(3).max(100),
    bytes: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** Key in attachment storage (content-addressed: derived from sha256). */
    storageKey: z.string().min(1).max(300),
    caption: z.string().max(2000).optional(),
    fileName: z.string().max(255).optional(),
  })
  .meta({ id: 'Attachment' });
export type Attachment = z.infer<typeof Attachment>;

export const Source = z
  .object({
    /** The receiving account: our WhatsApp number, Instagram account id, station or 'web'. */
    account: z.string().min(1).max(100),
    /** Channel-specific sender id (WhatsApp JID, Instagram user pk); personal data. */
    senderId: z.string().max(200).optional(),
    /** Channel message ids that made up this complaint, in order. */
    messageIds: z.array(z.string().max(200)).max(500).default([]),
    threadId: z.string().max(200).optional(),
  })
  .meta({ id: 'Source' });
export type Source = z.infer<typeof Source>;

export const Intake = z
  .object({
    /** How it arrived: http (web/API), desk (radio desk), baileys, instagram-private-api, replay. */
    transport: z.enum(['http', 'desk', 'baileys', 'instagram-private-api', 'replay']),
    operatorId: z.string().max(100).optional(),
    station: z.string().max(120).optional(),
    program: z.string().max(120).optional(),
    callTime: IsoDateTime.optional(),
    /** Hash of the Idempotency-Key the client sent, if any. */
    idempotencyKeyHash: z.string().max(100).optional(),
  })
  .meta({ id: 'Intake' });
export type Intake = z.infer<typeof Intake>;

export const Complaint = z
  .object({
    schemaVersion: z.literal(SCHEMA_VERSION),
    id: z.string().regex(/^[0-9A-Z]{26}$/, 'a 26-character Crockford base32 id'),
    ticket: z.string().regex(/^[A-Z]{2,5}-[0-9A-Z]{4}-[0-9A-Z]{4}$/),
    channel: Channel,
    source: Source,
    receivedAt: IsoDateTime,
    submittedAt: IsoDateTime,
    reporter: Reporter,
    text: z.string().trim().min(1).max(5000),
    category: z.string().trim().min(1).max(80).optional(),
    location: Location.optional(),
    attachments: z.array(Attachment).max(20).default([]),
    language: z.string().min(2).max(10).default('id'),
    intake: Intake,
  })
  .meta({ id: 'Complaint', description: 'One complaint, whatever channel it came from. Job data of the `intake` queue.' });
export type Complaint = z.infer<typeof Complaint>;
export type ComplaintInput = z.input<typeof Complaint>;
