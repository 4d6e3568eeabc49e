import { describe, expect, it } from 'vitest';
import type { Notification } from '@aduan/schema';
import { NoticeOrder } from './notice-order.ts';

const note = (kind: Notification['kind'], to = 'a@s.whatsapp.net'): Notification => ({ schemaVersion: 1, channel: 'whatsapp', account: '+62811', to, kind, text: 'x', createdAt: new Date(0).toISOString() });

describe('NoticeOrder', () => {
  it("holds a citizen's later notice of the same or a lower tier behind an earlier one put back, until just after it comes back", () => {
    let now = 1_000_000;
    const order = new NoticeOrder(() => now);
    expect(order.take(note('routed'), 'routed.1', 10)).toBeUndefined();
    const backAt = order.putBack(note('routed'), 'routed.1', 60_000);
    expect(backAt).toBe(now + 60_000);
    expect(order.take(note('status'), 'status.1', 20)).toBe(backAt);
    order.putBack(note('status'), 'status.1', 60_001);
    // One queued before it, another citizen's, and a better tier: not held.
    expect(order.take(note('status'), 'status.0', 5)).toBeUndefined();
    order.done(note('status'), 'status.0');
    expect(order.take(note('status', 'b@s.whatsapp.net'), 'status.b', 20)).toBeUndefined();
    expect(order.take(note('ack'), 'ack-2', 20)).toBeUndefined();
    order.done(note('ack'), 'ack-2');
    // Back from the delayed set, the earlier one goes: the later one put back does not hold it.
    expect(order.take(note('routed'), 'routed.1', 10)).toBeUndefined();
    // Sent: holds nothing any more.
    order.done(note('routed'), 'routed.1');
    expect(order.take(note('status'), 'status.1', 20)).toBeUndefined();
    order.done(note('status'), 'status.1');
    // One left long past its time (removed by hand) holds nothing either.
    order.take(note('ack'), 'ack-1', 30);
    order.putBack(note('ack'), 'ack-1', 1_000);
    expect(order.take(note('lookup'), 'lookup-1', 40)).toBe(now + 1_000);
    order.putBack(note('lookup'), 'lookup-1', 1_001);
    now += 11 * 60_000;
    expect(order.take(note('lookup'), 'lookup-1', 40)).toBeUndefined();
  });

  it("holds a citizen's later notice behind an earlier one another worker slot has in hand, until it is sent", () => {
    const order = new NoticeOrder(() => 1_000_000);
    // "status 2" is on its way to its number's line (a lane wait, its send).
    expect(order.take(note('status'), 'status.2', 50)).toBeUndefined();
    // "status 3" comes out of the queue meanwhile: it waits (0: behind one in hand, not put back).
    expect(order.take(note('status'), 'status.3', 60)).toBe(0);
    order.putBack(note('status'), 'status.3', 100);
    // An answer ranks before "status": not held.
    expect(order.take(note('lookup'), 'lookup-3', 70)).toBeUndefined();
    order.done(note('lookup'), 'lookup-3');
    order.done(note('status'), 'status.2');
    expect(order.take(note('status'), 'status.3', 60)).toBeUndefined();
  });

  it('of two notices queued in the same millisecond, holds the one seen second behind the one seen first, never both behind each other', () => {
    const now = 1_000_000;
    const order = new NoticeOrder(() => now);
    // "status 2" is seen first and put back; "status 3", queued in the same millisecond, waits behind it.
    expect(order.take(note('status'), 'status.2', 50)).toBeUndefined();
    const back2 = order.putBack(note('status'), 'status.2', 5_000);
    expect(order.take(note('status'), 'status.3', 50)).toBe(back2);
    order.putBack(note('status'), 'status.3', 5_200);
    // "status 2" back: "status 3", put back too, does not hold it.
    expect(order.take(note('status'), 'status.2', 50)).toBeUndefined();
  });

  it('delays the jobs of one number and tier in the order they were put back, and leaves other tiers alone', () => {
    const now = 1_000_000;
    const order = new NoticeOrder(() => now);
    const a = order.putBack(note('routed', 'a'), 'r1', 5_000);
    const b = order.putBack(note('routed', 'b'), 'r2', 5_000);
    const c = order.putBack(note('ack', 'c'), 'a3', 100);
    expect(b).toBeGreaterThan(a);
    expect(c).toBe(now + 100);
  });
});
