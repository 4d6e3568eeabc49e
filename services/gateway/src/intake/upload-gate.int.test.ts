import { Socket, type AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
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

/**
 * A gateway of its own (MAX_CONCURRENT_UPLOADS=1, this REQUEST_IDLE_TIMEOUT) listening on a real
 * port, and an upload on a raw socket that took the only turn and sent half its body. `close()`
 * ends both.
 */
async function halfSentUpload(name: string, idleTimeout: string) {
  const p = `${prefix}-${name}`;
  const one = await createTestGateway({ redisUrl: url, prefix: p, logger: memoryLogger('uploads').logger, env: { MAX_CONCURRENT_UPLOADS: '1', REQUEST_IDLE_TIMEOUT: idleTimeout } });
  const socket = new Socket();
  const close = async () => {
    socket.destroy();
    await one.close();
    await deletePrefix(url, p);
  };
  try {
    await one.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = one.app.server.address() as AddressInfo;
    const body = photo('Jalan berlubang besar di depan SDN Sananwetan 3, bahaya');
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => {});
    socket.connect(port, '127.0.0.1');
    socket.write(`POST /api/v1/complaints HTTP/1.1\r\nHost: localhost\r\nContent-Type: ${body.headers['content-type']}\r\nContent-Length: ${body.payload.length}\r\n\r\n`);
    socket.write(body.payload.subarray(0, body.payload.length >> 1));
    await waitFor(() => one.deps.uploads.load.active === 1, { timeoutMs: 2_000, what: 'the upload to take its turn' });
    return { one, port, socket, body, closed, close };
  } catch (err) {
    await close();
    throw err;
  }
}

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

describe('one client cannot hold every turn', () => {
  it('gives one address (an IPv6 client by its /64) at most half the turns, behind TRUST_PROXY too: another citizen is read at once', async () => {
    const p = `${prefix}-addr`;
    const two = await createTestGateway({ redisUrl: url, prefix: p, logger: memoryLogger('uploads').logger, env: { MAX_CONCURRENT_UPLOADS: '2', TRUST_PROXY: 'loopback' } });
    try {
      // One client starts two uploads, from two addresses of its phone's /64, and stops sending.
      const stalled = ['2001:db8:7:1::10', '2001:db8:7:1::11'].map((address) => {
        const body = photo('Jalan berlubang besar di depan SDN Sananwetan 3, bahaya');
        const slow = new PassThrough();
        slow.write(body.payload.subarray(0, body.payload.length >> 1));
        const res = two.app.inject({ method: 'POST', url: '/api/v1/complaints', headers: { ...body.headers, 'x-forwarded-for': address }, payload: slow });
        return { body, slow, res };
      });
      await new Promise((r) => setTimeout(r, 200));
      // Its second upload waits for its first; the other turn stays free.
      expect(two.deps.uploads.load).toEqual({ active: 1, waiting: 1 });
      const other = photo('Saluran air tersumbat di Jl. Kenari, air meluap ke jalan');
      const res = await two.app.inject({ method: 'POST', url: '/api/v1/complaints', headers: { ...other.headers, 'x-forwarded-for': '198.51.100.23' }, payload: other.payload });
      expect(res.statusCode).toBe(202);
      for (const s of stalled) s.slow.end(s.body.payload.subarray(s.body.payload.length >> 1));
      expect((await Promise.all(stalled.map((s) => s.res))).map((r) => r.statusCode)).toEqual([202, 202]);
      expect(two.deps.uploads.load).toEqual({ active: 0, waiting: 0 });
    } finally {
      await two.close();
      await deletePrefix(url, p);
    }
  });

  it('closes a connection on which nothing arrives for REQUEST_IDLE_TIMEOUT (a phone that lost its signal mid-upload), freeing its turn', async () => {
    const { one, closed, close } = await halfSentUpload('idle', '1s');
    try {
      // Then silence: no FIN, no RST, as from a phone gone out of reach.
      const outcome = await Promise.race([closed.then(() => 'closed'), new Promise((r) => setTimeout(() => r('still open'), 4_000))]);
      expect(outcome).toBe('closed');
      await waitFor(() => one.deps.uploads.load.active === 0, { timeoutMs: 3_000, what: 'the turn to be freed' });
      const next = photo('Saluran air tersumbat di Jl. Kenari, air meluap ke jalan');
      expect((await one.app.inject({ method: 'POST', url: '/api/v1/complaints', headers: next.headers, payload: next.payload })).statusCode).toBe(202);
    } finally {
      await close();
    }
  });

  it('answers an upload waiting for a turn with 503 and Retry-After before its idle connection would be closed unanswered', async () => {
    const { port, socket, body, close } = await halfSentUpload('wait', '3s');
    // The upload holding the only turn goes on slowly: a byte every 300 ms, so its connection is never idle.
    let at = body.payload.length >> 1;
    const trickle = setInterval(() => socket.write(body.payload.subarray(at, ++at)), 300);
    try {
      // Another citizen's, whole, waits for it; its connection is idle meanwhile (its body unread).
      const next = photo('Saluran air tersumbat di Jl. Kenari, air meluap ke jalan');
      const answer = await fetch(`http://127.0.0.1:${port}/api/v1/complaints`, { method: 'POST', headers: next.headers, body: new Uint8Array(next.payload) }).then((r) => ({ status: r.status, retryAfter: r.headers.get('retry-after') }), (err: Error) => ({ status: 0, retryAfter: err.message }));
      expect(answer.status).toBe(503);
      expect(Number(answer.retryAfter)).toBeGreaterThan(0);
    } finally {
      clearInterval(trickle);
      await close();
    }
  });
});
