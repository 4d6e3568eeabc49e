import { readFile, unlink } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encryptedStream, type MediaType } from '@whiskeysockets/baileys';

/**
 * Stands in for WhatsApp's media CDN on loopback: media are encrypted with Baileys' own
 * encryptedStream, so the service's real downloadMediaMessage decrypts and verifies them.
 * A path registered as gone answers 410, which is what an expired WhatsApp media URL does.
 */
export class MediaServer {
  private readonly files = new Map<string, Buffer>();
  /** Paths whose requests get no answer until released: a download that hangs (a slow CDN, a phone that never re-uploads). */
  private readonly held = new Set<string>();
  /** Paths answered only after this many ms: a slow download that does finish. */
  private readonly delays = new Map<string, number>();
  private server: Server | undefined;
  private base = '';
  hits = 0;
  /** Requests per path, answered or not. */
  readonly requests = new Map<string, number>();

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.hits++;
      this.requests.set(req.url ?? '', (this.requests.get(req.url ?? '') ?? 0) + 1);
      if (this.held.has(req.url ?? '')) return;
      const delay = this.delays.get(req.url ?? '');
      if (delay) return void setTimeout(() => this.answer(req.url ?? '', res), delay);
      this.answer(req.url ?? '', res);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private answer(path: string, res: ServerResponse): void {
    const body = this.files.get(path);
    if (!body) {
      res.writeHead(410).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
  }

  /** Encrypts `plain` and serves it; returns the media fields of an image/video/audio/document message. */
  async add(path: string, plain: Buffer, type: MediaType, opts: { gone?: boolean } = {}) {
    const enc = await encryptedStream(plain, type);
    const body = await readFile(enc.encFilePath);
    await unlink(enc.encFilePath).catch(() => {});
    if (!opts.gone) this.files.set(path, body);
    return { url: `${this.base}${path}`, mediaKey: enc.mediaKey, fileSha256: enc.fileSha256, fileEncSha256: enc.fileEncSha256, fileLength: enc.fileLength };
  }

  /** Requests for `path` hang (no answer) until release(path); the ones already hanging stay unanswered. */
  hold(path: string): void {
    this.held.add(path);
  }

  /** Requests for `path` are answered only `ms` after they came. */
  delay(path: string, ms: number): void {
    this.delays.set(path, ms);
  }

  release(path: string): void {
    this.held.delete(path);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
