import { describe, expect, it } from 'vitest';
import type { Notification } from '@aduan/schema';
import { NoticeOrder } from './notice-order.ts';

const note = (kind: Notification['kind'], to = 'a@s.whatsapp.net'): Notification => ({ schemaVersion: 1, channel: 'whatsapp', account: '+62811', to, kind, text: 'x', createdAt: new Date(0).toISOString() });

describe('NoticeOrder', () => {
  it("holds a citizen's later notice of the same or a lower tier behind an earlier one put back, until just after it comes back", () => {
    let now = 1_000_000;
    const order = new NoticeOrder(() => now);
    const backAt = order.putBack(note('routed'), 'routed.1', 10, 60_000);
    expect(backAt).toBe(now + 60_000);
    expect(order.behind(note('status'), 'status.1', 20)).toBe(backAt);
    // The earlier one itself, one queued before it, another citizen's, and a better tier: not held.
    expect(order.behind(note('routed'), 'routed.1', 10)).toBeUndefined();
    expect(order.behind(note('status'), 'status.0', 5)).toBeUndefined();
    expect(order.behind(note('status', 'b@s.whatsapp.net'), 'status.b', 20)).toBeUndefined();
    expect(order.behind(note('ack'), 'ack-2', 20)).toBeUndefined();
    // Sent: holds nothing any more.
    order.done(note('routed'), 'routed.1');
    expect(order.behind(note('status'), 'status.1', 20)).toBeUndefined();
    // One left long past its time (removed by hand) holds nothing either.
    order.putBack(note('ack'), 'ack-1', 30, 1_000);
    expect(order.behind(note('lookup'), 'lookup-1', 40)).toBe(now + 1_000);
    now += 11 * 60_000;
    expect(order.behind(note('lookup'), 'lookup-1', 40)).toBeUndefined();
  });

  it('of two notices queued in the same millisecond, holds the one seen second behind the one seen first, never both behind each other', () => {
    const now = 1_000_000;
    const order = new NoticeOrder(() => now);
    // "status 2" is seen first and put back; "status 3", queued in the same millisecond, waits behind it.
    expect(order.behind(note('status'), 'status.2', 50)).toBeUndefined();
    const back2 = order.putBack(note('status'), 'status.2', 50, 5_000);
    expect(order.behind(note('status'), 'status.3', 50)).toBe(back2);
    order.putBack(note('status'), 'status.3', 50, 5_200);
    // "status 2" back: "status 3", put back too, does not hold it.
    expect(order.behind(note('status'), 'status.2', 50)).toBeUndefined();
  });

  it('delays the jobs of one number and tier in the order they were put back, and leaves other tiers alone', () => {
    const now = 1_000_000;
    const order = new NoticeOrder(() => now);
    const a = order.putBack(note('routed', 'a'), 'r1', 1, 5_000);
    const b = order.putBack(note('routed', 'b'), 'r2', 2, 5_000);
    const c = order.putBack(note('ack', 'c'), 'a3', 3, 100);
    expect(b).toBeGreaterThan(a);
    expect(c).toBe(now + 100);
  });
});
