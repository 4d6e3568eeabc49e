import { describe, expect, it } from 'vitest';
import { IdempotencyStore } from './idempotency.ts';

const entry = (ticket: string) => ({ bodyHash: 'b', answer: Promise.resolve({ id: `id-${ticket}`, ticket, statusToken: 't' }) });

describe('IdempotencyStore', () => {
  it("keys recalled from the spool after a restart never push out a live request's entry; the newest recalled are kept", async () => {
    const store = new IdempotencyStore('p', 3);
    // A request taken since the restart, its complaint only in the spool: its entry is the only record of its key.
    store.remember('live', entry('LIVE'));
    for (let i = 0; i < 10; i++) store.recall(`old-${i}`, entry(`OLD-${i}`));
    expect(await store.known('live')?.answer).toMatchObject({ ticket: 'LIVE' });
    expect(['old-6', 'old-7', 'old-8', 'old-9'].map((k) => store.known(k) !== undefined)).toEqual([false, true, true, true]);
    // A recalled key a live request already holds keeps the live entry.
    store.recall('live', entry('STALE'));
    expect(await store.known('live')?.answer).toMatchObject({ ticket: 'LIVE' });
    store.forgetLocal('old-9');
    expect(store.known('old-9')).toBeUndefined();
  });
});
