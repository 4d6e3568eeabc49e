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
 * The most calls a batch holds before it is flushed without waiting for the turn to end. Under
 * load one turn handles dozens of requests (64 at the bench's 64 connections); held to the end
 * of the turn, their Redis work started only after the last of them, and Node then sat idle
 * while Redis ran all of it. Flushed every 8, Redis works on the first while Node parses the
 * next: gateway throughput +20-30% at saturation, main thread idle 6-9% -> 1-3%
 * (docs/performance.md, session 9). Smaller batches cost more socket writes than they save
 * (batches of 1: 10-20% fewer requests/s than 8).
 */
export const MAX_BATCH = 8;

/**
 * Collects the calls made during one turn of the event loop and hands them to `flush` together:
 * at setImmediate (after Node has read every socket that was ready), or as soon as `maxBatch`
 * are waiting. Under load one Redis write carries the commands of several requests, and a lone
 * call waits only for the rest of its turn. `flush` answers item by item; if it throws, every
 * item of the batch fails with that error.
 */
export class TickBatcher<I, O> {
  private pending: Waiting<I, O>[] = [];
  private scheduled = false;

  private readonly flush: (items: I[]) => Promise<Settled<O>[]>;
  private readonly maxBatch: number;

  constructor(flush: (items: I[]) => Promise<Settled<O>[]>, maxBatch = MAX_BATCH) {
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
