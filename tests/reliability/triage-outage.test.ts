import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway } from '@aduan/gateway/testing';
import { createRedis, redisAnswers, startLocalRedis, type LocalRedis } from '@aduan/queue';
import { startRouterService } from '@aduan/router';
import { memoryLogger, uniquePrefix, waitFor } from '@aduan/testkit';

/**
 * DESIGN: an admin's triage decision is not lost when the server fails under it. The OPD they
 * chose and the note they typed come back in the same form, to send again with one click, even
 * when Redis (sessions, complaints, everything) is the thing that is down. Uses its own
 * redis-server so it can stop and start it. The real router puts the complaints in triage first,
 * and is closed before Redis stops: an assignment needs no router, and a BullMQ worker closed
 * while it reconnects does not close.
 */
const prefix = uniquePrefix('triage-outage');
const mem = memoryLogger('triage-outage');
const PASSWORD = 'kata-sandi-admin-77';
/** A note as admins type them: quotes, an ampersand, angle brackets, and long. */
const NOTE = `Mohon "segera" <dicek> & diangkut, RT 03/RW 02. ${'Warga sudah mengeluh berkali-kali. '.repeat(40)}`.trim();
let redis: LocalRedis;
let redisDir: string;
let gw: Awaited<ReturnType<typeof createTestGateway>>;
let conn: ReturnType<typeof createRedis>;
const queues = new Map<string, Queue>();
function q(name: string): Queue {
  let queue = queues.get(name);
  if (!queue) {
    queue = new Queue(name, { connection: conn, prefix });
    // Its connection fails while Redis is stopped: not an error of the test.
    queue.on('error', () => {});
    queues.set(name, queue);
  }
  return queue;
}

/** Complaints the router was unsure about, waiting in triage. */
let unsure: { id: string; ticket: string }[];

beforeAll(async () => {
  redisDir = mkdtempSync(join(tmpdir(), 'aduan-triage-outage-redis-'));
  redis = await startLocalRedis({ dir: redisDir });
  conn = createRedis(redis.url, 'worker');
  const router = await startRouterService({ redisUrl: redis.url, prefix, logger: mem.logger });
  try {
    gw = await createTestGateway({ redisUrl: redis.url, prefix, logger: mem.logger });
    await gw.deps.auth.users.add({ username: 'admin', password: PASSWORD, role: 'admin' });
    unsure = [];
    for (const text of [
      'Mohon perhatiannya bapak ibu, sudah lama sekali dibiarkan begitu saja tanpa tindakan',
      'Tolong diperhatikan pak, sudah berbulan-bulan tidak ada yang datang melihat ke sini',
      'Mohon perhatiannya, ini sudah lama sekali dibiarkan begitu saja di gang kami',
    ]) {
      const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text } });
      expect(res.statusCode).toBe(202);
      unsure.push(res.json());
    }
    for (const { id } of unsure) await waitFor(async () => (await q('triage').getJob(id)) ?? null, { what: 'triage job' });
  } finally {
    await router.close();
  }
}, 30_000);
afterAll(async () => {
  await gw?.close();
  for (const queue of queues.values()) await queue.close();
  conn?.disconnect();
  await redis?.stop();
});

/** Starts the stopped Redis again on its port (with its data) and waits until the gateway is back on it. */
async function restartRedis(): Promise<void> {
  if (!(await redisAnswers(redis.url))) redis = await startLocalRedis({ dir: redisDir, port: redis.port });
  await waitFor(async () => (await gw.app.inject({ url: '/readyz' })).json().checks.redis === true, { timeoutMs: 20_000, what: 'gateway reconnected to Redis' });
}

async function login(): Promise<string> {
  const res = await gw.app.inject({ method: 'POST', url: '/api/v1/desk/login', payload: { username: 'admin', password: PASSWORD } });
  expect(res.statusCode).toBe(200);
  return `aduan_session=${res.cookies.find((c) => c.name === 'aduan_session')?.value}`;
}

const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/**
 * What a browser sends when the page's one assignment form is submitted as it is: its action,
 * and its fields (hidden inputs, the selected OPD, the note) as a urlencoded body.
 */
function submitted(page: string): { action: string; body: string; fields: Record<string, string> } {
  const forms = [...page.matchAll(/<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/g)].filter((m) => m[1]!.endsWith('/assign'));
  expect(forms).toHaveLength(1);
  const [, action, inner] = forms[0]!;
  const fields: Record<string, string> = {};
  for (const m of inner!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[m[1]!] = unescape(m[2]!);
  const select = /<select [^>]*name="opd"[^>]*>([\s\S]*?)<\/select>/.exec(inner!)?.[1] ?? '';
  fields.opd = unescape(/<option value="([^"]*)" selected>/.exec(select)?.[1] ?? '');
  const note = /<input type="text"[^>]* name="note"[^>]*>/.exec(inner!)?.[0] ?? '';
  fields.note = unescape(/ value="([^"]*)"/.exec(note)?.[1] ?? '');
  return { action: action!, body: new URLSearchParams(fields).toString(), fields };
}

describe("an admin's assignment when the server fails", () => {
  it('with Redis stopped, answers 503 with the same form (their OPD selected, their note, revision and next), which assigns the complaint once Redis is back', async () => {
    const [{ id, ticket }, following] = unsure as [{ id: string; ticket: string }, { id: string }];
    const admin = await login();
    const form = { cookie: admin, 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:80', host: 'localhost:80' };
    const sent = new URLSearchParams({ revision: '0', next: following.id, opd: 'dlh', note: NOTE }).toString();

    await redis.stop();
    let page;
    try {
      page = await gw.app.inject({ method: 'POST', url: `/admin/triage/${id}/assign`, headers: form, payload: sent });
    } finally {
      await restartRedis();
    }
    expect(page.statusCode).toBe(503);
    expect(page.headers['retry-after']).toMatch(/^\d+$/);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('Aduan belum diteruskan: ');
    // Escaped: the note's quotes and brackets are text in the value, not markup.
    expect(page.body).toContain('value="Mohon &quot;segera&quot; &lt;dicek&gt; &amp; diangkut, RT 03/RW 02.');
    expect(page.body.match(/ selected>/g)).toHaveLength(1);
    const again = submitted(page.body);
    expect(again.action).toBe(`/admin/triage/${id}/assign`);
    expect(again.fields).toEqual({ revision: '0', next: following.id, opd: 'dlh', note: NOTE });
    // The note goes into no log line (only the page).
    expect(mem.text()).not.toContain('RT 03/RW 02');

    // Redis is back (the gateway reconnects on its own): the page's form, sent as it is, assigns it.
    const done = await gw.app.inject({ method: 'POST', url: again.action, headers: form, payload: again.body });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/admin/triage?done=${ticket}&next=${following.id}#diteruskan`);
    // (Its publish may have gone to the spool while the producer's connection was still coming back.)
    const job = await waitFor(async () => (await q('opd.dlh').getJob(`${id}.r1`)) ?? null, { timeoutMs: 20_000, what: 'assigned to dlh' });
    expect(job.data.routing).toMatchObject({ opd: 'dlh', decidedBy: 'admin', revision: 1, note: NOTE });
  }, 60_000);

  it('while Redis refuses writes (full) the session still reads, and the form comes back with 503; an OPD code the list does not offer or a complaint that is not there keep their status (400, 404) and the note', async () => {
    const { id } = unsure[2]!;
    const admin = await login();
    const form = { cookie: admin, 'content-type': 'application/x-www-form-urlencoded' };
    const post = (target: string, body: Record<string, string>) => gw.app.inject({ method: 'POST', url: `/admin/triage/${target}/assign`, headers: form, payload: new URLSearchParams(body).toString() });
    const ops = createRedis(redis.url, 'worker');
    try {
      // Redis at its maxmemory: reads (and the session's refresh) pass, the assignment's lock is refused (OOM).
      await ops.config('SET', 'maxmemory', '1');
      const full = await post(id, { revision: '0', opd: 'dishub', note: 'Parkir liar, cek Jl. Merdeka' });
      expect(full.statusCode).toBe(503);
      expect(full.headers['retry-after']).toMatch(/^\d+$/);
      expect(full.body).toContain('Aduan belum diteruskan: ');
      expect(submitted(full.body).fields).toEqual({ revision: '0', opd: 'dishub', note: 'Parkir liar, cek Jl. Merdeka' });
    } finally {
      await ops.config('SET', 'maxmemory', '0').catch(() => {});
      ops.disconnect();
    }
    // Not an OPD of the list: nothing selected (the browser must not fall back to the first OPD).
    const unknown = await post(id, { revision: '0', opd: 'bukan-dinas', note: 'Catatan saya' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('Aduan belum diteruskan: ');
    expect(unknown.body).toContain('<option value="" selected>— Pilih dinas —</option>');
    expect(unknown.body).not.toContain('bukan-dinas');
    expect(submitted(unknown.body).fields).toEqual({ revision: '0', opd: '', note: 'Catatan saya' });
    // A complaint id no complaint has.
    const missing = await post('01ARZ3NDEKTSV4RRFFQ69G5FAV', { revision: '0', opd: 'dlh', note: 'Catatan lain' });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('Aduan belum diteruskan: ');
    expect(submitted(missing.body).fields).toMatchObject({ opd: 'dlh', note: 'Catatan lain' });
    expect(await q('opd.dishub').getJob(`${id}.r1`)).toBeUndefined();
  }, 60_000);

  it('refuses the form from another site while Redis is away, as when it is up', async () => {
    const admin = await login();
    await redis.stop();
    try {
      const res = await gw.app.inject({ method: 'POST', url: '/admin/triage/01ARZ3NDEKTSV4RRFFQ69G5FAV/assign', headers: { cookie: admin, 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' }, payload: 'opd=dlh&note=csrf' });
      expect(res.statusCode).toBe(403);
      expect(res.body).not.toContain('csrf');
    } finally {
      await restartRedis();
    }
  });
});
