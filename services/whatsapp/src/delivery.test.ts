import { describe, expect, it } from 'vitest';
import { memoryLogger } from '@aduan/testkit';
import { DeliveryReporter, type DeliverySource } from './delivery.ts';

function rig() {
  const state = { caughtUpSince: undefined as number | undefined, inHand: [] as number[], lastAppendAt: 0, spooled: 0, now: 100_000 };
  const reports: [string, number][] = [];
  const source: DeliverySource = {
    account: '+62811',
    caughtUpSince: () => state.caughtUpSince,
    oldestInHand: () => (state.inHand.length ? Math.min(...state.inHand) : undefined),
    lastAppendAt: () => state.lastAppendAt,
  };
  const reporter = new DeliveryReporter({
    sources: [source],
    spooled: () => state.spooled,
    markDelivered: async (account, untilMs) => void reports.push([account, untilMs]),
    logger: memoryLogger('whatsapp').logger,
    marginMs: 3_000,
    settleMs: 2_000,
    now: () => state.now,
  });
  const tick = async () => {
    reporter.tick();
    await new Promise((r) => setImmediate(r));
  };
  return { state, reports, tick };
}

describe('DeliveryReporter', () => {
  it('reports 0 first, then only while caught up, settled and with nothing spooled', async () => {
    const { state, reports, tick } = rig();
    await tick(); // not connected: the first report says "nothing yet", so the engine holds conversations
    await tick();
    expect(reports).toEqual([['+62811', 0]]);

    state.caughtUpSince = state.now;
    state.now += 1_000;
    await tick(); // caught up 1 s ago: Baileys' offline queue may still be handing over
    state.now += 1_000;
    await tick();
    expect(reports.at(-1)).toEqual(['+62811', state.now - 3_000]);

    const before = reports.length;
    state.spooled = 2; // waiting for Redis
    await tick();
    state.spooled = 0;
    state.lastAppendAt = state.now; // an offline message just came
    await tick();
    state.caughtUpSince = undefined; // disconnected
    state.now += 5_000;
    await tick();
    expect(reports).toHaveLength(before);

    state.caughtUpSince = state.now;
    state.now += 2_000;
    await tick();
    expect(reports.at(-1)).toEqual(['+62811', state.now - 3_000]);
  });

  it('while messages are in hand, reports up to just before the oldest of them (a flood of photo downloads does not hold every conversation)', async () => {
    const { state, reports, tick } = rig();
    state.caughtUpSince = state.now;
    state.now += 2_000;
    // Photos downloading, one after another, from several citizens: something is always in hand.
    state.inHand = [90_000, 95_000];
    await tick();
    expect(reports.at(-1)).toEqual(['+62811', 89_999]);
    state.inHand = [95_000, 101_000];
    state.now += 1_000;
    await tick();
    expect(reports.at(-1)).toEqual(['+62811', 94_999]);
    // A message in hand newer than the margin: the margin still bounds the report.
    state.inHand = [state.now - 1_000];
    state.now += 1_000;
    await tick();
    expect(reports.at(-1)).toEqual(['+62811', state.now - 3_000]);
  });
});
