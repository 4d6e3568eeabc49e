import { downloadMediaMessage, type WAMessage } from '@whiskeysockets/baileys';
import type { Attachment } from '@aduan/schema';
import { sniffMime, stripMetadata, type AttachmentStorage } from '@aduan/storage';
import type { Logger } from '@aduan/telemetry';
import type { MediaRef } from './message-mapper.ts';
import type { WaSocketLike } from './socket.ts';

/**
 * A media file that could not be fetched, is too big, is a damaged image or video whose metadata
 * could not be removed (`unreadable-metadata`), or an image format whose metadata this cannot
 * remove (`unsupported-format`: TIFF, JPEG XL, camera raw...); the message goes on without it.
 */
export type MediaUnavailableReason = 'too-big' | 'download-failed' | 'unreadable-metadata' | 'unsupported-format';

export class MediaUnavailableError extends Error {
  readonly code = 'ADUAN_ERR_WA_MEDIA';
  readonly reason: MediaUnavailableReason;
  constructor(reason: MediaUnavailableReason, cause?: unknown) {
    super(`media unavailable: ${reason}`, { cause });
    this.reason = reason;
    this.name = 'MediaUnavailableError';
  }
}

function httpStatus(err: unknown): number | undefined {
  const e = err as { output?: { statusCode?: number }; status?: number };
  return e?.output?.statusCode ?? e?.status;
}

/** How long a media download may take, re-upload included, before the message goes on without it. */
export const MEDIA_TIMEOUT_MS = 60_000;

/** `work`, or a rejection once `ms` have passed (the work itself is left to finish or fail unheard). */
function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`media download took more than ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Downloads a media message. WhatsApp media URLs expire; on 404/410 the phone is asked to
 * re-upload (updateMediaMessage) and the download is tried once more. Baileys 7.0.0-rc14's own
 * re-upload path checks `error.status`, which its Boom errors never have, so it is done here.
 * Baileys waits for the phone's re-upload answer without a time limit: a phone that never
 * answers would hold this citizen's later messages (queued behind this one) forever, so the
 * whole download is bounded by `timeoutMs`.
 */
export async function downloadWithReupload(msg: WAMessage, sock: Pick<WaSocketLike, 'updateMediaMessage'>, timeoutMs = MEDIA_TIMEOUT_MS, download: typeof downloadMediaMessage = downloadMediaMessage): Promise<Buffer> {
  const attempt = async () => {
    try {
      return await download(msg, 'buffer', {});
    } catch (err) {
      const status = httpStatus(err);
      if (status !== 404 && status !== 410) throw err;
      const fresh = await sock.updateMediaMessage(msg);
      return download(fresh, 'buffer', {});
    }
  };
  return within(attempt(), timeoutMs);
}

/**
 * The bytes decide the type, not the sender's claim. One refinement: an Ogg container sniffs as
 * application/ogg, but a WhatsApp audio message in Ogg is an Opus voice note (audio/ogg).
 */
export function mimeFor(sniffed: string | undefined, ref: MediaRef): string {
  if (sniffed === 'application/ogg' && ref.kind === 'audio') return 'audio/ogg';
  const type = (sniffed ?? ref.mimeType).split(';')[0]!.trim();
  // The sender's claim can be anything ("", "x", 300 characters): only a type/subtype is kept.
  return type.length <= 100 && /^[\w.+-]+\/[\w.+-]+$/.test(type) ? type : 'application/octet-stream';
}

export interface MediaStoreDeps {
  storage: AttachmentStorage;
  maxBytes: number;
  logger: Logger;
}

/**
 * Downloads, sniffs and stores one media part; returns the Attachment for the complaint. A photo
 * or video loses its identifying metadata first (GPS, serials, names, make and model): WhatsApp
 * re-encodes photos sent as photos, but not photos or videos sent as documents. An image format
 * with no stripper is not stored.
 */
export async function storeMedia(msg: WAMessage, ref: MediaRef, sock: Pick<WaSocketLike, 'updateMediaMessage'>, deps: MediaStoreDeps): Promise<Attachment> {
  if (ref.declaredBytes !== undefined && ref.declaredBytes > deps.maxBytes) throw new MediaUnavailableError('too-big');
  let data: Buffer;
  try {
    data = await downloadWithReupload(msg, sock);
  } catch (err) {
    throw new MediaUnavailableError('download-failed', err);
  }
  if (data.length > deps.maxBytes) throw new MediaUnavailableError('too-big');
  const sniffed = await sniffMime(data);
  if (sniffed) {
    const stripped = stripMetadata(data, sniffed.mimeType);
    if (!stripped.ok) throw new MediaUnavailableError(stripped.reason === 'unsupported' ? 'unsupported-format' : 'unreadable-metadata');
    data = stripped.data;
  }
  const stored = await deps.storage.put(data);
  return {
    kind: ref.kind,
    mimeType: mimeFor(sniffed?.mimeType, ref),
    bytes: stored.bytes,
    sha256: stored.sha256,
    storageKey: stored.storageKey,
    ...(ref.fileName ? { fileName: ref.fileName } : {}),
  };
}
