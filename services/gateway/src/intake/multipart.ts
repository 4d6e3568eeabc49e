import type { FastifyReply, FastifyRequest } from 'fastify';
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
 * How many files past the limit the body may hold at their full size (multipartLimitBytes):
 * read and dropped, so that the fields after them reach the form again.
 */
export const EXTRA_FILES_READ = 10;

/**
 * How many files past the limit the plugin lets through before it stops reading (app.ts): many
 * more than EXTRA_FILES_READ, as a gallery's photos are mostly far below the size limit and the
 * body's byte limit bounds the work. Stopped at 16 files, the form lost the fields after the
 * photo input, "Rahasia" among them: sent back unticked, the next try gave the OPD the
 * citizen's name. Past this many, the refusal says the fields after the photos must be checked.
 */
export const FILES_PARSED_PAST_LIMIT = 200;

/** Room for the form's fields (40 of at most 16 KiB) and every part's headers. */
const FIELDS_ROOM_BYTES = 1024 * 1024;

/**
 * The most a multipart body may hold: every file the plugin counts at its size limit, and the
 * fields. busboy reads past a file's limit (to reach the fields after it) and skips whatever
 * precedes the first boundary, so without this a body was read for as long as a client sent it.
 * A browser only gets near it by choosing a video or a dozen raw photos without JavaScript
 * (form.js checks sizes when they are chosen).
 */
export function multipartLimitBytes(limits: { MAX_PHOTOS: number; MAX_PHOTO_BYTES: number }): number {
  return (limits.MAX_PHOTOS + EXTRA_FILES_READ) * limits.MAX_PHOTO_BYTES + FIELDS_ROOM_BYTES;
}

/**
 * Refuses, before an upload turn is taken or a byte is read, a multipart body whose declared
 * length is over multipartLimitBytes: 413 with `Connection: close`, so Node does not read the rest
 * to keep the connection. (Browsers always declare the length of a form they send.)
 */
export function refuseOversizeMultipart(req: FastifyRequest, reply: FastifyReply, limitBytes: number): void {
  if (!req.isMultipart() || !(Number(req.headers['content-length']) > limitBytes)) return;
  reply.header('connection', 'close');
  throw new PhotoRefusedError(413, 'payload_too_large', `The body is larger than the limit: at most ${Math.floor(limitBytes / 1024 / 1024)} MB in all`, {}, { photo: 'body_too_large' });
}

/**
 * A body sent without a length (chunked: scripts, not browsers) is counted as it arrives, and
 * its connection closed once it passes the limit: there is no answer it could still read.
 */
function capUndeclaredBody(req: FastifyRequest, limitBytes: number): void {
  if (req.headers['content-length'] !== undefined) return;
  let received = 0;
  const count = (chunk: Buffer) => {
    received += chunk.length;
    if (received > limitBytes) {
      req.raw.off('data', count);
      req.raw.destroy();
    }
  };
  req.raw.on('data', count);
}

/** A photo refused; `typed` holds the form's fields read around it (never sent back in an API answer). */
export class PhotoRefusedError extends HttpError {
  readonly typed: Record<string, string>;
  constructor(statusCode: number, code: string, message: string, typed: Record<string, string>, details?: Record<string, unknown>) {
    super(statusCode, code, message, details);
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
export async function readMultipart(req: FastifyRequest, maxPhotos: number, limitBytes: number): Promise<ParsedMultipart> {
  const fields: Record<string, string> = {};
  const files: ParsedMultipart['files'] = [];
  let tooLarge = false;
  let tooMany = false;
  try {
    const parts = req.parts();
    // In the tick the loop's first step starts the plugin's pipe: the body flows to both or neither.
    capUndeclaredBody(req, limitBytes);
    for await (const part of parts) {
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
    if (code === 'FST_FILES_LIMIT') throw new PhotoRefusedError(400, 'too_many_files', `Too many photos: at most ${maxPhotos}`, fields, { partial: true });
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') throw new HttpError(400, 'invalid_body', 'Too many form fields');
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') throw new HttpError(413, 'payload_too_large', 'The request body is too large');
    throw new HttpError(400, 'invalid_body', 'The multipart body could not be read');
  }
  if (tooLarge) throw new PhotoRefusedError(413, 'payload_too_large', 'A photo is larger than the limit', fields);
  if (tooMany) throw new PhotoRefusedError(400, 'too_many_files', `Too many photos: at most ${maxPhotos}`, fields);
  return { fields, files };
}

/**
 * The fields of a form answered without being filed (over the rate limit), to show it again:
 * every part is read, each file read and dropped, never held. `photos`: how many files were
 * chosen (to be chosen again). Undefined when the body cannot be read whole.
 */
export async function readMultipartFields(req: FastifyRequest, limitBytes: number): Promise<{ fields: Record<string, string>; photos: number } | undefined> {
  const fields: Record<string, string> = {};
  let photos = 0;
  try {
    const parts = req.parts();
    capUndeclaredBody(req, limitBytes);
    for await (const part of parts) {
      if (part.type === 'file') {
        let bytes = 0;
        for await (const chunk of part.file) bytes += (chunk as Buffer).length;
        // A file input left empty still sends a part with no name and no bytes.
        if (bytes > 0 || part.filename) photos += 1;
      } else if (typeof part.value === 'string') {
        fields[part.fieldname] = part.value;
      }
    }
  } catch {
    return undefined;
  }
  return { fields, photos };
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
