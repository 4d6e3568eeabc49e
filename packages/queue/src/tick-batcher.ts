/** What one item of a batch came to: a value, or the error that item alone failed with. */
export type Settled<O> = { ok: true; value: O } | { ok: false; error: unknown };

/** A promise's outcome as a Settled value (never rejects). */
export const settle = <O>(p: Promise<O>): Promise<Settled<O>> =>
  p.then(
    (value): Settled<O> => ({ ok: true, value }),
    (error: unknown): Settled<O> => ({ ok: false, error }),
  );

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Collects the calls made during one turn of the event loop and hands them to `flush` together,
 * at setImmediate: after Node has read every socket that was ready, so under load one Redis write
 * carries the commands of many requests, and a lone call waits only for the rest of its turn.
 * `flush` answers item by item; if it throws, every item of the batch fails with that error.
 */
export class TickBatcher<I, O> {
  private pending: Waiting<I, O>[] = [];
  private scheduled = false;

  private readonly flush: (items: I[]) => Promise<Settled<O>[]>;
  private readonly maxBatch: number;

  constructor(flush: (items: I[]) => Promise<Settled<O>[]>, maxBatch = 256) {
    this.flush = flush;
    this.maxBatch = maxBatch;
  }

  run(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.maxBatch) this.flushNow();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flushNow());
      }
    });
  }

  private flushNow(): void {
    this.scheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    let result: Promise<Settled<O>[]>;
    try {
      result = this.flush(batch.map((w) => w.item));
    } catch (err) {
      result = Promise.reject(err);
    }
    result.then(
      (settled) => {
        batch.forEach((w, i) => {
          const s = settled[i];
          if (!s) w.reject(new Error('batch flush returned no result for this item'));
          else if (s.ok) w.resolve(s.value);
          else w.reject(s.error);
        });
      },
      (err: unknown) => {
        for (const w of batch) w.reject(err);
      },
    );
  }
}
