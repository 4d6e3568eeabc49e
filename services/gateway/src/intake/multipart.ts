import type { FastifyRequest } from 'fastify';
import type { Attachment } from '@aduan/schema';
import { sniffMime, stripMetadata, type AttachmentStorage } from '@aduan/storage';
import type { Logger } from '@aduan/telemetry';
import { HttpError } from '../errors.ts';

/** What file-type names the photo formats: an animated PNG is `image/apng`, an iPhone burst or Live Photo a HEIF sequence. */
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/apng', 'image/webp', 'image/gif', 'image/heic', 'image/heif', 'image/heic-sequence', 'image/heif-sequence', 'image/avif']);

export interface ParsedMultipart {
  fields: Record<string, string>;
  files: { fieldName: string; fileName: string; data: Buffer }[];
}

/**
 * How many files past the limit are still read (and dropped) so that the fields after them
 * reach the form again; beyond that the body is refused as it arrives.
 */
export const EXTRA_FILES_READ = 10;

/** A photo refused; `typed` holds the form's fields read around it (never sent back in an API answer). */
export class PhotoRefusedError extends HttpError {
  readonly typed: Record<string, string>;
  constructor(statusCode: number, code: string, message: string, typed: Record<string, string>) {
    super(statusCode, code, message);
    this.typed = typed;
  }
}

/**
 * Reads every part into memory within the configured limits (413 for a photo over the size
 * limit, 400 for more than `maxPhotos`). The whole body is read either way, and the refusal
 * carries every field (PhotoRefusedError.typed): the page shows the form again with what the citizen
 * typed, not a blank one. (The plugin counts `maxPhotos + EXTRA_FILES_READ` files and does not
 * throw on size, see app.ts; this function applies the real limits.)
 */
export async function readMultipart(req: FastifyRequest, maxPhotos: number): Promise<ParsedMultipart> {
  const fields: Record<string, string> = {};
  const files: ParsedMultipart['files'] = [];
  let tooLarge = false;
  let tooMany = false;
  try {
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        if (files.length >= maxPhotos) {
          // Read and dropped, never held: only its name or bytes tell whether it was a file at all.
          let bytes = 0;
          for await (const chunk of part.file) bytes += (chunk as Buffer).length;
          if (bytes > 0 || part.filename) tooMany = true;
          continue;
        }
        const data = await part.toBuffer();
        if (part.file.truncated) {
          tooLarge = true;
          continue;
        }
        // A file input left empty still sends a part with no name and no bytes.
        if (data.length === 0 && !part.filename) continue;
        files.push({ fieldName: part.fieldname, fileName: part.filename, data });
      } else if (typeof part.value === 'string') {
        fields[part.fieldname] = part.value;
      }
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'FST_FILES_LIMIT') throw new PhotoRefusedError(400, 'too_many_files', `Too many photos: at most ${maxPhotos}`, fields);
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') throw new HttpError(400, 'invalid_body', 'Too many form fields');
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') throw new HttpError(413, 'payload_too_large', 'The request body is too large');
    throw new HttpError(400, 'invalid_body', 'The multipart body could not be read');
  }
  if (tooLarge) throw new PhotoRefusedError(413, 'payload_too_large', 'A photo is larger than the limit', fields);
  if (tooMany) throw new PhotoRefusedError(400, 'too_many_files', `Too many photos: at most ${maxPhotos}`, fields);
  return { fields, files };
}

/**
 * Checks that every file is an image by its bytes (never by name or declared type), removes the
 * metadata that identifies the citizen (EXIF GPS, serials, names, XMP, IPTC: @aduan/storage
 * stripMetadata), then stores them. Checking all before storing any means a rejected
 * request stores nothing. A photo whose container cannot be read and that shows metadata is
 * refused (415, the form kept) rather than stored with the citizen's location in it.
 */
export async function storePhotos(files: ParsedMultipart['files'], storage: AttachmentStorage, logger?: Pick<Logger, 'error'>): Promise<Attachment[]> {
  const sniffed = [];
  for (const f of files) {
    const type = await sniffMime(f.data);
    if (!type || !IMAGE_TYPES.has(type.mimeType)) {
      throw new HttpError(415, 'unsupported_media_type', `${f.fieldName}: only photos (JPEG, PNG, WebP, HEIC/HEIF, AVIF, GIF) are accepted`, { field: 'photos' });
    }
    const stripped = stripMetadata(f.data, type.mimeType);
    if (!stripped.ok) {
      throw new HttpError(415, 'unsupported_media_type', `${f.fieldName}: the photo file is damaged and could not be read; choose it again or another photo`, { field: 'photos', photo: 'damaged' });
    }
    sniffed.push({ f, data: stripped.data, mimeType: type.mimeType });
  }
  const out: Attachment[] = [];
  for (const { f, data, mimeType } of sniffed) {
    // The server's fault, not the citizen's (a full disk): 503 with Retry-After, not a 500.
    const stored = await storage.put(data).catch((err: Error) => {
      logger?.error({ err: err.message }, 'photo not stored: the complaint is refused (503)');
      throw new HttpError(503, 'storage_unavailable', 'The photo could not be stored; try again shortly');
    });
    out.push({ kind: 'image', mimeType, bytes: stored.bytes, sha256: stored.sha256, storageKey: stored.storageKey, ...(f.fileName ? { fileName: f.fileName.slice(0, 255) } : {}) });
  }
  return out;
}
