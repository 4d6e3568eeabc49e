import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, multipartBody, PNG_1x1 } from '@aduan/gateway/testing';
import { createRedis, routedCopyKey, StatusStore } from '@aduan/queue';
import { startRouterService, type RouterService } from '@aduan/router';
import { Complaint, Notification, RoutedComplaint } from '@aduan/schema';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { serviceUserOf } from '../support/operator-cli.ts';
import { CITIZEN, dumpPrefix, found, PERSONAL, runErase, spoolText as spoolTextOf, startEraseHeldAt } from '../support/complaint-erase.ts';

/**
 * A citizen's erasure request (UU No. 27/2022): a web complaint filed through the real gateway,
 * routed by the real router, followed on WhatsApp and reported on by its OPD, then erased by the
 * operator's command, run as the service user of a locked Redis.
 */
const url = testRedisUrl();
const prefix = uniquePrefix('erase');
const { logger } = memoryLogger('e2e');
const { name: NAME, email: EMAIL, jid: JID } = CITIZEN;
const OWN_PHOTO = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'photos', 'screenshot-text.png'));
const serviceUser = serviceUserOf(url, prefix, 'erase-test');

let router: RouterService;
let gw: Awaited<ReturnType<typeof createTestGateway>>;
let redis: Redis;
const queues: Queue[] = [];
const queue = (name: string) => {
  const q = new Queue(name, { connection: redis, prefix });
  queues.push(q);
  return q;
};

/** The command's settings: the gateway's, and a locked Redis's service user. */
function eraseEnv() {
  return { REDIS_URL: serviceUser.url, QUEUE_PREFIX: prefix, SPOOL_DIR: join(gw.dir, 'spool'), ATTACHMENT_DIR: join(gw.dir, 'attachments') };
}
const erase = (args: string[]) => runErase(eraseEnv(), args);

const dump = () => dumpPrefix(redis, prefix);
const spoolText = () => spoolTextOf(join(gw.dir, 'spool'));
const photoPath = (sha: string) => join(gw.dir, 'attachments', 'sha256', sha.slice(0, 2), sha);

beforeAll(async () => {
  redis = createRedis(url, 'worker');
  await serviceUser.create(redis);
  router = await startRouterService({ redisUrl: url, prefix, logger });
  gw = await createTestGateway({ redisUrl: url, prefix, logger, routerAlive: router.alive });
});
afterAll(async () => {
  await Promise.all(queues.map((q) => q.close()));
  await gw.close();
  await router.close();
  await serviceUser.remove(redis);
  await deletePrefix(url, prefix);
  redis.disconnect();
});

describe('complaint:erase', () => {
  it('erases the citizen everywhere Aduan holds them, dry run first, then once; the status page keeps working', async () => {
    const form = multipartBody(
      { text: `Saya ${NAME}, jukir liar di depan Pasar Legi minta parkir 5 ribu tanpa karcis. Hubungi saya 0812-3456-7890`, 'location.kelurahan': 'Kepanjenlor', 'reporter.name': NAME, 'reporter.phone': '081234567890', 'reporter.email': EMAIL },
      [{ name: 'photos', filename: 'jukir.png', type: 'image/png', data: PNG_1x1 }, { name: 'photos', filename: 'budi-santoso.png', type: 'image/png', data: OWN_PHOTO }],
    );
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', headers: { ...form.headers, 'idempotency-key': 'erase-test-key-1' }, payload: form.payload });
    expect(res.statusCode).toBe(202);
    const { id, ticket, statusToken } = res.json() as { id: string; ticket: string; statusToken: string };
    // Another citizen's complaint with the same photo: that file must stay.
    const other = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', ...multipartBody({ text: 'Jukir liar juga di Jl. Merdeka, parkir 5 ribu', 'reporter.name': 'Siti Aminah' }, [{ name: 'photos', filename: 'a.png', type: 'image/png', data: PNG_1x1 }]) });
    expect(other.statusCode).toBe(202);
    await waitFor(async () => (await queue('opd.dishub').getJob(id)) ?? null, { what: 'opd.dishub job' });

    // The citizen follows it on WhatsApp (`cek <ticket>`), their OPD reports, naming them; the router tells them.
    expect(await new StatusStore(redis, prefix).follow(id, { channel: 'whatsapp', account: '6281111111111', to: JID })).toBe('followed');
    await queue('status').add('status', { schemaVersion: 1, complaintId: id, opd: 'dishub', state: 'in_progress', message: `Pak ${NAME}, petugas menuju lokasi`, at: new Date().toISOString(), updateId: 'dishub-erase-1' }, { jobId: 'dishub-erase-1' });
    const notice = await waitFor(async () => (await queue('notify.whatsapp').getJobs(['waiting', 'prioritized', 'completed', 'failed'])).find((j) => j.data.complaintId === id && j.data.kind === 'status') ?? null, { what: 'status notice' });
    // What the chat adapters remember of the sender (ConversationStore.rememberAck / rememberTicket).
    await redis.set(`${prefix}:conv:acked:whatsapp:6281111111111:abc`, `${Date.now()}:${ticket}`);
    await redis.lpush(`${prefix}:conv:tickets:whatsapp:6281111111111:abc`, 'ADU-AAAA-BBBB', ticket);
    // A spooled copy the drain set aside (quarantine.bad), as a gateway leaves it.
    const intakeJob = await queue('intake').getJob(id);
    appendFileSync(join(gw.dir, 'spool', 'quarantine.bad'), `${JSON.stringify({ queue: 'intake', jobId: id, data: intakeJob?.data, spooledAt: new Date().toISOString() })}\n`);
    const desk = await waitFor(() => redis.get(`${prefix}:desk:entry:${id}`), { what: 'desk entry' });
    expect(found(desk)).not.toEqual([]);

    const before = await dump();
    expect(found(JSON.stringify(before))).toEqual(PERSONAL);
    expect(found(spoolText())).not.toEqual([]);
    // Stored without their metadata: the files are named by the stored bytes' hash, which the jobs carry.
    const photos = (intakeJob?.data as Complaint).attachments.map((a) => a.sha256);
    const shared = (await queue('intake').getJob(other.json<{ id: string }>().id))!.data.attachments[0].sha256 as string;
    const own = photos.find((s) => s !== shared)!;
    expect(photos).toContain(shared);
    expect(existsSync(photoPath(own)) && existsSync(photoPath(shared))).toBe(true);

    const dry = await erase([ticket.toLowerCase(), '--photos']);
    expect(dry.err).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('Dry run: nothing was changed');
    expect(dry.out).toMatch(/\n\s+1 {2}photo files/);
    expect(dry.out).toMatch(/dishub\tDinas Perhubungan/);
    expect(found(dry.out)).toEqual([]);
    expect(await dump()).toEqual(before);
    expect(existsSync(photoPath(own))).toBe(true);

    const run = await erase([ticket, '--photos', '--yes']);
    expect(run.code).toBe(0);
    expect(run.out).toContain(`Erased the citizen's personal data of complaint ${ticket}`);
    const logLine = JSON.parse(run.err.trim()) as { event: string; complaintId: string; counts: Record<string, number> };
    expect(logLine).toMatchObject({ event: 'complaint_erased', complaintId: id });
    expect(logLine.counts).toMatchObject({ jobs_intake: 1, jobs_opd: 1, jobs_status: 1, jobs_notify: expect.any(Number), idempotency_claim: 1, desk_entry: 1, chat_memory: 2, spool_records: 1, photos: 1, status_history: 1, routed_copy: 1 });
    expect(logLine.counts.jobs_routed).toBeGreaterThanOrEqual(1);
    expect(found(run.out + run.err)).toEqual([]);

    const after = await dump();
    expect(found(JSON.stringify(after))).toEqual([]);
    expect(found(spoolText())).toEqual([]);
    expect(JSON.stringify(after)).toContain('Siti Aminah');
    expect(after[`${prefix}:complaint:${id}`]).not.toHaveProperty('phoneHash');
    expect(after[`${prefix}:complaint:${id}`]).not.toHaveProperty('replyTo');
    expect(after[`${prefix}:conv:tickets:whatsapp:6281111111111:abc`]).toEqual(['ADU-AAAA-BBBB']);
    // The jobs are still what their queue's contract says, and still there (a retry files nothing twice).
    expect(Complaint.parse((await queue('intake').getJob(id))?.data).reporter).toEqual({ anonymous: true, confidential: true });
    expect(RoutedComplaint.parse((await queue('opd.dishub').getJob(id))?.data).text).toContain('[disembunyikan]');
    const sent = await queue('notify.whatsapp').getJob(notice.id!);
    if (sent) expect(Notification.parse(sent.data).to).toBe('[dihapus]');
    expect(existsSync(photoPath(own))).toBe(false);
    expect(existsSync(photoPath(shared))).toBe(true);

    const api = await gw.app.inject({ url: `/api/v1/complaints/${ticket}`, headers: { authorization: `Bearer ${statusToken}` } });
    expect(api.statusCode).toBe(200);
    expect(api.json()).toMatchObject({ ticket, state: 'in_progress', opd: { code: 'dishub' } });
    expect(found(api.body)).toEqual([]);
    const page = await gw.app.inject({ url: `/status?ticket=${ticket}&token=${statusToken}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(ticket);
    expect(found(page.body)).toEqual([]);

    const again = await erase([ticket, '--photos', '--yes']);
    expect(again.code).toBe(0);
    expect(again.out).toContain('Nothing left to erase: erased before, at');
    expect(JSON.parse(again.err.trim()).counts).toEqual(Object.fromEntries(Object.keys(logLine.counts).map((k) => [k, 0])));
    expect(await dump()).toEqual(after);
  });

  it("erases them from a note an OPD returned the complaint with, and from the desk's place and words", async () => {
    const form = multipartBody({ text: 'Jukir liar minta parkir 5 ribu tanpa karcis tiap sore', 'location.kelurahan': 'Kepanjenlor', 'location.description': `Depan rumah ${NAME}, Jl. Mawar 3`, 'reporter.name': NAME, 'reporter.phone': '081234567890' }, []);
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', ...form });
    expect(res.statusCode).toBe(202);
    const { id, ticket } = res.json() as { id: string; ticket: string };
    await waitFor(async () => (await queue('opd.dishub').getJob(id)) ?? null, { what: 'opd.dishub job' });
    // "Bukan kewenangan kami": the OPD's note goes to the admin with the return (routing.note).
    await queue('status').add('status', { schemaVersion: 1, complaintId: id, opd: 'dishub', state: 'returned', message: `Bukan kewenangan kami, Pak ${NAME} sudah kami arahkan ke kelurahan`, at: new Date().toISOString(), updateId: 'dishub-return-1' }, { jobId: 'dishub-return-1' });
    await waitFor(async () => (await queue('triage').getJobs(['waiting', 'completed', 'failed'])).find((j) => j.data.id === id && j.data.routing.note) ?? null, { what: 'the return in triage' });
    const desk = await waitFor(() => redis.get(`${prefix}:desk:entry:${id}`), { what: 'desk entry' });
    expect(found(desk)).not.toEqual([]);

    const run = await erase([ticket, '--yes']);
    expect(run.code).toBe(0);
    expect(found(JSON.stringify(await dump()))).toEqual([]);
    const words = (JSON.parse((await redis.get(`${prefix}:desk:entry:${id}`))!) as { words: string[] }).words;
    expect(words).not.toContain('budi');
    expect(words).not.toContain('santoso');
    // The rest of what the desk matches duplicates on stays.
    expect(words).toContain('jukir');
    expect(words).toContain('mawar');
  });

  it("erases them from an open complaint routed long ago, whose routed copy alone still holds its words, keeping those for its OPD", async () => {
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: `Saya ${NAME}, jukir liar di depan Pasar Legi minta parkir 5 ribu, hubungi 0812-3456-7890`, reporter: { name: NAME, phone: '081234567890', email: EMAIL } } });
    expect(res.statusCode).toBe(202);
    const { id, ticket } = res.json() as { id: string; ticket: string };
    await waitFor(async () => (await queue('opd.dishub').getJob(id)) ?? null, { what: 'opd.dishub job' });
    // Routed two months ago: the queues keep its jobs 7 to 30 days.
    for (const name of ['intake', 'routed', 'opd.dishub']) await (await queue(name).getJob(id))?.remove();
    const key = routedCopyKey(prefix, id);
    expect(found((await redis.get(key))!)).toEqual(PERSONAL);

    const dry = await erase([ticket]);
    expect(dry.out).toMatch(/\n\s+1 {2}routed copy/);
    expect(dry.out).toMatch(/dishub\tDinas Perhubungan/);
    const run = await erase([ticket, '--yes']);
    expect(run.code, run.err).toBe(0);
    expect(JSON.parse(run.err.trim()).counts).toMatchObject({ routed_copy: 1 });
    expect(found(JSON.stringify(await dump()))).toEqual([]);
    const copy = RoutedComplaint.parse(JSON.parse((await redis.get(key))!));
    expect(copy.reporter).toEqual({ anonymous: true, confidential: true });
    expect(copy.text).toContain('jukir liar di depan Pasar Legi');
    expect(copy.routing.opd).toBe('dishub');
    // Still open: still kept, as long as its record.
    expect(await redis.ttl(key)).toBeGreaterThan(30 * 86_400);
    expect(JSON.parse((await erase([ticket, '--yes'])).err.trim()).counts).toMatchObject({ routed_copy: 0 });
  });

  it("refuses a SPOOL_DIR that is not the gateway's, and names photos not in ATTACHMENT_DIR (the relative defaults taken from another directory)", async () => {
    const form = multipartBody({ text: 'Jukir liar di depan Pasar Legi', 'location.kelurahan': 'Kepanjenlor', 'reporter.name': NAME }, [{ name: 'photos', filename: 'a.jpg', type: 'image/jpeg', data: readFileSync(join(import.meta.dirname, '..', 'fixtures', 'photos', 'phone-orientation6.jpg')) }]);
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', ...form });
    expect(res.statusCode).toBe(202);
    const { ticket } = res.json() as { ticket: string };
    const env = eraseEnv();

    const noSpool = await runErase({ ...env, SPOOL_DIR: join(gw.dir, 'no-such-spool') }, [ticket, '--yes']);
    expect(noSpool.code).toBe(78);
    expect(noSpool.err).toContain(`error (no_spool_dir): SPOOL_DIR ${join(gw.dir, 'no-such-spool')} does not exist`);
    expect(noSpool.out).toBe('');

    const otherPhotos = await runErase({ ...env, ATTACHMENT_DIR: join(gw.dir, 'spool') }, [ticket, '--photos']);
    expect(otherPhotos.code).toBe(0);
    expect(otherPhotos.out).toContain(`1 photo file(s) of the complaint are not in ATTACHMENT_DIR (${join(gw.dir, 'spool')})`);
  });

  it('erases a copy the router published while it ran, and names that OPD (one more sweep after the jobs it listed)', async () => {
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: `Saya ${NAME}, sampah menumpuk di TPS Jl. Kalimantan sudah seminggu`, reporter: { name: NAME, email: EMAIL } } });
    expect(res.statusCode).toBe(202);
    const { id, ticket } = res.json() as { id: string; ticket: string };
    const routed = await waitFor(async () => (await queue('routed').getJobs(['completed', 'waiting'])).find((j) => j.data.id === id) ?? null, { what: 'the routing decision' });
    // The command is held once it has listed the complaint's jobs (its next step reads the status history).
    const history = `${prefix}:complaint:${id}:history`;
    const { child, done } = await startEraseHeldAt(redis, eraseEnv(), [ticket, '--yes'], (c) => c[0]?.toLowerCase() === 'lrange' && c[1] === history);
    // Meanwhile the router publishes the complaint again (a re-assignment read before it was erased), with its reporter.
    const copy = queue('opd.satpolpp');
    await copy.add('routed', { ...routed.data, routing: { ...routed.data.routing, opd: 'satpolpp', opdName: 'Satuan Polisi Pamong Praja' } }, { jobId: `${id}.r7` });
    child.kill('SIGCONT');
    const run = await done;
    expect(run.code, run.err).toBe(0);
    const late = await copy.getJob(`${id}.r7`);
    expect(found(JSON.stringify(late!.data))).toEqual([]);
    expect(RoutedComplaint.safeParse(late!.data).success).toBe(true);
    expect(run.out).toMatch(/satpolpp\tSatuan Polisi Pamong Praja/);
  });

  it('refuses an unknown ticket, changing nothing, and bad usage', async () => {
    const unknown = await erase(['ADU-ZZZZ-ZZZZ', '--yes']);
    expect(unknown.code).toBe(3);
    expect(unknown.err).toContain('error (unknown_ticket): no complaint has the ticket "ADU-ZZZZ-ZZZZ"');
    expect(unknown.out).toBe('');
    expect((await erase([])).code).toBe(2);
    expect((await erase(['ADU-ZZZZ-ZZZZ', 'extra'])).code).toBe(2);
  });
});
