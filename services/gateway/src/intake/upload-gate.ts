import { HttpError } from '../errors.ts';

/**
 * At most `limit` multipart bodies (complaints with photos) are read and held at once: each
 * holds its photos in memory until they are stored, up to MAX_PHOTOS x MAX_PHOTO_BYTES (40 MB
 * by default), so a burst of them could take a small server's memory. A request past the limit
 * waits for a slot without reading its body (its upload pauses: TCP flow control) for up to
 * `waitMs`, then is refused 503 with Retry-After; it never lost what it had sent, as nothing of
 * it was kept. Slots are handed out in arrival order.
 */
export class UploadGate {
  private active = 0;

  private readonly waiting = new Set<() => void>();

  private readonly limit: number;

  private readonly waitMs: number;

  constructor(limit: number, waitMs: number) {
    this.limit = limit;
    this.waitMs = waitMs;
  }

  /** How many bodies are being read now, and how many wait (for /metrics and tests). */
  get load(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.size };
  }

  /** Waits for a slot; resolves to its release (call it once the photos are stored or dropped). */
  async enter(): Promise<() => void> {
    if (this.active < this.limit && this.waiting.size === 0) return this.take();
    return new Promise((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        this.waiting.delete(grant);
        resolve(this.take());
      };
      const timer = setTimeout(() => {
        this.waiting.delete(grant);
        reject(new HttpError(503, 'service_unavailable', 'Too many complaints with photos are being received at once; retry after the Retry-After delay', { retryAfterSeconds: 10 }));
      }, this.waitMs);
      this.waiting.add(grant);
    });
  }

  private take(): () => void {
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      // The longest waiting request first (a Set iterates in insertion order).
      const next = this.waiting.values().next();
      if (!next.done) next.value();
    };
  }
}
