import { fileTypeFromBuffer } from 'file-type';

export interface SniffResult {
  mimeType: string;
  kind: 'image' | 'video' | 'audio' | 'document';
}

/** Decides the type from the bytes, never from the name or the client's Content-Type. */
export async function sniffMime(data: Buffer): Promise<SniffResult | null> {
  const ft = await fileTypeFromBuffer(data);
  if (!ft) return null;
  const kind = ft.mime.startsWith('image/') ? 'image' : ft.mime.startsWith('video/') ? 'video' : ft.mime.startsWith('audio/') ? 'audio' : 'document';
  return { mimeType: ft.mime, kind };
}
