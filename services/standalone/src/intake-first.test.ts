import { describe, expect, it } from 'vitest';
import { nextConcurrency, routeAfterIntake } from './intake-first.ts';

const limits = { max: 16, busy: 0.75, idle: 0.5 };

describe('nextConcurrency', () => {
  it('halves while the loop is busy, never below one, and doubles back to the maximum when it is idle', () => {
    const seen: number[] = [];
    let c = 16;
    for (const u of [0.9, 0.95, 0.8, 0.99, 0.99, 0.6, 0.3, 0.2, 0.1, 0.1, 0.1]) seen.push((c = nextConcurrency(c, u, limits)));
    expect(seen).toEqual([8, 4, 2, 1, 1, 1, 2, 4, 8, 16, 16]);
  });
});

describe('routeAfterIntake', () => {
  it('lowers the router concurrency while the real event loop is blocked, and restores it when idle', async () => {
    const router = { concurrency: 16 };
    const control = routeAfterIntake(router, { max: 16, intervalMs: 20 });
    try {
      // Busy: the loop runs 50 ms of work for every few ms it waits.
      const until = Date.now() + 600;
      while (Date.now() < until) {
        const end = Date.now() + 50;
        while (Date.now() < end) {
          /* a busy event loop */
        }
        await new Promise((r) => setTimeout(r, 2));
      }
      expect(router.concurrency).toBeLessThanOrEqual(2);
      await new Promise((r) => setTimeout(r, 400));
      expect(router.concurrency).toBe(16);
    } finally {
      control.stop();
    }
  });
});
