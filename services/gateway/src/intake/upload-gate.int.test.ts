import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { createTestGateway, multipartBody, PNG_1x1 } from '../testing/harness.ts';

const url = testRedisUrl();
const prefix = uniquePrefix('uploads');
let gw: Awaited<ReturnType<typeof createTestGateway>>;

beforeAll(async () => {
  gw = await createTestGateway({ redisUrl: url, prefix, logger: memoryLogger('uploads').logger, env: { MAX_CONCURRENT_UPLOADS: '1' } });
});
afterAll(async () => {
  await gw.close();
  await deletePrefix(url, prefix);
});

const photo = (text: string) => multipartBody({ text }, [{ name: 'photos', filename: 'jalan.png', type: 'image/png', data: PNG_1x1 }]);

describe('complaints with photos, MAX_CONCURRENT_UPLOADS=1', () => {
  it('reads one at a time: the second waits while the first is still uploading, then both are filed', async () => {
    const first = photo('Jalan berlubang besar di depan SDN Sananwetan 3, bahaya');
    const slow = new PassThrough();
    // The first citizen's upload stalls half-way (a weak signal).
    slow.write(first.payload.subarray(0, first.payload.length >> 1));
    const a = gw.app.inject({ method: 'POST', url: '/api/v1/complaints', headers: first.headers, payload: slow });
    await new Promise((r) => setTimeout(r, 100));
    expect(gw.deps.uploads.load).toEqual({ active: 1, waiting: 0 });
    let bDone = false;
    const second = photo('Saluran air tersumbat di Jl. Kenari, air meluap ke jalan');
    const b = gw.app.inject({ method: 'POST', url: '/', headers: second.headers, payload: second.payload }).then((res) => ((bDone = true), res));
    await new Promise((r) => setTimeout(r, 300));
    expect(bDone).toBe(false);
    expect(gw.deps.uploads.load).toEqual({ active: 1, waiting: 1 });
    slow.end(first.payload.subarray(first.payload.length >> 1));
    const [resA, resB] = await Promise.all([a, b]);
    expect(resA.statusCode).toBe(202);
    expect(resB.statusCode).toBe(303);
    expect(resB.headers.location).toMatch(/^\/diterima\?ticket=ADU-[0-9A-Z]{4}-[0-9A-Z]{4}&/);
    expect(gw.deps.uploads.load).toEqual({ active: 0, waiting: 0 });
    // A complaint without photos never waits for one.
    const plain = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Lampu PJU mati di Jl. Mawar sejak kemarin malam' } });
    expect(plain.statusCode).toBe(202);
  });
});
