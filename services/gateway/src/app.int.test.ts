import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Complaint } from '@aduan/schema';
import { createRedis, isSameSender } from '@aduan/queue';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { createTestGateway, multipartBody, PNG_1x1 } from './testing/harness.ts';

const url = testRedisUrl();
const prefix = uniquePrefix('gw');
const mem = memoryLogger('gateway');
let gw: Awaited<ReturnType<typeof createTestGateway>>;
let intake: Queue;

beforeAll(async () => {
  gw = await createTestGateway({ redisUrl: url, prefix, logger: mem.logger, env: { MAX_PHOTO_BYTES: '20000', WHATSAPP_PUBLIC_NUMBER: '0811 3000 1234' } });
  intake = new Queue('intake', { connection: createRedis(url, 'worker'), prefix });
});
afterAll(async () => {
  await intake.close();
  await gw.close();
  await deletePrefix(url, prefix);
});

/** A citizen page post as a browser sees it: an accepted one is redirected (303) to its thank-you page. */
async function followed(res: Awaited<ReturnType<typeof gw.app.inject>>) {
  if (res.statusCode !== 303) return res;
  expect(res.headers.location).toMatch(/^\/diterima\?/);
  return gw.app.inject({ url: res.headers.location as string });
}

const valid = {
  text: 'Lampu PJU di Jl. Merdeka mati sudah seminggu, gelap sekali kalau malam',
  category: 'pju',
  location: { description: 'depan Pasar Legi', kelurahan: 'kepanjenlor' },
  reporter: { name: 'Siti Rahayu', phone: '0812-3456-7890', email: 'siti@contoh.id', confidential: true },
};

describe('POST /api/v1/complaints', () => {
  it('accepts a JSON complaint, queues it on intake and gives a ticket and status token', async () => {
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: valid });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body.ticket).toMatch(/^ADU-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const job = await intake.getJob(body.id);
    const c = Complaint.parse(job?.data);
    expect(c.channel).toBe('webform');
    expect(c.reporter.phone).toBe('+6281234567890');
    expect(c.reporter.confidential).toBe(true);
    expect(c.location).toMatchObject({ kelurahan: 'Kepanjenlor', kecamatan: 'Kepanjenkidul' });
    // "cek <ticket>" on WhatsApp will answer the number given (and only it), stored as a hash.
    const rec = (await gw.deps.status.get(body.id))!;
    expect(isSameSender(rec, 'whatsapp', '6281234567890@s.whatsapp.net', '+6281234567890')).toBe(true);
    expect(isSameSender(rec, 'whatsapp', '6281299999999@s.whatsapp.net', '+6281299999999')).toBe(false);
    expect(JSON.stringify(rec)).not.toContain('81234567890');

    const noToken = await gw.app.inject({ url: `/api/v1/complaints/${body.ticket}` });
    expect(noToken.statusCode).toBe(401);
    const wrong = await gw.app.inject({ url: `/api/v1/complaints/${body.ticket}`, headers: { authorization: 'Bearer nope' } });
    expect(wrong.statusCode).toBe(404);
    const ok = await gw.app.inject({ url: `/api/v1/complaints/${body.ticket}`, headers: { authorization: `Bearer ${body.statusToken}` } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ ticket: body.ticket, state: 'received', channel: 'webform' });
    // Read with a token (which a ?token= URL carries): never kept by a browser or a proxy.
    expect(ok.headers['cache-control']).toBe('no-store');
    expect(noToken.headers['cache-control']).toBe('no-store');
    const viaQuery = await gw.app.inject({ url: `/api/v1/complaints/${body.ticket.toLowerCase()}?token=${body.statusToken}` });
    expect(viaQuery.statusCode).toBe(200);
    // The code without its prefix, as a citizen may copy it.
    const codeOnly = await gw.app.inject({ url: `/api/v1/complaints/${body.ticket.slice(4)}?token=${body.statusToken}` });
    expect(codeOnly.json()).toMatchObject({ ticket: body.ticket });
    // The citizen's status page, with the code as people copy it by hand or paste it: lower
    // case, no dashes, a 0 written as O, a trailing space, a line break inside.
    const token = body.statusToken as string;
    expect(token).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const handwritten = token.replace(/-/g, '').toLowerCase().replace(/0/g, 'o');
    const pasted = encodeURIComponent(` ${handwritten.slice(0, 6)}\n${handwritten.slice(6)} `);
    const page = await gw.app.inject({ url: `/status?ticket=${encodeURIComponent(` ${body.ticket.toLowerCase()} `)}&token=${pasted}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(body.ticket);
    // Anything else in it still fails.
    const typo = await gw.app.inject({ url: `/status?ticket=${body.ticket}&token=${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}` });
    expect(typo.statusCode).toBe(404);
  });

  it('answers 400 with one stable code per field', async () => {
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'x', reporter: { phone: 'telepon', email: 'bukan-email' }, location: { kelurahan: 'Atlantis' } } });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error).toBe('validation_failed');
    expect(body.fields.text.code).toBe('too_short');
    expect(body.fields['reporter.phone'].code).toBe('invalid_phone');
    expect(body.fields['reporter.email'].code).toBe('invalid_email');
    const res2 = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Sampah menumpuk di pinggir jalan', location: { kelurahan: 'Atlantis' } } });
    expect(res2.json().fields['location.kelurahan'].code).toBe('unknown_kelurahan');
    const res3 = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: {} });
    expect(res3.json().fields.text.code).toBe('required');
    // A position comes whole: a lone latitude is the client's error, not a 500.
    const res4 = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Jalan berlubang besar di depan pasar', location: { lat: -8.1 } } });
    expect(res4.statusCode).toBe(400);
    expect(res4.json().fields['location.lat'].code).toBe('lat_lon_together');
  });

  it('tells a wrong type from a missing field, and a number out of range from a long text', async () => {
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Jalan berlubang besar di depan pasar', reporter: { name: 5 }, location: ['Sukorejo'] } });
    expect(res.statusCode).toBe(400);
    expect(res.json().fields['reporter.name'].code).toBe('invalid_type');
    expect(res.json().fields.location.code).toBe('invalid_type');
    const blank = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: '   ' } });
    expect(blank.json().fields.text.code).toBe('required');
    const far = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Jalan berlubang besar di depan pasar', location: { lat: 100, lon: 112.1 } } });
    expect(far.json().fields['location.lat'].code).toBe('out_of_range');
  });

  it('reads form coordinates as plain decimals only, and trims an autocompleted e-mail', async () => {
    const form = (fields: Record<string, string>) => gw.app.inject({ method: 'POST', url: '/api/v1/complaints', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ text: 'Lampu jalan mati di gang dekat sekolah', ...fields }).toString() });
    // Blank coordinates are "no position", not latitude 0, longitude 0 off the coast of Africa.
    const blank = await form({ 'location.lat': ' ', 'location.lon': ' ', 'reporter.email': ' siti@contoh.id ' });
    expect(blank.statusCode).toBe(202);
    const job = await intake.getJob(blank.json().id);
    expect(job?.data.location).toBeUndefined();
    expect(job?.data.reporter.email).toBe('siti@contoh.id');
    const hex = await form({ 'location.lat': '0x10', 'location.lon': '112.16' });
    expect(hex.statusCode).toBe(400);
    expect(hex.json().fields['location.lat'].code).toBe('invalid_type');
    const ok = await form({ 'location.lat': ' -8.0983 ', 'location.lon': '112.1681' });
    expect((await intake.getJob(ok.json().id))?.data.location).toEqual({ lat: -8.0983, lon: 112.1681 });
  });

  it('rejects malformed JSON, wrong content types and oversize bodies cleanly', async () => {
    const bad = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', headers: { 'content-type': 'application/json' }, payload: '{"text": ' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe('invalid_body');
    const xml = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', headers: { 'content-type': 'application/xml' }, payload: '<a/>' });
    expect(xml.statusCode).toBe(415);
    const big = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'a'.repeat(300 * 1024) } });
    expect(big.statusCode).toBe(413);
    expect(big.json().error).toBe('payload_too_large');
  });

  it('an Idempotency-Key retry returns the same answer and makes no second complaint', async () => {
    const headers = { 'idempotency-key': `key-${prefix}` };
    const first = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', headers, payload: valid });
    const second = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', headers, payload: valid });
    expect(first.statusCode).toBe(202);
    expect(second.statusCode).toBe(202);
    expect(second.json()).toEqual(first.json());
    const jobs = await intake.getJobs(['waiting', 'active', 'completed', 'delayed']);
    expect(jobs.filter((j) => j.data.intake?.idempotencyKeyHash && j.id === first.json().id)).toHaveLength(1);
    const other = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', headers, payload: { ...valid, text: 'Jalan berlubang besar di depan sekolah' } });
    expect(other.statusCode).toBe(422);
    expect(other.json().error).toBe('idempotency_key_reused');
  });

  it('concurrent requests with one Idempotency-Key get one answer and make one complaint', async () => {
    const headers = { 'idempotency-key': `burst-${prefix}` };
    const payload = { ...valid, text: `Saluran air mampet di gang ${prefix}, banjir tiap hujan` };
    const answers = await Promise.all(Array.from({ length: 6 }, () => gw.app.inject({ method: 'POST', url: '/api/v1/complaints', headers, payload })));
    expect(answers.map((r) => r.statusCode)).toEqual([202, 202, 202, 202, 202, 202]);
    expect(new Set(answers.map((r) => r.json().id)).size).toBe(1);
    const jobs = await intake.getJobs(['waiting', 'active', 'completed', 'delayed']);
    expect(jobs.filter((j) => j.data.text === payload.text)).toHaveLength(1);
  });

  it('a retry re-queues a complaint whose key is claimed but whose job is gone', async () => {
    const headers = { 'idempotency-key': `lost-${prefix}` };
    const payload = { ...valid, text: `Jembatan kecil retak di dekat makam, nomor ${prefix}` };
    const first = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', headers, payload });
    expect(first.statusCode).toBe(202);
    const { id } = first.json();
    // As if the job had been removed since (by hand), or the claim were one an older version
    // wrote before its enqueue and died in between.
    await intake.remove(id);
    expect(await intake.getJob(id)).toBeUndefined();
    const retry = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', headers, payload });
    expect(retry.statusCode).toBe(202);
    expect(retry.json()).toEqual(first.json());
    expect((await intake.getJob(id))?.data).toMatchObject({ id, ticket: first.json().ticket, text: payload.text });
  });

  it('takes photos by multipart, sniffing content, and refuses non-images (415) and big files (413)', async () => {
    const ok = multipartBody({ text: 'Pohon besar tumbang menutup jalan di Sananwetan', 'location.kecamatan': 'Sananwetan' }, [{ name: 'photos', filename: 'foto.png', type: 'image/png', data: PNG_1x1 }]);
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', ...ok });
    expect(res.statusCode).toBe(202);
    const job = await intake.getJob(res.json().id);
    expect(job?.data.attachments).toHaveLength(1);
    expect(job?.data.attachments[0]).toMatchObject({ kind: 'image', mimeType: 'image/png', bytes: PNG_1x1.length });
    expect(await gw.deps.storage.get(job?.data.attachments[0].storageKey)).toEqual(PNG_1x1);

    const before = await intake.count();
    const fake = multipartBody({ text: 'Pohon besar tumbang menutup jalan di Sananwetan' }, [{ name: 'photos', filename: 'foto.jpg', type: 'image/jpeg', data: Buffer.from('#!/bin/sh\necho not an image\n') }]);
    const r415 = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', ...fake });
    expect(r415.statusCode).toBe(415);
    expect(r415.json().error).toBe('unsupported_media_type');
    const huge = multipartBody({ text: 'Pohon besar tumbang menutup jalan di Sananwetan' }, [{ name: 'photos', filename: 'big.png', type: 'image/png', data: Buffer.concat([PNG_1x1, Buffer.alloc(30_000)]) }]);
    const r413 = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', ...huge });
    expect(r413.statusCode).toBe(413);
    expect(await intake.count()).toBe(before);
  });

  it('refuses (503, Retry-After, logged) a complaint whose photo cannot be stored, rather than a 500', async () => {
    // The attachment "directory" is a file: every write fails, as on a full or read-only disk.
    const notADir = join(mkdtempSync(join(tmpdir(), 'aduan-att-')), 'file');
    writeFileSync(notADir, 'x');
    const broken = memoryLogger('broken-storage');
    const other = await createTestGateway({ redisUrl: url, prefix: `${prefix}-nostore`, logger: broken.logger, env: { ATTACHMENT_DIR: notADir } });
    try {
      const form = multipartBody({ text: 'Pohon besar tumbang menutup jalan di Sananwetan' }, [{ name: 'photos', filename: 'foto.png', type: 'image/png', data: PNG_1x1 }]);
      const api = await other.app.inject({ method: 'POST', url: '/api/v1/complaints', ...form });
      expect(api.statusCode).toBe(503);
      expect(api.json()).toEqual({ error: 'storage_unavailable', message: 'The photo could not be stored; try again shortly' });
      expect(Number(api.headers['retry-after'])).toBeGreaterThan(0);
      expect(broken.text()).toContain('photo not stored');
      // The citizen's form: not filed, said so, and everything typed is still there under the
      // form's key, to send again without retyping (no JavaScript needed).
      const typed = { idempotencyKey: 'c0ffee00-0000-4000-8000-000000000503', text: 'Pohon besar tumbang menutup jalan di Sananwetan', 'location.kelurahan': 'Sananwetan', 'reporter.phone': '0812 3456 7890' };
      const page = await other.app.inject({ method: 'POST', url: '/', ...multipartBody(typed, [{ name: 'photos', filename: 'foto.png', type: 'image/png', data: PNG_1x1 }]) });
      expect(page.statusCode).toBe(503);
      expect(Number(page.headers['retry-after'])).toBeGreaterThan(0);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.body).toContain('aduan Anda belum terkirim');
      expect(page.body).toContain('Foto perlu dipilih lagi.');
      expect(page.body).toContain('>Pohon besar tumbang menutup jalan di Sananwetan</textarea>');
      expect(page.body).toContain('<option value="Sananwetan" selected>');
      expect(page.body).toContain('value="0812 3456 7890"');
      expect(page.body).toContain(`name="idempotencyKey" value="${typed.idempotencyKey}"`);
    } finally {
      await other.close();
      await deletePrefix(url, `${prefix}-nostore`);
    }
  });

  it('never logs personal data or complaint text', () => {
    const logs = mem.text();
    expect(logs).toContain('complaint accepted');
    // One line per accepted complaint: the request's own line, carrying the complaint's id and outcome.
    const accepted = mem.lines.filter((l) => l.msg === 'complaint accepted');
    expect(accepted.length).toBeGreaterThan(0);
    for (const l of accepted) expect(l).toMatchObject({ complaintId: expect.any(String), outcome: expect.stringMatching(/^(queued|spooled|replayed)$/), method: 'POST', status: expect.any(Number) });
    const firstTime = accepted.filter((l) => l.outcome !== 'replayed').map((l) => l.complaintId);
    expect(new Set(firstTime).size).toBe(firstTime.length);
    expect(mem.lines.filter((l) => l.msg === 'request' && l.method === 'POST' && l.url === '/api/v1/complaints' && l.status === 202)).toEqual([]);
    for (const secret of ['Siti', '+6281234567890', 'siti@contoh.id', 'Lampu PJU di Jl. Merdeka', 'Pasar Legi']) expect(logs).not.toContain(secret);
  });
});

describe('citizen pages', () => {
  it('serves the form in Bahasa Indonesia with the kelurahan pick list', async () => {
    const res = await gw.app.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('Sampaikan aduan Anda');
    expect(res.body).toContain('<optgroup label="Kec. Sukorejo" data-kecamatan="Sukorejo">');
    expect(res.body).toContain('Pakunden');
    // An emergency is not a complaint to wait on: the number to call, before anything else.
    expect(res.body).toMatch(/<p class="emergency" id="emergency">.*<a href="tel:112">112<\/a>/);
  });

  it('a look-up that finds nothing says so in its title and keeps both codes to correct', async () => {
    const res = await gw.app.inject({ url: '/status?ticket=ADU-0000-0000&token=4HCE-Z99T-SAWD' });
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('<title>Tiket tidak ditemukan — Cek status aduan');
    expect(res.body).toContain('value="ADU-0000-0000"');
    expect(res.body).toMatch(/id="token"[^>]*value="4HCE-Z99T-SAWD"/);
  });

  it('shows a field error next to the field and keeps what was typed', async () => {
    const form = multipartBody({ text: '', 'reporter.name': 'Budi <script>', 'location.description': 'dekat alun-alun' });
    const res = await gw.app.inject({ method: 'POST', url: '/', ...form });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Mohon tuliskan isi aduan Anda.');
    expect(res.body).toContain('value="dekat alun-alun"');
    expect(res.body).toContain('Budi &lt;script&gt;');
  });

  it('names every mistake in one answer: a place not in its kecamatan together with a wrong phone number', async () => {
    const form = multipartBody({ text: 'Jalan berlubang di depan balai kelurahan', 'location.kecamatan': 'Sukorejo', 'location.kelurahan': 'Bendo', 'reporter.phone': '12', category: 'bukan-kategori' });
    const res = await gw.app.inject({ method: 'POST', url: '/', ...form });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Ada 3 isian yang perlu diperbaiki');
    expect(res.body).toContain('Kelurahan ini tidak berada di kecamatan yang Anda pilih.');
    expect(res.body).toContain('Nomor HP belum benar');
    expect(res.body).toContain('Kategori tidak dikenal');
    const api = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Jalan berlubang di depan balai kelurahan', location: { kecamatan: 'Sukorejo', kelurahan: 'Bendo' }, reporter: { phone: '12' } } });
    expect(Object.keys(api.json().fields).sort()).toEqual(['location.kelurahan', 'reporter.phone']);
  });

  it('a refused photo (too big, too many) brings the form back with everything typed, before and after the photo input', async () => {
    const typed = { text: 'Pohon besar tumbang menutup jalan di Sananwetan', 'location.description': 'depan SDN Sananwetan 3' };
    const after = { 'reporter.name': 'Siti Rahayu', 'reporter.phone': '0812 3456 7890', 'reporter.confidential': 'on' };
    const big = { name: 'photos', filename: 'IMG_1.jpg', type: 'image/jpeg', data: Buffer.concat([PNG_1x1, Buffer.alloc(30_000)]) };
    const small = (i: number) => ({ name: 'photos', filename: `p${i}.png`, type: 'image/png', data: PNG_1x1 });
    for (const [files, status, message] of [
      [[big], 413, 'Ukuran foto terlalu besar (lebih dari 0 MB per foto)'],
      [[1, 2, 3, 4, 5, 6].map(small), 400, 'Paling banyak 5 foto. Silakan pilih ulang fotonya.'],
    ] as const) {
      const res = await gw.app.inject({ method: 'POST', url: '/', ...multipartBody({ ...typed, idempotencyKey: `photo-${status}-${prefix}` }, [...files], after) });
      expect(res.statusCode).toBe(status);
      expect(res.body).toContain(message);
      expect(res.body).toContain('Pohon besar tumbang menutup jalan di Sananwetan</textarea>');
      expect(res.body).toContain('value="depan SDN Sananwetan 3"');
      expect(res.body).toContain('value="Siti Rahayu"');
      expect(res.body).toContain('value="0812 3456 7890"');
      expect(res.body).toMatch(/id="reporter-confidential" name="reporter.confidential" checked/);
      expect(res.body).toContain(`value="photo-${status}-${prefix}"`);
    }
    // The API's answer names no typed value.
    const api = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', ...multipartBody(typed, [big], after) });
    expect(api.statusCode).toBe(413);
    expect(api.body).not.toContain('Siti');
  });

  it('a form sent again with other words under the same key says the first is filed, with its ticket, and offers a fresh form', async () => {
    const key = `reuse-${prefix}`;
    const first = await followed(await gw.app.inject({ method: 'POST', url: '/', ...multipartBody({ text: 'Lampu PJU di Jl. Kalimantan mati sejak Senin', idempotencyKey: key }) }));
    const ticket = /id="ticket">([^<]+)</.exec(first.body)?.[1] as string;
    const again = await gw.app.inject({ method: 'POST', url: '/', ...multipartBody({ text: 'Lampu PJU di Jl. Kalimantan mati sejak Senin, tiga tiang', idempotencyKey: key }) });
    expect(again.statusCode).toBe(422);
    expect(again.body).toContain(`sudah kami terima dengan nomor tiket <strong id="earlier-ticket" class="code">${ticket}</strong>`);
    // With its access code: the citizen may never have seen the first thank-you page.
    const token = /id="status-token" class="code">([^<]+)</.exec(first.body)?.[1] as string;
    expect(again.body).toContain(`kode akses <strong id="earlier-token" class="code">${token}</strong>`);
    expect(again.body).toContain(`href="/status?ticket=${ticket}&amp;token=${token}"`);
    expect(again.body).toContain('tiga tiang</textarea>');
    expect(again.body).not.toContain(`value="${key}"`);
  });

  it("an API client's Idempotency-Key sent through the page names nothing: the page's keys are its own", async () => {
    const key = `order-42-${prefix}`;
    const api = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', headers: { 'idempotency-key': key }, payload: { text: 'Lampu PJU di Jl. Kalimantan mati sejak Senin' } });
    expect(api.statusCode).toBe(202);
    const posted = await gw.app.inject({ method: 'POST', url: '/', ...multipartBody({ text: 'Jalan berlubang besar di depan pasar Legi', idempotencyKey: key }) });
    // A complaint of its own, not a 422 naming (and giving the access code of) the API's.
    expect(posted.statusCode).toBe(303);
    const page = await followed(posted);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain(api.json().ticket);
    expect(page.body).not.toContain(api.json().statusToken);
  });

  it('counts a line break once, as the browser that let it through did (CRLF)', async () => {
    // 5,200 characters as sent, 4,940 as typed: within the textarea's maxlength of 5,000.
    const text = 'Jalan rusak parah.\r\n'.repeat(260);
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text } });
    expect(res.statusCode).toBe(202);
    expect((await intake.getJob(res.json().id))?.data.text).toBe('Jalan rusak parah.\n'.repeat(260).trim());
  });

  it('says at the top, and in the title, which fields need fixing, each a link to its field', async () => {
    const res = await gw.app.inject({ method: 'POST', url: '/', ...multipartBody({ text: 'pendek', 'reporter.phone': '12' }) });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/<title>Ada 2 isian yang perlu diperbaiki — Sampaikan aduan/);
    expect(res.body).toContain('<a href="#text">');
    expect(res.body).toContain('<a href="#reporter-phone">');
    expect(res.body).toContain('<form method="post" action="/" enctype="multipart/form-data" novalidate class="card" autocomplete="off" id="complaint-form">');
  });

  it('a successful post leads to a thank-you page (a GET, so Back can show it again) with the ticket and a working status link', async () => {
    const form = multipartBody({ text: 'Ada jukir liar minta uang parkir di depan minimarket', idempotencyKey: `form-${prefix}` });
    const posted = await gw.app.inject({ method: 'POST', url: '/', ...form });
    expect(posted.statusCode).toBe(303);
    const res = await followed(posted);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const ticket = /id="ticket">([^<]+)</.exec(res.body)?.[1];
    const link = /id="status-link" href="([^"]+)"/.exec(res.body)?.[1]?.replace(/&amp;/g, '&');
    expect(ticket).toMatch(/^ADU-/);
    const status = await gw.app.inject({ url: link as string });
    expect(status.statusCode).toBe(200);
    expect(status.body).toContain('Diterima');
    // No phone number given: WhatsApp could not tell this citizen, so it is not offered.
    expect(res.body).not.toContain('id="whatsapp-check"');
    // Nothing in its words of an emergency: no 112 line.
    expect(res.body).not.toContain('id="emergency-now"');
    // A thank-you link that does not hold together (another access code, another ticket, no id) leads to the look-up form.
    const location = posted.headers.location as string;
    const token = /token=([^&]+)/.exec(location)?.[1] as string;
    for (const forged of [location.replace(token, 'AAAA-AAAA-AAAA'), location.replace(/ticket=ADU-[^&]+/, 'ticket=ADU-0000-0000'), location.replace(/id=[^&]+&/, '')]) {
      const page = await gw.app.inject({ url: forged });
      expect([page.statusCode, page.headers.location], forged).toEqual([303, '/status']);
    }
  });

  it('tells a citizen whose words tell of an emergency happening now to call 112, first on the thank-you page', async () => {
    const form = multipartBody({ text: 'Tolong ada kebakaran di gang 3 Sananwetan, apinya sudah besar', idempotencyKey: `form-112-${prefix}` });
    const res = await followed(await gw.app.inject({ method: 'POST', url: '/', ...form }));
    expect(res.statusCode).toBe(200);
    const card = /<div class="card" role="status" id="complaint-received">\n<h1>[^<]+<\/h1>\n(.*?)\n/.exec(res.body)?.[1];
    expect(card).toContain('id="emergency-now"');
    expect(card).toContain('segera telepon <a href="tel:112">112</a>');
    expect(res.body).toMatch(/id="ticket">ADU-/);
  });

  it('with a phone number given, also offers "cek <ticket>" on the city\'s WhatsApp, which answers that number', async () => {
    const form = multipartBody({ text: 'Saluran air di depan SDN Sananwetan 3 mampet, air meluap ke jalan', 'reporter.phone': '0857 0000 2222', idempotencyKey: `form-wa-${prefix}` });
    const res = await followed(await gw.app.inject({ method: 'POST', url: '/', ...form }));
    expect(res.statusCode).toBe(200);
    const ticket = /id="ticket">([^<]+)</.exec(res.body)?.[1] as string;
    const offer = /<p id="whatsapp-check">(.*?)<\/p>/s.exec(res.body)?.[1] ?? '';
    expect(offer).toContain(`kirim <strong>cek ${ticket}</strong> ke`);
    expect(offer).toContain(`href="https://wa.me/6281130001234?text=cek%20${ticket}"`);
    expect(offer).toContain('>0811-3000-1234</a>');
    // What "cek" there starts: the complaint's news in that chat (StatusStore.follow).
    expect(offer).toContain('kabar perkembangannya akan kami kirimkan ke WhatsApp Anda');
    const id = (await gw.deps.status.idForTicket(ticket))!;
    const rec = (await gw.deps.status.get(id))!;
    expect(isSameSender(rec, 'whatsapp', '6285700002222@s.whatsapp.net', '+6285700002222')).toBe(true);

    // The status page offers it too, until that chat follows the complaint; then it says so.
    const token = /id="status-token"[^>]*>([^<]+)</.exec(res.body)?.[1] as string;
    const status = async () => /<p id="whatsapp-follow">(.*?)<\/p>/s.exec((await gw.app.inject({ url: `/status?ticket=${ticket}&token=${token}` })).body)?.[1] ?? '';
    expect(await status()).toContain(`Kirim <strong>cek ${ticket}</strong> ke <a href="https://wa.me/6281130001234?text=cek%20${ticket}"`);
    await gw.deps.status.follow(id, { channel: 'whatsapp', account: '+6281130001234', to: '6285700002222@s.whatsapp.net' });
    expect(await status()).toBe('Kabar perkembangan aduan ini juga kami kirimkan ke WhatsApp Anda.');
    // Without a phone number there is nothing to follow on WhatsApp.
    const anonymous = (await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Trotoar di depan Pasar Legi rusak dan berlubang besar sekali' } })).json<{ ticket: string; statusToken: string }>();
    expect((await gw.app.inject({ url: `/status?ticket=${anonymous.ticket}&token=${anonymous.statusToken}` })).body).not.toContain('whatsapp-follow');
  });
});

describe('operations', () => {
  it('serves OpenAPI generated from the zod schemas', async () => {
    const res = await gw.app.inject({ url: '/openapi.json' });
    const doc = res.json();
    expect(doc.paths['/api/v1/complaints'].post).toBeDefined();
    expect(JSON.stringify(doc)).toContain('statusToken');
    // Every $ref points at a schema the document holds (Swagger UI and client generators follow them).
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(10);
    expect([...new Set(refs)].filter((name) => !doc.components?.schemas?.[name])).toEqual([]);
    expect(doc.components.schemas.ComplaintAccepted.properties.statusToken).toBeDefined();
  });

  it('limits submissions per IP with 429 and Retry-After', async () => {
    const limited = await createTestGateway({ redisUrl: url, prefix: `${prefix}-rl`, logger: mem.logger, env: { RATE_LIMIT_PER_MINUTE: '2' } });
    try {
      const post = () => limited.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Saluran air mampet di gang tiga, banjir kalau hujan' } });
      expect((await post()).statusCode).toBe(202);
      expect((await post()).statusCode).toBe(202);
      const third = await post();
      expect(third.statusCode).toBe(429);
      expect(third.json().error).toBe('rate_limited');
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
      // The web form has the same limit (its own count), told as a page in Bahasa Indonesia, not
      // JSON: the form again, with what was typed (routes/web-form-rate-limit.int.test.ts).
      const postForm = () => limited.app.inject({ method: 'POST', url: '/', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'text=Saluran+air+mampet+di+gang+tiga' });
      expect([(await postForm()).statusCode, (await postForm()).statusCode]).toEqual([303, 303]);
      const form = await postForm();
      expect(form.statusCode).toBe(429);
      expect(form.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(form.body).toMatch(/aduan Anda belum terkirim<\/strong> karena terlalu banyak aduan .* silakan kirim lagi dalam \d+ menit/);
      expect(form.body).toContain('>Saluran air mampet di gang tiga</textarea>');
      expect(Number(form.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await limited.close();
      await deletePrefix(url, `${prefix}-rl`);
    }
  });

  it('behind a proxy on this machine (TRUST_PROXY=true) limits by the address the proxy saw, not the one the client wrote', async () => {
    const limited = await createTestGateway({ redisUrl: url, prefix: `${prefix}-xff`, logger: mem.logger, env: { RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: 'true' } });
    try {
      // nginx's $proxy_add_x_forwarded_for appends the address it saw to what the client sent.
      const post = (claimed: string) => limited.app.inject({ method: 'POST', url: '/api/v1/complaints', headers: { 'x-forwarded-for': `${claimed}, 203.0.113.9` }, payload: { text: 'Saluran air mampet di gang tiga, banjir kalau hujan' } });
      expect([(await post('10.9.9.1')).statusCode, (await post('10.9.9.2')).statusCode, (await post('10.9.9.3')).statusCode]).toEqual([202, 202, 429]);
      // Another client behind the same proxy has its own count.
      const other = await limited.app.inject({ method: 'POST', url: '/api/v1/complaints', headers: { 'x-forwarded-for': '203.0.113.10' }, payload: { text: 'Saluran air mampet di gang tiga, banjir kalau hujan' } });
      expect(other.statusCode).toBe(202);
    } finally {
      await limited.close();
      await deletePrefix(url, `${prefix}-xff`);
    }
  });

  it("warns once when a proxy's X-Forwarded-For is ignored (TRUST_PROXY unset, or not that proxy), naming the proxy and never a client", async () => {
    const send = (gw: Awaited<ReturnType<typeof createTestGateway>>, forwarded?: string) =>
      gw.app.inject({ method: 'POST', url: '/api/v1/complaints', ...(forwarded ? { headers: { 'x-forwarded-for': forwarded } } : {}), payload: { text: 'Saluran air mampet di gang tiga, banjir kalau hujan' } });
    const warnings = (lines: Array<Record<string, unknown>>) => lines.filter((l) => typeof l.msg === 'string' && l.msg.includes('X-Forwarded-For is ignored'));
    for (const trust of ['false', '10.0.0.5']) {
      const log = memoryLogger(`gateway-proxy-${trust}`);
      const gw = await createTestGateway({ redisUrl: url, prefix: `${prefix}-px`, logger: log.logger, env: { TRUST_PROXY: trust } });
      try {
        await send(gw);
        expect(warnings(log.lines)).toEqual([]);
        // app.inject's peer is 127.0.0.1: a proxy on this machine that TRUST_PROXY does not trust.
        for (let i = 0; i < 3; i++) expect((await send(gw, `203.0.113.${i + 1}`)).statusCode).toBe(202);
        expect(warnings(log.lines)).toEqual([expect.objectContaining({ level: 40, proxy: '127.0.0.1', trustProxy: trust })]);
        expect(JSON.stringify(log.lines)).not.toContain('203.0.113.');
      } finally {
        await gw.close();
        await deletePrefix(url, `${prefix}-px`);
      }
    }
    // Trusted: nothing to say, also for a client on the proxy's own machine (a check through it).
    const log = memoryLogger('gateway-proxy-trusted');
    const gw = await createTestGateway({ redisUrl: url, prefix: `${prefix}-px`, logger: log.logger, env: { TRUST_PROXY: 'true' } });
    try {
      expect((await send(gw, '203.0.113.7')).statusCode).toBe(202);
      expect((await send(gw, '127.0.0.1')).statusCode).toBe(202);
      expect(warnings(log.lines)).toEqual([]);
    } finally {
      await gw.close();
      await deletePrefix(url, `${prefix}-px`);
    }
  });

  it('logs no "unhandled error" for a submission whose client is gone before the rate limit reads its address', async () => {
    // Node answers a broken Transfer-Encoding with 400 and closes the socket, while the request
    // still runs its hooks: the rate limit then found no address (req.ip undefined) and threw.
    const log = memoryLogger('gateway-gone');
    const limited = await createTestGateway({ redisUrl: url, prefix: `${prefix}-gone`, logger: log.logger, env: { RATE_LIMIT_PER_MINUTE: '5' } });
    try {
      await limited.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = limited.app.server.address() as AddressInfo;
      for (const path of ['/api/v1/complaints', '/']) {
        const answer = await new Promise<string>((resolve) => {
          let out = '';
          const socket = connect(port, '127.0.0.1');
          socket.on('data', (d) => (out += String(d)));
          socket.on('close', () => resolve(out));
          socket.on('error', () => {});
          socket.write(`POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: xchunked\r\n\r\n{}`);
        });
        expect(answer).toMatch(/^HTTP\/1.1 400 /);
      }
      await new Promise((r) => setTimeout(r, 200));
      expect(log.lines.filter((l) => Number(l.level) >= 50)).toEqual([]);
      // The limit still counts by address.
      const post = () => limited.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Saluran air mampet di gang tiga, banjir kalau hujan' } });
      for (let i = 0; i < 5; i++) expect((await post()).statusCode).toBe(202);
      expect((await post()).statusCode).toBe(429);
    } finally {
      await limited.close();
      await deletePrefix(url, `${prefix}-gone`);
    }
  });

  it('sends every page with its security headers: scripts and framing from this origin only, no referrer elsewhere, no caching', async () => {
    const pages = [
      await gw.app.inject({ url: '/' }),
      await gw.app.inject({ url: '/status' }),
      await gw.app.inject({ url: '/login' }),
      await gw.app.inject({ url: '/no-such-page' }),
      await gw.app.inject({ method: 'POST', url: '/', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'text=' }),
      await gw.app.inject({ url: '/%zz' }),
    ];
    expect(pages.map((p) => p.statusCode)).toEqual([200, 200, 200, 404, 400, 400]);
    for (const page of pages) {
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      const csp = String(page.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("form-action 'self'");
      expect(page.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'same-origin', 'cache-control': 'no-store' });
      // No inline script: the CSP would block it.
      expect(page.body).not.toMatch(/<script(?![^>]*\b(src=|type="application\/json"))/);
    }
    const script = await gw.app.inject({ url: '/form.js' });
    expect([script.statusCode, script.headers['content-type']]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(pages[0]!.body).toContain('<script src="/form.js" defer></script>');
  });

  it("shows each queue's depth and the spool's on /metrics, read when scraped", async () => {
    const own = await createTestGateway({ redisUrl: url, prefix: `${prefix}-metrics`, logger: mem.logger });
    try {
      const metric = async (line: string) => {
        const text = (await own.app.inject({ url: '/metrics' })).body;
        return Number(new RegExp(`^${line.replace(/[{}".]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
      };
      expect(await metric('aduan_queue_jobs{queue="intake",state="waiting"}')).toBe(0);
      // No router here: what is filed waits on intake.
      for (let i = 0; i < 2; i++) {
        const res = await own.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: `Lampu PJU nomor ${i} di Jl. Mawar mati sudah seminggu` } });
        expect(res.statusCode).toBe(202);
      }
      expect(await metric('aduan_queue_jobs{queue="intake",state="waiting"}')).toBe(2);
      expect(await metric('aduan_queue_oldest_waiting_seconds{queue="intake"}')).toBeGreaterThanOrEqual(0);
      // Every OPD of the directory has its queue's series, and the pseudo-OPD "external" too.
      expect(await metric('aduan_queue_jobs{queue="opd.dishub",state="failed"}')).toBe(0);
      expect(await metric('aduan_queue_jobs{queue="opd.external",state="waiting"}')).toBe(0);
      expect(await metric('aduan_gateway_spooled_complaints')).toBe(0);
    } finally {
      await own.close();
      await deletePrefix(url, `${prefix}-metrics`);
    }
  });

  it('readyz reports redis and router', async () => {
    const res = await gw.app.inject({ url: '/readyz' });
    expect(res.json().checks.redis).toBe(true);
    expect(res.json().checks.router).toBe(false);
    expect(res.statusCode).toBe(503);
  });

  it('readyz and /metrics say when the spool cannot be read, rather than counting it empty', async () => {
    const dir = gw.deps.spool.dir;
    expect((await gw.app.inject({ url: '/readyz' })).json().checks.spooled).toBe(0);
    rmSync(dir, { recursive: true, force: true });
    writeFileSync(dir, 'not a directory');
    try {
      const res = await gw.app.inject({ url: '/readyz' });
      expect(res.json().checks).toMatchObject({ redis: true, spooled: null, spoolError: 'ENOTDIR' });
      expect((await gw.app.inject({ url: '/metrics' })).body).toMatch(/^aduan_gateway_spooled_complaints nan$/im);
    } finally {
      rmSync(dir, { force: true });
    }
  });
});
