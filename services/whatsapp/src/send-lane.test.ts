import { describe, expect, it } from 'vitest';
import { LaneFullError, SendLanes, URGENT_TIER, notifyTier } from './send-lane.ts';

const settled = async <T>(p: Promise<T>): Promise<'pending' | 'admitted' | 'refused'> => {
  let state: 'pending' | 'admitted' | 'refused' = 'pending';
  p.then(
    () => (state = 'admitted'),
    () => (state = 'refused'),
  );
  await new Promise((r) => setImmediate(r));
  return state;
};

describe('SendLanes', () => {
  it('ranks an urgent notice, then acknowledgements, then answers, then router notices', () => {
    expect([notifyTier({ kind: 'ack' }), notifyTier({ kind: 'guide' }), notifyTier({ kind: 'lookup' }), notifyTier({ kind: 'routed' }), notifyTier({ kind: 'status' })]).toEqual([0, 1, 1, 2, 2]);
    // The 112 notice is a guide, and goes before the acknowledgements.
    expect(notifyTier({ kind: 'guide', urgent: true })).toBe(-1);
  });

  it('gives each number one turn at a time, holds one more waiting, and lets a better tier take the waiting place', async () => {
    const lanes = new SendLanes();
    const endFirst = await lanes.enter('+62811', { tier: 2, queuedAt: 1 });
    const routed = lanes.enter('+62811', { tier: 2, queuedAt: 2 });
    expect(await settled(routed)).toBe('pending');
    // Full: the same tier is turned away, a better one takes the place of the worst waiting.
    await expect(lanes.enter('+62811', { tier: 2, queuedAt: 0 })).rejects.toBeInstanceOf(LaneFullError);
    const ack = lanes.enter('+62811', { tier: 0, queuedAt: 3 });
    await expect(routed).rejects.toBeInstanceOf(LaneFullError);
    await expect(lanes.enter('+62811', { tier: 0, queuedAt: 4 })).rejects.toBeInstanceOf(LaneFullError);
    // Another number has its own line.
    const endOther = await lanes.enter('+62812', { tier: 2, queuedAt: 5 });
    expect(await settled(ack)).toBe('pending');
    endFirst();
    endFirst(); // a second call changes nothing
    const endAck = await ack;
    const next = lanes.enter('+62811', { tier: 1, queuedAt: 6 });
    expect(await settled(next)).toBe('pending');
    endAck();
    (await next)();
    endOther();
    // Both lines are free again.
    (await lanes.enter('+62811', { tier: 2, queuedAt: 7 }))();
  });

  it('gives an urgent notice the waiting place of an acknowledgement: it goes next', async () => {
    const lanes = new SendLanes();
    const endFirst = await lanes.enter('+62811', { tier: 0, queuedAt: 1 });
    const ack = lanes.enter('+62811', { tier: 0, queuedAt: 2 });
    const urgent = lanes.enter('+62811', { tier: URGENT_TIER, queuedAt: 3 });
    await expect(ack).rejects.toBeInstanceOf(LaneFullError);
    endFirst();
    (await urgent)();
  });

  it('turns every waiting notice away on refuseWaiting (shutdown)', async () => {
    const lanes = new SendLanes();
    await lanes.enter('+62811', { tier: 0, queuedAt: 1 });
    const waiting = lanes.enter('+62811', { tier: 0, queuedAt: 2 });
    lanes.refuseWaiting(() => new Error('stopping'));
    await expect(waiting).rejects.toThrow('stopping');
  });
});
