import type { FastifyReply } from 'fastify';
import type { Attachment } from '@aduan/schema';

/** Photo types a browser shows in an `<img>` and never runs (SVG can hold script: a download). */
const INLINE_IMAGES = new Set(['image/jpeg', 'image/png', 'image/apng', 'image/webp', 'image/gif', 'image/heic', 'image/heif', 'image/avif']);
export const isInlineImage = (mimeType: string) => INLINE_IMAGES.has(mimeType);

/** A file name's extension for a stored attachment's type (the name is only a hint). */
function extensionOf(mimeType: string): string {
  const sub = /^[a-z]+\/([a-z0-9.+-]+)/.exec(mimeType)?.[1];
  if (!sub) return '';
  return `.${sub === 'jpeg' ? 'jpg' : sub.replace(/[^a-z0-9]/g, '')}`;
}

/**
 * Sends a citizen's attachment, streamed from storage (never held whole): as its stored type,
 * never cached on the way, never sniffed into something else, and sandboxed (no script, no
 * plugin) should anyone open it as a page. `inline` only for the image types a page shows (the
 * admin's triage page); otherwise a download.
 */
export function sendAttachment(reply: FastifyReply, attachment: Pick<Attachment, 'mimeType' | 'sha256'>, file: { stream: NodeJS.ReadableStream; bytes: number }, opts: { inline?: boolean } = {}): FastifyReply {
  return reply
    .type(attachment.mimeType)
    .header('content-length', String(file.bytes))
    .header('cache-control', 'private, no-store')
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('content-disposition', `${opts.inline ? 'inline' : 'attachment'}; filename="${attachment.sha256.slice(0, 16)}${extensionOf(attachment.mimeType)}"`)
    .send(file.stream);
}
