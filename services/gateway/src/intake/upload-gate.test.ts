import { describe, expect, it } from 'vitest';
import { HttpError } from '../errors.ts';
import { UploadGate } from './upload-gate.ts';

describe('UploadGate', () => {
  it('lets `limit` in at once, the next in arrival order as each leaves, and refuses one that waited too long (503)', async () => {
    const gate = new UploadGate(2, 200);
    const a = await gate.enter('198.51.100.1');
    const b = await gate.enter('198.51.100.2');
    const order: string[] = [];
    const c = gate.enter('198.51.100.3').then((leave) => (order.push('c'), leave));
    const d = gate.enter('198.51.100.4').then((leave) => (order.push('d'), leave));
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual([]);
    expect(gate.load).toEqual({ active: 2, waiting: 2 });
    a();
    a(); // a second call of one release frees nothing more
    const leaveC = await c;
    expect(order).toEqual(['c']);
    expect(gate.load).toEqual({ active: 2, waiting: 1 });
    // d waits past its 200 ms: refused, and no longer waiting.
    const refused = await d.then(() => undefined, (err: unknown) => err);
    expect(refused).toBeInstanceOf(HttpError);
    expect(refused).toMatchObject({ statusCode: 503, code: 'service_unavailable', details: { retryAfterSeconds: 10 } });
    expect(gate.load).toEqual({ active: 2, waiting: 0 });
    b();
    leaveC();
    expect(gate.load).toEqual({ active: 0, waiting: 0 });
  });

  it('gives one address at most `perAddress` slots; others pass its waiting uploads', async () => {
    const gate = new UploadGate(3, 200, 1);
    const a = await gate.enter('203.0.113.5');
    const order: string[] = [];
    const a2 = gate.enter('203.0.113.5').then((leave) => (order.push('a2'), leave));
    await new Promise((r) => setTimeout(r, 20));
    expect(gate.load).toEqual({ active: 1, waiting: 1 });
    // Another address is let in at once, past the one waiting for its own address.
    const b = await gate.enter('198.51.100.7');
    expect(gate.load).toEqual({ active: 2, waiting: 1 });
    a();
    const leaveA2 = await a2;
    expect(order).toEqual(['a2']);
    expect(gate.load).toEqual({ active: 2, waiting: 0 });
    b();
    leaveA2();
    expect(gate.load).toEqual({ active: 0, waiting: 0 });
  });
});
