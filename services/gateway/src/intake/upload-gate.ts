import { HttpError } from '../errors.ts';

interface Waiter {
  address: string;
  grant: () => void;
}

/**
 * At most `limit` multipart bodies (complaints with photos) are read and held at once: each
 * holds its photos in memory until they are stored, up to MAX_PHOTOS x MAX_PHOTO_BYTES (40 MB
 * by default), so a burst of them could take a small server's memory. A request past the limit
 * waits for a slot without reading its body (its upload pauses: TCP flow control) for up to
 * `waitMs`, then is refused 503 with Retry-After; it never lost what it had sent, as nothing of
 * it was kept. Slots are handed out in arrival order.
 *
 * One client address holds at most `perAddress` slots: a body may arrive as slowly as its sender
 * likes, so without it one client that starts `limit` uploads and stops sending held every slot,
 * and every other citizen's photos waited and were refused. Its further uploads wait for its own
 * slots; others pass them.
 */
export class UploadGate {
  private active = 0;

  private readonly byAddress = new Map<string, number>();

  private readonly waiting = new Set<Waiter>();

  private readonly limit: number;

  private readonly waitMs: number;

  private readonly perAddress: number;

  constructor(limit: number, waitMs: number, perAddress = limit) {
    this.limit = limit;
    this.waitMs = waitMs;
    this.perAddress = perAddress;
  }

  /** How many bodies are being read now, and how many wait (for /metrics and tests). */
  get load(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.size };
  }

  /**
   * Waits for a slot for a client at `address` (clientAddressKey: an IPv6 client by its /64);
   * resolves to its release (call it once the photos are stored or dropped).
   */
  async enter(address: string): Promise<() => void> {
    if (this.waiting.size === 0 && this.admits(address)) return this.take(address);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        address,
        grant: () => {
          clearTimeout(timer);
          this.waiting.delete(waiter);
          resolve(this.take(address));
        },
      };
      const timer = setTimeout(() => {
        this.waiting.delete(waiter);
        reject(new HttpError(503, 'service_unavailable', 'Too many complaints with photos are being received at once; retry after the Retry-After delay', { retryAfterSeconds: 10 }));
      }, this.waitMs);
      this.waiting.add(waiter);
      // Those waiting may all be one client's, over its share: this one need not wait behind them.
      this.handOut();
    });
  }

  private admits(address: string): boolean {
    return this.active < this.limit && (this.byAddress.get(address) ?? 0) < this.perAddress;
  }

  /** Free slots to those waiting, the longest waiting first (a Set iterates in insertion order), each within its address's share. */
  private handOut(): void {
    for (const waiter of this.waiting) {
      if (this.active >= this.limit) return;
      if (this.admits(waiter.address)) waiter.grant();
    }
  }

  private take(address: string): () => void {
    this.active++;
    this.byAddress.set(address, (this.byAddress.get(address) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      const left = (this.byAddress.get(address) ?? 1) - 1;
      if (left > 0) this.byAddress.set(address, left);
      else this.byAddress.delete(address);
      this.handOut();
    };
  }
}
