import type { FastifyRequest } from 'fastify';
import type { Attachment } from '@aduan/schema';
import { sniffMime, type AttachmentStorage } from '@aduan/storage';
import { HttpError } from '../errors.ts';

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/heic', 'image/heif', 'image/avif']);

export interface ParsedMultipart {
  fields: Record<string, string>;
  files: { fieldName: string; fileName: string; data: Buffer }[];
}

/** Reads every part into memory within the configured limits (413 for size, 400 for count). */
export async function readMultipart(req: FastifyRequest): Promise<ParsedMultipart> {
  const fields: Record<string, string> = {};
  const files: ParsedMultipart['files'] = [];
  try {
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        const data = await part.toBuffer();
        // A file input left empty still sends a part with no name and no bytes.
        if (data.length === 0 && !part.filename) continue;
        files.push({ fieldName: part.fieldname, fileName: part.filename, data });
      } else if (typeof part.value === 'string') {
        fields[part.fieldname] = part.value;
      }
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw new HttpError(413, 'payload_too_large', 'A photo is larger than the limit');
    if (code === 'FST_FILES_LIMIT') throw new HttpError(400, 'too_many_files', 'Too many photos');
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') throw new HttpError(400, 'invalid_body', 'Too many form fields');
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') throw new HttpError(413, 'payload_too_large', 'The request body is too large');
    throw new HttpError(400, 'invalid_body', 'The multipart body could not be read');
  }
  return { fields, files };
}

/**
 * Checks that every file is an image by its bytes (never by name or declared type), then
 * stores them. Checking all before storing any means a rejected request stores nothing.
 */
export async function storePhotos(files: ParsedMultipart['files'], storage: AttachmentStorage): Promise<Attachment[]> {
  const sniffed = [];
  for (const f of files) {
    const type = await sniffMime(f.data);
    if (!type || !IMAGE_TYPES.has(type.mimeType)) {
      throw new HttpError(415, 'unsupported_media_type', `${f.fieldName}: only photos (JPEG, PNG, WebP, HEIC/HEIF, AVIF, GIF) are accepted`, { field: 'photos' });
    }
    sniffed.push({ f, mimeType: type.mimeType });
  }
  const out: Attachment[] = [];
  for (const { f, mimeType } of sniffed) {
    const stored = await storage.put(f.data);
    out.push({ kind: 'image', mimeType, bytes: stored.bytes, sha256: stored.sha256, storageKey: stored.storageKey, ...(f.fileName ? { fileName: f.fileName.slice(0, 255) } : {}) });
  }
  return out;
}
