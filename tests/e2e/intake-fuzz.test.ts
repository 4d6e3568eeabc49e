import { Queue } from 'bullmq';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, multipartBody, PNG_1x1 } from '@aduan/gateway/testing';
import { createRedis } from '@aduan/queue';
import { startRouterService, type RouterService } from '@aduan/router';
import { loadDirectory } from '@aduan/routing/directory';
import { Complaint, RoutedComplaint } from '@aduan/schema';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';

/**
 * Properties of the intake under generated input (fast-check), against the real gateway, router
 * and Redis:
 * - the JSON API, the web form, the radio desk and multipart posts answer 202 or a clear 4xx,
 *   never a 5xx; what they acknowledge is on `intake` and matches the queue contract;
 * - a valid complaint written the ways people write (case, spaces, local phone formats) is
 *   accepted; one with a single field changed or removed is either accepted or refused for that
 *   field (a lone `location.lat`, the 500 of session 6, fails this at once);
 * - status look-ups with any ticket and token never fail and reveal nothing; linking a radio
 *   caller to any ticket and assigning any id from triage never fail;
 * - every acknowledged complaint reaches `routed` through the real router.
 * A failure prints the counterexample and the seed to replay it (fc.assert's `seed`, `path`).
 * FUZZ_RUNS raises the number of generated requests (default 150 per property).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const url = testRedisUrl();
const prefix = uniquePrefix('fuzz');
const { logger } = memoryLogger('fuzz');
let router: RouterService;
let gw: Awaited<ReturnType<typeof createTestGateway>>;
let routed: Queue;
let intake: Queue;
const accepted = new Set<string>();
const PASSWORD = 'kata-sandi-rahasia-1';
let deskCookie: string;
let adminCookie: string;

beforeAll(async () => {
  router = await startRouterService({ redisUrl: url, prefix, logger });
  gw = await createTestGateway({ redisUrl: url, prefix, logger, routerAlive: router.alive });
  routed = new Queue('routed', { connection: createRedis(url, 'worker'), prefix });
  intake = new Queue('intake', { connection: createRedis(url, 'worker'), prefix });
  await gw.deps.auth.users.add({ username: 'operator', password: PASSWORD, role: 'operator', station: 'Radio Patria FM' });
  await gw.deps.auth.users.add({ username: 'admin', password: PASSWORD, role: 'admin' });
  deskCookie = await login('operator');
  adminCookie = await login('admin');
});

async function login(username: string): Promise<string> {
  const res = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', headers: { 'content-type': 'application/json' }, payload: { username, password: PASSWORD } });
  return `aduan_session=${res.cookies.find((c) => c.name === 'aduan_session')?.value}`;
}
afterAll(async () => {
  await routed.close();
  await intake.close();
  await gw.close();
  await router.close();
  await deletePrefix(url, prefix);
});

const directory = loadDirectory();
const places = directory.kecamatan.flatMap((k) => k.kelurahan.map((l) => ({ kelurahan: l.name, kecamatan: k.name })));

/** Strings that break naive code. */
const nasty = fc.constantFrom('', ' ', '\t\n ', '\u200b'.repeat(12), '\u0000'.repeat(11), 'a'.repeat(5001), '\ud800 lone surrogate \udfff', '<script>alert(1)</script> lampu mati', '٣٤', ' 1e3 ', '-0', 'NaN', 'Infinity', '0x10', '__proto__', 'on', 'true');
const anyText = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 }), nasty);
const anyValue: fc.Arbitrary<unknown> = fc.oneof(anyText, fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string({ maxLength: 5 }), { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }));
/** The same value as a citizen might type it: other case, stray spaces. */
const typed = (v: string) => fc.constantFrom(v, v.toLowerCase(), v.toUpperCase(), ` ${v} `);

/**
 * A complaint the documentation says is valid, written in the ways people write: whitespace and
 * emoji around the text, names in any case, phone numbers in every local format, a padded
 * e-mail, form flags ("on"), a position or none. Every one of these must be accepted.
 */
const plausible = fc.record(
  {
    text: fc.tuple(fc.constantFrom('', '  ', '\n', '🙏 ', 'Pak, '), fc.constantFrom('Lampu PJU di Jl. Merdeka mati sudah seminggu', 'Jukir liar di depan Pasar Legi minta parkir 5 ribu', 'Sampah menumpuk di pinggir jalan dekat Stasiun Blitar', 'Jalan berlubang besar, bahaya untuk motor'), fc.constantFrom('', ' ', '!!', ' 🙏\n', ' <b>tolong</b>')).map((p) => p.join('')),
    category: fc.constantFrom(...directory.categories.map((c) => c.code)),
    location: fc.tuple(fc.constantFrom(...places), fc.boolean(), fc.boolean(), fc.option(fc.record({ lat: fc.double({ min: -90, max: 90, noNaN: true }), lon: fc.double({ min: -180, max: 180, noNaN: true }) }), { nil: undefined })).chain(([place, withKecamatan, withDescription, pos]) =>
      fc.record({ kelurahan: typed(place.kelurahan), kecamatan: withKecamatan ? typed(place.kecamatan) : fc.constant(undefined), description: fc.constant(withDescription ? 'depan gang sebelah masjid' : undefined) }).map((l) => ({ ...l, ...pos })),
    ),
    reporter: fc.record(
      {
        name: fc.constantFrom('Siti Rahayu', ' budi ', 'Ni Luh Putu Ayu'),
        phone: fc.constantFrom('0812-3456-7890', '+6281234567890', '62812345678', '0812 3456 7890 ', '(0342) 801234'),
        email: fc.constantFrom('siti@contoh.id', 'Budi.Santoso@Contoh.co.id', ' siti@contoh.id '),
        anonymous: fc.constantFrom(true, false, 'on'),
        confidential: fc.constantFrom(true, false, 'on'),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['text'] },
);

/** Anything at all in any field, and bodies that are not objects. */
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: arb }, { weight: 1, arbitrary: anyValue });
const coordinate = (max: number) => fc.oneof(fc.double({ min: -max * 2, max: max * 2 }), fc.constantFrom('-8.1', ' 112.16 ', '', ' ', 'abc', '1,5'), anyValue);
const hostile = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record(
      {
        text: maybe(fc.oneof(fc.lorem({ maxCount: 40 }), anyText)),
        category: anyValue,
        location: maybe(fc.record({ description: anyValue, kelurahan: maybe(fc.constantFrom('Kepanjenlor', 'Atlantis', 'kec. sukorejo')), kecamatan: maybe(fc.constantFrom('Sananwetan', 'Kecamatan Lain')), lat: coordinate(90), lon: coordinate(180) }, { requiredKeys: [] })),
        reporter: maybe(fc.record({ name: anyValue, phone: maybe(fc.constantFrom('12345', '+1 (555) 010-9999', '0812')), email: maybe(fc.constantFrom('bukan-email', 'a@b')), anonymous: anyValue, confidential: anyValue, contactConsent: anyValue }, { requiredKeys: [] })),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.anything() },
);
/** Where a single mutation lands (deleting `location.lon` leaves a lone latitude, and so on). */
const PATHS = ['text', 'category', 'location', 'location.kelurahan', 'location.kecamatan', 'location.description', 'location.lat', 'location.lon', 'reporter', 'reporter.name', 'reporter.phone', 'reporter.email', 'reporter.anonymous', 'reporter.confidential', 'reporter.contactConsent'];
function mutate(b: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(b);
  const [head, leaf] = path.split('.') as [string, string | undefined];
  if (!leaf) {
    if (value === undefined) delete copy[head];
    else copy[head] = value;
    return copy;
  }
  const parent = (copy[head] ??= {}) as Record<string, unknown>;
  if (value === undefined) delete parent[leaf];
  else parent[leaf] = value;
  return copy;
}
/** A valid complaint with one field changed to anything, or removed. */
const mutated = fc.tuple(plausible, fc.constantFrom(...PATHS), fc.oneof(fc.constant(undefined), anyValue)).map(([b, path, value]) => ({ path, b: mutate(b, path, value) }));

const body = fc.oneof(
  { weight: 2, arbitrary: plausible.map((b) => ({ plausible: true, b, path: undefined })) },
  { weight: 3, arbitrary: mutated.map(({ path, b }) => ({ plausible: false, b, path })) },
  { weight: 1, arbitrary: hostile.map((b) => ({ plausible: false, b, path: undefined })) },
);

/** The form's dotted field names (`location.kelurahan`), every value a string, as a browser sends. */
function flatten(value: unknown, path = '', out: Record<string, string> = {}): Record<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, path ? `${path}.${k}` : k, out);
  } else if (path && value !== undefined) out[path] = String(value);
  return out;
}

function expectClearAnswer(status: number, payload: string) {
  expect(status, payload).toBeLessThan(500);
  expect([202, 400, 413, 415, 422], payload).toContain(status);
}

describe('web intake under arbitrary input', () => {
  it('the JSON API answers 202 or a 4xx with stable field codes, and queues only contract-valid complaints', async () => {
    await fc.assert(
      fc.asyncProperty(body, async ({ plausible, b, path }) => {
        const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(b) ?? 'null' });
        expectClearAnswer(res.statusCode, res.payload);
        if (plausible) expect(res.statusCode, res.payload).toBe(202);
        // One field changed: any error is about that field (or its neighbours in the same object).
        if (path && res.statusCode === 400) for (const f of Object.keys((res.json() as { fields?: object }).fields ?? {})) expect(f.split('.')[0], res.payload).toBe(path.split('.')[0]);
        const answer = res.json() as { id?: string; error?: string; fields?: Record<string, { code: string; message: string }> };
        if (res.statusCode === 202) {
          const job = await intake.getJob(answer.id as string);
          expect(Complaint.safeParse(job?.data).success).toBe(true);
          accepted.add(answer.id as string);
        } else {
          expect(answer.error).toMatch(/^[a-z_]+$/);
          for (const f of Object.values(answer.fields ?? {})) expect(f.code).toMatch(/^[a-z_]+$/);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('the web form answers with its thank-you page (a redirect to it) or a page of field errors, never a server error', async () => {
    await fc.assert(
      fc.asyncProperty(body, async ({ plausible, b }) => {
        const form = new URLSearchParams(flatten(b)).toString();
        const res = await gw.app.inject({ method: 'POST', url: '/', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form });
        expect(res.statusCode, form).toBeLessThan(500);
        if (plausible) expect(res.statusCode, form).toBe(303);
        if (res.statusCode === 303) {
          // Accepted: on to its thank-you page, which shows the ticket.
          const thanks = await gw.app.inject({ url: res.headers.location as string });
          expect(thanks.payload, form).toMatch(/ADU-[0-9A-Z]{4}-[0-9A-Z]{4}/);
          return;
        }
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        // Values echoed back into the form (after an error) are escaped.
        expect(res.payload).not.toContain('<script>alert(1)');
      }),
      // Always also: markup in the text, echoed back because another field is wrong.
      { numRuns: RUNS, examples: [[{ plausible: false, b: { text: '<script>alert(1)</script> lampu mati', category: 'tidak-ada' }, path: undefined }]] },
    );
  });

  it('the web form takes what a browser sends: JSON is refused (415), queued nowhere; a field sent twice is read once', async () => {
    // Valid for the API, but its phone number is no string where the page reads one back.
    const jsonText = 'Pompa air di rusunawa mati sejak minggu lalu';
    const json = await gw.app.inject({ method: 'POST', url: '/', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ 'reporter.phone': 5, text: jsonText, reporter: { phone: '0812 3456 7890' } }) });
    expect(json.statusCode).toBe(415);
    // Queued nowhere (the router may already have taken any job: every state is looked at).
    const all = await intake.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed']);
    expect(all.filter((j) => j.data.text === jsonText)).toEqual([]);
    const twice = await gw.app.inject({ method: 'POST', url: '/', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'text=Lampu+jalan+di+depan+pasar+mati+sejak+minggu+lalu&reporter.phone=0812+3456+7890&reporter.phone=x&idempotencyKey=a&idempotencyKey=b' });
    expect(twice.statusCode).toBe(303);
    const ticket = /ADU-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec(decodeURIComponent(twice.headers.location as string))?.[0];
    const id = await gw.deps.status.idForTicket(ticket!);
    const job = await intake.getJob(id!);
    expect(job?.data.reporter.phone).toBe('+6281234567890');
    accepted.add(id!);
  });

  it('the radio desk answers 202 or a 4xx for any call-in, and queues only contract-valid complaints', async () => {
    const callIn = body.chain(({ plausible, b }) =>
      fc.record({ program: plausible ? fc.constantFrom('Halo Blitar Pagi', ' Suara Warga ') : anyValue, callTime: plausible ? fc.constantFrom(undefined, new Date(Date.now() - 60_000).toISOString()) : fc.oneof(fc.constant(undefined), anyValue) }).map((extra) => ({ plausible, b: b !== null && typeof b === 'object' && !Array.isArray(b) ? { ...b, ...extra } : b })),
    );
    await fc.assert(
      fc.asyncProperty(callIn, async ({ plausible, b }) => {
        const res = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/complaints', headers: { cookie: deskCookie, 'content-type': 'application/json' }, payload: JSON.stringify(b) ?? 'null' });
        expectClearAnswer(res.statusCode, res.payload);
        if (plausible) expect(res.statusCode, res.payload).toBe(202);
        if (res.statusCode === 202) {
          const { id } = res.json() as { id: string };
          const job = await intake.getJob(id);
          expect(Complaint.safeParse(job?.data).success).toBe(true);
          accepted.add(id);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('multipart posts with arbitrary files get 202, 400, 413 or 415, and only images are kept', async () => {
    const file = fc.record({
      name: fc.constantFrom('photos', 'photos', 'foto', 'text'),
      filename: fc.oneof(fc.constantFrom('foto.png', 'IMG_0001.JPG', '', 'a'.repeat(400) + '.png', '../../etc/passwd', 'foto.exe'), fc.string({ maxLength: 20 }).map((n) => n.replace(/["\r\n\\]/g, ''))),
      type: fc.constantFrom('image/png', 'application/octet-stream', 'text/plain', 'image/jpeg'),
      data: fc.oneof(fc.constant(PNG_1x1), fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)), fc.constant(Buffer.alloc(0)), fc.constant(Buffer.concat([PNG_1x1.subarray(0, 16)]))),
    });
    await fc.assert(
      fc.asyncProperty(body, fc.array(file, { maxLength: 7 }), async ({ b }, files) => {
        const form = multipartBody(flatten(b), files);
        const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', ...form });
        expectClearAnswer(res.statusCode, res.payload);
        if (res.statusCode === 202) {
          const job = await intake.getJob((res.json() as { id: string }).id);
          const complaint = Complaint.parse(job?.data);
          expect(complaint.attachments.every((a) => a.kind === 'image' && a.mimeType.startsWith('image/'))).toBe(true);
          accepted.add(complaint.id);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('status look-ups with any ticket and token reveal nothing and never fail', async () => {
    const ticket = fc.oneof(fc.constantFrom('ADU-0000-0000', 'adu-7k3m-9q2x', 'ADU-7K3M-9Q2X'), anyText);
    const token = fc.oneof(fc.constant(undefined), anyText);
    const enc = (v: string) => encodeURIComponent(v.toWellFormed());
    await fc.assert(
      fc.asyncProperty(ticket, token, async (t, k) => {
        const api = await gw.app.inject({ url: `/api/v1/complaints/${enc(t)}${k === undefined ? '' : `?token=${enc(k)}`}` });
        expect([400, 401, 404, 414], api.payload).toContain(api.statusCode);
        expect((api.json() as { error: string }).error).toMatch(/^[a-z_]+$/);
        const page = await gw.app.inject({ url: `/status?ticket=${enc(t)}${k === undefined ? '' : `&token=${enc(k)}`}` });
        expect(page.statusCode, page.payload).toBeLessThan(500);
        expect(page.payload).not.toContain('Diterima, menunggu');
      }),
      { numRuns: RUNS },
    );
    // Percent-encoding that does not decode: the same error body as any other client error.
    const broken = await gw.app.inject({ url: '/api/v1/complaints/%E0%A4%A' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({ error: 'invalid_url' });
  });

  it('linking a caller to a ticket and assigning from triage take any input without a server error', async () => {
    const tickets = [...accepted].slice(0, 5);
    const known = await Promise.all(tickets.map(async (id) => ((await intake.getJob(id))?.data as { ticket: string }).ticket));
    const ticket = fc.oneof(fc.constantFrom(...known, 'ADU-0000-0000'), anyText.map((t) => t.toWellFormed().slice(0, 40)));
    await fc.assert(
      fc.asyncProperty(ticket, fc.record({ program: maybe(fc.constant('Halo Blitar Pagi')), callTime: fc.oneof(fc.constant(undefined), anyValue) }, { requiredKeys: [] }), async (t, b) => {
        const res = await gw.app.inject({ method: 'POST', url: `/api/v1/desk/complaints/${encodeURIComponent(t)}/supporters`, headers: { cookie: deskCookie, 'content-type': 'application/json' }, payload: JSON.stringify(b) });
        expect([200, 400, 404], res.payload).toContain(res.statusCode);
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
    const id = fc.oneof(fc.constantFrom(...tickets, '01AAAAAAAAAAAAAAAAAAAAAAAA'), anyText.map((t) => t.toWellFormed().slice(0, 40)));
    await fc.assert(
      fc.asyncProperty(id, fc.record({ opd: maybe(fc.constantFrom('dishub', 'dlh', 'bukan-opd')), note: anyValue }, { requiredKeys: [] }), async (i, form) => {
        const res = await gw.app.inject({ method: 'POST', url: `/admin/triage/${encodeURIComponent(i)}/assign`, headers: { cookie: adminCookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(flatten(form)).toString() });
        expect(res.statusCode, res.payload).toBeLessThan(500);
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });

  it('every complaint acknowledged above is routed', async () => {
    // The generator is meant to reach the router often, not only the validator.
    expect(accepted.size).toBeGreaterThan(RUNS / 3);
    for (const id of accepted) {
      const job = await waitFor(async () => (await routed.getJob(id)) ?? null, { what: `routed job for ${id}` });
      expect(RoutedComplaint.safeParse(job.data).success).toBe(true);
    }
    expect(await intake.getFailedCount()).toBe(0);
  });
});
