import type { Attachment } from '@aduan/schema';
import { sniffMime, stripMetadata, type AttachmentStorage } from '@aduan/storage';
import { MediaDownloadError } from '../errors.ts';
import type { MediaRef } from './normalize.ts';

export interface MediaDownloadOptions {
  storage: AttachmentStorage;
  maxBytes: number;
  timeoutMs: number;
  /** Retries of a failed download before the item goes on without the file. */
  retries?: number;
}

async function fetchCapped(url: string, maxBytes: number, timeoutMs: number): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  } catch (err) {
    throw new MediaDownloadError(`media download failed: ${(err as Error).name}`, { cause: err });
  }
  if (!res.ok || !res.body) throw new MediaDownloadError(`media download failed: HTTP ${res.status}`);
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await res.body.cancel();
    throw new MediaDownloadError(`media is ${declared} bytes, over the ${maxBytes} byte limit`, { final: true, reason: 'too-big' });
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of res.body) {
      total += chunk.byteLength;
      if (total > maxBytes) throw new MediaDownloadError(`media is over the ${maxBytes} byte limit`, { final: true, reason: 'too-big' });
      chunks.push(Buffer.from(chunk));
    }
  } catch (err) {
    if (err instanceof MediaDownloadError) throw err;
    throw new MediaDownloadError(`media download failed: ${(err as Error).name}`, { cause: err });
  }
  return Buffer.concat(chunks);
}

/**
 * Downloads one file into attachment storage. Instagram's CDN URLs expire within hours, so
 * this happens while the item is processed. The type comes from the bytes; a file whose
 * bytes are no known media type is refused rather than stored.
 */
export async function downloadMedia(ref: MediaRef, opts: MediaDownloadOptions): Promise<Attachment> {
  let lastErr: unknown;
  for (let attempt = 0; attempt <= (opts.retries ?? 1); attempt++) {
    try {
      const data = await fetchCapped(ref.url, opts.maxBytes, opts.timeoutMs);
      const sniffed = await sniffMime(data);
      if (!sniffed || sniffed.kind === 'document') throw new MediaDownloadError('downloaded bytes are not an image, video or audio file', { final: true, reason: 'unsupported' });
      // Instagram's CDN re-encodes photos and videos, but what it keeps of their metadata is its choice: strip as every channel does.
      const stripped = stripMetadata(data, sniffed.mimeType);
      if (!stripped.ok) {
        throw new MediaDownloadError(stripped.reason === 'unsupported' ? 'an image format whose metadata cannot be removed: not stored' : 'metadata cannot be removed (a damaged file): not stored', { final: true, reason: stripped.reason === 'unsupported' ? 'unsupported' : 'unreadable' });
      }
      const stored = await opts.storage.put(stripped.data);
      // Voice notes arrive as MP4 containers that sniff as video: Instagram's kind wins.
      return { kind: ref.kind, mimeType: ref.kind === 'audio' && sniffed.mimeType === 'video/mp4' ? 'audio/mp4' : sniffed.mimeType, ...stored };
    } catch (err) {
      lastErr = err;
      if (err instanceof MediaDownloadError && err.final) break;
    }
  }
  throw lastErr instanceof MediaDownloadError ? lastErr : new MediaDownloadError('media download failed', { cause: lastErr });
}
