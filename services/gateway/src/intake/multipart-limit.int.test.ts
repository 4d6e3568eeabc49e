import { Socket, type AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { QueueNames, createRedis } from '@aduan/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { createTestGateway, multipartBody, PNG_1x1 } from '../testing/harness.ts';
import { multipartLimitBytes } from './multipart.ts';

const url = testRedisUrl();
const prefix = uniquePrefix('mp-limit');
const log = memoryLogger('mp-limit');
let gw: Awaited<ReturnType<typeof createTestGateway>>;
let port: number;
const limits = { MAX_PHOTOS: 1, MAX_PHOTO_BYTES: 2048 };
const limit = multipartLimitBytes(limits);

beforeAll(async () => {
  gw = await createTestGateway({ redisUrl: url, prefix, logger: log.logger, env: { MAX_PHOTOS: '1', MAX_PHOTO_BYTES: '2048', MAX_CONCURRENT_UPLOADS: '1' } });
  await gw.app.listen({ port: 0, host: '127.0.0.1' });
  port = (gw.app.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await gw.close();
  await deletePrefix(url, prefix);
});

/** A raw connection: what the server answered and whether it closed, for requests app.inject cannot send. */
function connect() {
  const socket = new Socket();
  let answer = '';
  socket.on('data', (d) => (answer += String(d)));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.connect(port, '127.0.0.1');
  return { socket, closed, answer: () => answer };
}

const BOUNDARY = 'aduanlimit';
const head = (path: string, length: string) =>
  `POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\n${length}\r\n`;

describe('multipart bodies have a limit in all', () => {
  it('refuses a declared length over the limit at once: 413, no upload turn taken, the connection closed', async () => {
    for (const path of ['/api/v1/complaints', '/']) {
      const c = connect();
      // Only the headers: the answer must not wait for a body this large.
      c.socket.write(head(path, `Content-Length: ${limit + 1}\r\n`));
      await c.closed;
      expect(c.answer()).toMatch(/^HTTP\/1.1 413 /);
      expect(c.answer().toLowerCase()).toContain('connection: close');
      if (path === '/') expect(c.answer()).toContain('terlalu besar sehingga aduan belum terkirim');
      else expect(c.answer()).toContain('"error":"payload_too_large"');
      expect(gw.deps.uploads.load).toEqual({ active: 0, waiting: 0 });
    }
  });

  it('closes a chunked body once it passes the limit (a preamble that never ends), and frees the upload turn', async () => {
    const c = connect();
    c.socket.write(head('/api/v1/complaints', 'Transfer-Encoding: chunked\r\n'));
    const junk = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    // Before the first boundary busboy reads and skips anything: it used to read this forever.
    while (sent < 4 * limit && !c.socket.destroyed) {
      c.socket.write(`${junk.length.toString(16)}\r\n`);
      c.socket.write(junk);
      c.socket.write('\r\n');
      sent += junk.length;
      await new Promise((r) => setImmediate(r));
      if (c.socket.readableEnded) break;
    }
    await c.closed;
    expect(c.answer()).toBe('');
    await waitFor(() => gw.deps.uploads.load.active === 0, { timeoutMs: 2_000, what: 'the upload turn to be freed' });
    await new Promise((r) => setTimeout(r, 100));
    expect(log.lines.filter((l) => Number(l.level) >= 50)).toEqual([]);
  });

  it('still files a chunked body within the limit', async () => {
    const body = multipartBody({ text: 'Lampu jalan di Jl. Kalimantan mati sejak tiga hari, gelap sekali' }, [{ name: 'photos', filename: 'lampu.png', type: 'image/png', data: PNG_1x1 }]);
    const c = connect();
    c.socket.write(`POST /api/v1/complaints HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: ${body.headers['content-type']}\r\nTransfer-Encoding: chunked\r\n\r\n`);
    c.socket.write(`${body.payload.length.toString(16)}\r\n`);
    c.socket.write(body.payload);
    c.socket.write('\r\n0\r\n\r\n');
    await c.closed;
    expect(c.answer()).toMatch(/^HTTP\/1.1 202 /);
  });
});

describe('a web form with many more photos than allowed (no JavaScript to stop it)', () => {
  const photos = (n: number) => Array.from({ length: n }, (_, i) => ({ name: 'photos', filename: `galeri-${i}.png`, type: 'image/png', data: PNG_1x1 }));
  const after = { 'reporter.name': 'Rahmat Hidayat', 'reporter.confidential': 'on' };

  it('comes back with every field typed after the photo input, "Rahasia" still ticked, and nothing filed', async () => {
    const intake = new Queue(QueueNames.intake, { connection: createRedis(url, 'client'), prefix });
    const filed = await intake.getJobCountByTypes('waiting', 'active', 'completed', 'prioritized');
    const res = await gw.app.inject({ method: 'POST', url: '/', ...multipartBody({ text: 'Pungli pembuatan KTP di kantor kelurahan, diminta 50 ribu' }, photos(20), after) });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/id="reporter-confidential" name="reporter.confidential" checked/);
    expect(res.body).toContain('value="Rahmat Hidayat"');
    expect(res.body).not.toContain('isian setelah kolom foto tidak terbaca');
    expect(await intake.getJobCountByTypes('waiting', 'active', 'completed', 'prioritized')).toBe(filed);
    await intake.close();
  });

  it('past what is read at all, says that the fields after the photos must be checked again', async () => {
    const res = await gw.app.inject({ method: 'POST', url: '/', ...multipartBody({ text: 'Pungli pembuatan KTP di kantor kelurahan, diminta 50 ribu' }, photos(limits.MAX_PHOTOS + 201), after) });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('isian setelah kolom foto tidak terbaca');
    expect(res.body).toContain('Pungli pembuatan KTP');
  });
});
