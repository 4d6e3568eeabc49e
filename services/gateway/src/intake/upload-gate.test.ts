import { describe, expect, it } from 'vitest';
import { HttpError } from '../errors.ts';
import { UploadGate } from './upload-gate.ts';

describe('UploadGate', () => {
  it('lets `limit` in at once, the next in arrival order as each leaves, and refuses one that waited too long (503)', async () => {
    const gate = new UploadGate(2, 200);
    const a = await gate.enter();
    const b = await gate.enter();
    const order: string[] = [];
    const c = gate.enter().then((leave) => (order.push('c'), leave));
    const d = gate.enter().then((leave) => (order.push('d'), leave));
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
});
