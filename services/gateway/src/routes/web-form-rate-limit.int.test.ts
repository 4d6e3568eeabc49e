import { readdirSync } from 'node:fs';
import { Socket, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '@aduan/queue';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { createTestGateway, multipartBody, PNG_1x1 } from '../testing/harness.ts';

/**
 * The citizen form over the rate limit: the 429 is the form again with what was typed, and
 * nothing is filed or stored. One submission a minute per address; each test is its own address
 * (X-Forwarded-For through app.inject's 127.0.0.1, a trusted proxy), so their counts are apart.
 */
const url = testRedisUrl();
const prefix = uniquePrefix('form-rl');
const log = memoryLogger('form-rl');
let gw: Awaited<ReturnType<typeof createTestGateway>>;
let intake: Queue;

beforeAll(async () => {
  gw = await createTestGateway({ redisUrl: url, prefix, logger: log.logger, env: { RATE_LIMIT_PER_MINUTE: '1', TRUST_PROXY: 'true', MAX_CONCURRENT_UPLOADS: '1' } });
  await gw.app.listen({ port: 0, host: '127.0.0.1' });
  intake = new Queue('intake', { connection: createRedis(url, 'worker'), prefix });
});
afterAll(async () => {
  await intake.close();
  await gw.close();
  await deletePrefix(url, prefix);
});

const KEY = '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f';
/** Everything the form has but photos, as a browser sends it. */
const typed = {
  idempotencyKey: KEY,
  text: 'Lampu PJU di Jl. Merdeka mati sudah seminggu, gelap sekali kalau malam',
  category: 'pju',
  'location.description': 'depan Pasar Legi',
  'location.kecamatan': 'Kepanjenkidul',
  'location.kelurahan': 'Kepanjenlor',
  'location.lat': '-8.098300',
  'location.lon': '112.168100',
  'reporter.name': 'Siti Rahayu',
  'reporter.phone': '0812-3456-7890',
  'reporter.email': 'siti@contoh.id',
  'reporter.anonymous': 'on',
  'reporter.confidential': 'on',
};

const postForm = (address: string, body: string | { payload: Buffer; headers: Record<string, string> }) =>
  typeof body === 'string'
    ? gw.app.inject({ method: 'POST', url: '/', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': address }, payload: body })
    : gw.app.inject({ method: 'POST', url: '/', headers: { ...body.headers, 'x-forwarded-for': address }, payload: body.payload });

const urlencoded = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

const storedFiles = () => {
  try {
    return readdirSync(join(gw.dir, 'attachments'), { recursive: true }).length;
  } catch {
    return 0;
  }
};

/** What the citizen typed, as the page shows it again. */
function expectTypedBack(page: string) {
  expect(page).toContain(`<textarea id="text" name="text" required maxlength="5000" aria-describedby="text-hint">${typed.text}</textarea>`);
  expect(page).toContain('<option value="pju" selected>');
  expect(page).toContain('<option value="Kepanjenkidul" selected>');
  expect(page).toContain('<option value="Kepanjenlor" selected>');
  expect(page).toContain('value="depan Pasar Legi"');
  expect(page).toContain('name="location.lat" value="-8.098300"');
  expect(page).toContain('name="location.lon" value="112.168100"');
  expect(page).toContain('value="Siti Rahayu"');
  expect(page).toContain('value="0812-3456-7890"');
  expect(page).toContain('value="siti@contoh.id"');
  expect(page).toMatch(/id="reporter-anonymous" name="reporter.anonymous" checked/);
  expect(page).toMatch(/id="reporter-confidential" name="reporter.confidential" checked/);
  // Under its key: sent again once the limit allows, it is the same complaint.
  expect(page).toContain(`name="idempotencyKey" value="${KEY}"`);
}

describe('the citizen form over the rate limit', () => {
  it('answers 429 with the form again: everything typed, a notice with the minutes to wait, Retry-After; nothing queued', async () => {
    expect((await postForm('203.0.113.1', urlencoded({ text: 'Saluran air mampet di gang tiga, banjir kalau hujan' }))).statusCode).toBe(303);
    const queued = await intake.count();
    const res = await postForm('203.0.113.1', urlencoded(typed));
    expect(res.statusCode).toBe(429);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
    const notice = /<div class="card" role="status" id="form-notice"[^>]*>(.*?)<\/div>/s.exec(res.body)?.[1] ?? '';
    expect(notice).toContain('aduan Anda belum terkirim');
    expect(notice).toContain('terlalu banyak aduan dikirim dari jaringan Anda');
    expect(notice).toContain('silakan kirim lagi dalam 1 menit');
    // No photo came with it: nothing to choose again.
    expect(notice).not.toContain('Foto');
    expectTypedBack(res.body);
    expect(await intake.count()).toBe(queued);
  });

  it('keeps the fields on both sides of the photos in a multipart form, says to choose the photos again, and stores no photo', async () => {
    const { text, ...below } = typed;
    expect((await postForm('203.0.113.2', multipartBody({ text: 'Saluran air mampet di gang tiga, banjir kalau hujan' }))).statusCode).toBe(303);
    const queued = await intake.count();
    const files = storedFiles();
    const res = await postForm('203.0.113.2', multipartBody({ text }, [{ name: 'photos', filename: 'lampu.png', type: 'image/png', data: PNG_1x1 }], below));
    expect(res.statusCode).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.body).toContain('terlalu banyak aduan dikirim dari jaringan Anda');
    expect(res.body).toContain('Foto perlu dipilih lagi.');
    expectTypedBack(res.body);
    expect(await intake.count()).toBe(queued);
    expect(storedFiles()).toBe(files);
  });

  it('takes no upload turn: answered while the only turn is held by the same address', async () => {
    const address = '203.0.113.3';
    // An upload from that address that stops mid-body holds the one turn (MAX_CONCURRENT_UPLOADS=1).
    const slow = new Socket();
    slow.on('error', () => {});
    slow.connect((gw.app.server.address() as AddressInfo).port, '127.0.0.1');
    const part = `--held\r\nContent-Disposition: form-data; name="photos"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`;
    slow.write(`POST / HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-For: ${address}\r\nContent-Type: multipart/form-data; boundary=held\r\nContent-Length: 100000\r\n\r\n${part}`);
    try {
      await waitFor(() => gw.deps.uploads.load.active === 1, { what: 'the held upload takes the turn' });
      // Over the limit, it would otherwise wait for a turn (30 s here) and then get a 503.
      const res = await postForm(address, multipartBody({ text: typed.text }, [{ name: 'photos', filename: 'b.png', type: 'image/png', data: PNG_1x1 }]));
      expect(res.statusCode).toBe(429);
      expect(res.body).toContain(typed.text);
      expect(gw.deps.uploads.load).toEqual({ active: 1, waiting: 0 });
    } finally {
      slow.destroy();
    }
  });

  it('leaves the JSON API as it was: its own count, and a JSON 429 rate_limited with Retry-After', async () => {
    const address = '203.0.113.4';
    const api = () => gw.app.inject({ method: 'POST', url: '/api/v1/complaints', headers: { 'x-forwarded-for': address }, payload: { text: 'Saluran air mampet di gang tiga, banjir kalau hujan' } });
    expect((await postForm(address, urlencoded({ text: 'Saluran air mampet di gang tiga, banjir kalau hujan' }))).statusCode).toBe(303);
    expect((await api()).statusCode).toBe(202);
    const res = await api();
    expect(res.statusCode).toBe(429);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const seconds = Number(res.headers['retry-after']);
    expect(seconds).toBeGreaterThan(0);
    expect(res.headers['x-ratelimit-limit']).toBe('1');
    expect(res.json()).toEqual({ error: 'rate_limited', message: `Too many requests from this address; retry in ${seconds} s` });
  });
});
