import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '@aduan/queue';
import { startRouterService, type RouterService } from '@aduan/router';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { createTestGateway } from '@aduan/gateway/testing';

/** A web form citizen's journey with the real gateway and router: the status page and the API, months later. */
const url = testRedisUrl();
const prefix = uniquePrefix('journey-web');
const { logger } = memoryLogger('journey');
let router: RouterService;
let gw: Awaited<ReturnType<typeof createTestGateway>>;

beforeAll(async () => {
  router = await startRouterService({ redisUrl: url, prefix, logger });
  gw = await createTestGateway({ redisUrl: url, prefix, logger, routerAlive: router.alive });
});
afterAll(async () => {
  await gw.close();
  await router.close();
  await deletePrefix(url, prefix);
});

describe('a web form citizen follows their complaint', () => {
  it("sees the OPD's report escaped, the ticket as read on air, and after the records expired is told why nothing is found", async () => {
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { text: 'Jukir liar di depan Pasar Legi minta uang parkir lima ribu rupiah' } });
    const { id, ticket, statusToken } = res.json();
    const rec = await waitFor(async () => ((await gw.deps.status.get(id))?.opd ? gw.deps.status.get(id) : null), { what: 'routed' });
    const { secret } = await gw.deps.opdKeys.create(rec!.opd!, 'journey');
    const report = await gw.app.inject({
      method: 'POST',
      url: `/api/v1/opd/complaints/${id}/status`,
      headers: { authorization: `Bearer ${secret}` },
      payload: { state: 'resolved', updateId: 'u1', message: 'Sudah ditertibkan <script>alert(1)</script> lihat https://x.go.id/?a=1&b=2' },
    });
    expect(report.statusCode).toBe(202);
    await waitFor(async () => ((await gw.deps.status.get(id))?.state === 'resolved' ? true : null), { what: 'resolved' });

    // The ticket as a caller hears it and types it: lower case, spaces, the code alone.
    const code = ticket.slice(ticket.indexOf('-') + 1);
    for (const typed of [ticket.toLowerCase(), ticket.replace(/-/g, ' '), code, code.replace('-', '')]) {
      const page = await gw.app.inject({ url: `/status?ticket=${encodeURIComponent(typed)}&token=${encodeURIComponent(statusToken.toLowerCase())}` });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Selesai ditangani');
      expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(page.body).not.toContain('<script>alert(1)');
    }

    // 400 days on, the records are gone (what their TTL does; set to expire now).
    const redis = createRedis(url, 'worker');
    try {
      expect(await redis.ttl(`${prefix}:ticket:${ticket}`)).toBeGreaterThan(399 * 86_400);
      for (const key of [`${prefix}:ticket:${ticket}`, `${prefix}:complaint:${id}`, `${prefix}:complaint:${id}:history`]) await redis.pexpire(key, 1);
    } finally {
      redis.disconnect();
    }
    await new Promise((r) => setTimeout(r, 50));
    const gone = await gw.app.inject({ url: `/status?ticket=${ticket}&token=${statusToken}` });
    expect(gone.statusCode).toBe(404);
    expect(gone.body).toContain('sampai 400 hari setelah aduan dikirim');
    const api = await gw.app.inject({ url: `/api/v1/complaints/${ticket}?token=${statusToken}` });
    expect(api.statusCode).toBe(404);
    expect(api.json().message).toContain('400 days');
  }, 30_000);
});
