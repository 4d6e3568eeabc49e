import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue, QueueNames, createRedis } from '@aduan/queue';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { createTestGateway } from '../testing/harness.ts';
import { OpdDigest, digestText, dueDigest, weekday } from './digest.ts';

/** A moment given in WIB (UTC+7), as people in Blitar read it. */
const wib = (local: string) => Date.parse(`${local}+07:00`);

describe('OPD inbox digest: when, and in what words', () => {
  const times = ['07:30', '13:00'];
  it('is due from its time for three hours, on working days only, the latest time passed first', () => {
    // Monday 7 Dec 2026.
    expect(dueDigest(times, wib('2026-12-07T07:29:00'), weekday)).toBeNull();
    expect(dueDigest(times, wib('2026-12-07T07:30:00'), weekday)).toBe(wib('2026-12-07T07:30:00'));
    expect(dueDigest(times, wib('2026-12-07T10:29:00'), weekday)).toBe(wib('2026-12-07T07:30:00'));
    expect(dueDigest(times, wib('2026-12-07T10:31:00'), weekday)).toBeNull();
    expect(dueDigest(times, wib('2026-12-07T13:05:00'), weekday)).toBe(wib('2026-12-07T13:00:00'));
    // Saturday 5 Dec, and a holiday.
    expect(dueDigest(times, wib('2026-12-05T07:31:00'), weekday)).toBeNull();
    expect(dueDigest(times, wib('2026-12-07T07:31:00'), () => false)).toBeNull();
    // 00:30 WIB is still the evening before in UTC: the day is Blitar's.
    expect(dueDigest(['00:15'], wib('2026-12-07T00:30:00'), weekday)).toBe(wib('2026-12-07T00:15:00'));
  });

  it('keeps a late evening time due for its three hours past midnight, by the working day it belongs to', () => {
    // Monday 7 Dec 22:30: due until 01:29 on Tuesday, as 07:30 is until 10:29.
    expect(dueDigest(['22:30'], wib('2026-12-07T23:59:00'), weekday)).toBe(wib('2026-12-07T22:30:00'));
    expect(dueDigest(['22:30'], wib('2026-12-08T00:00:00'), weekday)).toBe(wib('2026-12-07T22:30:00'));
    expect(dueDigest(['22:30'], wib('2026-12-08T01:29:00'), weekday)).toBe(wib('2026-12-07T22:30:00'));
    expect(dueDigest(['22:30'], wib('2026-12-08T01:31:00'), weekday)).toBeNull();
    // Friday's into Saturday; none of Sunday's into Monday; the latest time passed first.
    expect(dueDigest(['22:30'], wib('2026-12-05T00:30:00'), weekday)).toBe(wib('2026-12-04T22:30:00'));
    expect(dueDigest(['22:30'], wib('2026-12-07T00:30:00'), weekday)).toBeNull();
    expect(dueDigest(['00:15', '22:30'], wib('2026-12-08T00:20:00'), weekday)).toBe(wib('2026-12-08T00:15:00'));
  });

  it('says how many wait, how many are late, and where to answer them', () => {
    expect(digestText({ atMs: wib('2026-12-07T07:30:00'), opdName: 'Dinas Perhubungan', awaiting: 3, overdue: 1, inboxUrl: 'https://aduan.example.go.id/opd' })).toBe(
      'Selamat pagi. Ada 3 aduan warga yang menunggu tanggapan Dinas Perhubungan (1 di antaranya sudah melewati batas waktu). Silakan buka kotak masuk Aduan: https://aduan.example.go.id/opd\n\nPesan otomatis dari Aduan Kota Blitar; mohon tidak membalas pesan ini.',
    );
    expect(digestText({ atMs: wib('2026-12-07T16:00:00'), opdName: 'DLH', awaiting: 2, overdue: 2 })).toContain('Selamat sore. Ada 2 aduan warga yang menunggu tanggapan DLH (semuanya sudah melewati batas waktu).');
    expect(digestText({ atMs: wib('2026-12-07T13:00:00'), opdName: 'DLH', awaiting: 1, overdue: 0 })).toBe('Selamat siang. Ada 1 aduan warga yang menunggu tanggapan DLH. Silakan buka kotak masuk Aduan (halaman /opd).\n\nPesan otomatis dari Aduan Kota Blitar; mohon tidak membalas pesan ini.');
  });
});

describe('OPD inbox digest on real Redis', () => {
  const url = testRedisUrl();
  const prefix = uniquePrefix('opd-digest');
  const log = memoryLogger('opd-digest');
  const redis = createRedis(url, 'worker');
  const notify = new Queue(QueueNames.notify('whatsapp'), { connection: redis, prefix });
  let gw: Awaited<ReturnType<typeof createTestGateway>>;
  let digest: OpdDigest;
  const monday = wib('2026-12-07T07:31:00');

  beforeAll(async () => {
    gw = await createTestGateway({ redisUrl: url, prefix, logger: log.logger, env: { OPD_DIGEST_TIMES: '07:30', WHATSAPP_PUBLIC_NUMBER: '0811 0000 0000', PUBLIC_URL: 'https://aduan.example.go.id/' } });
    const { users } = gw.deps.auth;
    await users.add({ username: 'budi', password: 'kata-sandi-budi-91', role: 'opd', opd: 'dishub', whatsapp: '0812 3456 7890' });
    await users.add({ username: 'rina', password: 'kata-sandi-rina-91', role: 'opd', opd: 'dishub' });
    await users.add({ username: 'joko', password: 'kata-sandi-joko-91', role: 'opd', opd: 'dishub', whatsapp: '0812 0000 1111' });
    await users.setDisabled('joko', true);
    await users.add({ username: 'sari', password: 'kata-sandi-sari-91', role: 'opd', opd: 'dlh', whatsapp: '0812 0000 2222' });
    // Dishub: one complaint routed three weeks before (late by the Monday), one on the Friday; DLH: nothing waiting.
    const route = (id: string, at: number) => gw.deps.status.transition(id, { state: 'routed', at: new Date(at).toISOString(), opd: 'dishub', opdName: 'Dinas Perhubungan', dedupeKey: 'decision:r0' });
    await route('01J00000000000000000DGST01', wib('2026-11-16T09:00:00'));
    await route('01J00000000000000000DGST02', wib('2026-12-04T09:00:00'));
    digest = new OpdDigest({ redis: gw.deps.redis, prefix, status: gw.deps.status, users, producer: gw.deps.producer, logger: log.logger, opdNames: new Map([['dishub', 'Dinas Perhubungan'], ['dlh', 'Dinas Lingkungan Hidup']]), times: gw.deps.config.OPD_DIGEST_TIMES, account: gw.deps.config.WHATSAPP_PUBLIC_NUMBER!, publicUrl: gw.deps.config.PUBLIC_URL, deadline: gw.deps.deadline });
  });
  afterAll(async () => {
    await gw.close();
    await notify.close();
    redis.disconnect();
    await deletePrefix(url, prefix);
  });

  it("sends each active OPD account with a number its OPD's count once, from the city's number, after the citizens' notices", async () => {
    expect(await digest.tick(wib('2026-12-07T07:29:00'))).toBe(0);
    expect(await digest.tick(monday)).toBe(1);
    const jobs = await notify.getJobs(['waiting', 'prioritized']);
    expect(jobs.map((j) => j.id)).toEqual(['opd-digest.20261207T0030.budi']);
    const [job] = jobs;
    expect(job!.data).toMatchObject({
      channel: 'whatsapp',
      account: '+6281100000000',
      to: '6281234567890@s.whatsapp.net',
      kind: 'staff',
      text: 'Selamat pagi. Ada 2 aduan warga yang menunggu tanggapan Dinas Perhubungan (1 di antaranya sudah melewati batas waktu). Silakan buka kotak masuk Aduan: https://aduan.example.go.id/opd\n\nPesan otomatis dari Aduan Kota Blitar; mohon tidak membalas pesan ini.',
    });
    // Every citizen's notice goes before it: acknowledgements (no priority), answers (1), the router's news (2).
    expect(job!.opts.priority).toBe(3);
    // The next minute, or another gateway: nothing more.
    expect(await digest.tick(monday + 60_000)).toBe(0);
    expect(await notify.count()).toBe(1);
    expect(log.lines.filter((l) => l.msg === 'opd inbox digest queued').map((l) => [l.staff, l.awaiting])).toEqual([['budi', 2]]);
    // Nothing on a Saturday.
    expect(await digest.tick(wib('2026-12-12T07:31:00'))).toBe(0);
  });

  it('is started by the gateway only with a number to send from; OPD_DIGEST_TIMES is checked at start', async () => {
    const { GatewayEnv } = await import('../config.ts');
    expect(GatewayEnv.parse({}).OPD_DIGEST_TIMES).toEqual(['07:30']);
    expect(GatewayEnv.parse({ OPD_DIGEST_TIMES: '13:00, 07:30' }).OPD_DIGEST_TIMES).toEqual(['07:30', '13:00']);
    expect(GatewayEnv.parse({ OPD_DIGEST_TIMES: 'off' }).OPD_DIGEST_TIMES).toEqual([]);
    expect(GatewayEnv.safeParse({ OPD_DIGEST_TIMES: '7.30' }).error?.issues[0]?.message).toBe('must be times HH:MM (WIB) separated by commas, such as 07:30,13:00, or off; not "7.30"');
    const quiet = memoryLogger('opd-digest-off');
    const other = await createTestGateway({ redisUrl: url, prefix: `${prefix}-off`, logger: quiet.logger });
    await other.close();
    expect(quiet.lines.some((l) => l.msg === 'opd inbox digest off: WHATSAPP_PUBLIC_NUMBER, the number to send it from, is not set')).toBe(true);
  });
});
