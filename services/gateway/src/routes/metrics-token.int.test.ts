import { describe, expect, it } from 'vitest';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix } from '@aduan/testkit';
import { createTestGateway } from '../testing/harness.ts';

/** The gateway's port is the public one: with METRICS_TOKEN set, only Prometheus reads /metrics. */
const url = testRedisUrl();
const TOKEN = 'metrics-token-0123456789abcdef';

describe('METRICS_TOKEN', () => {
  it('makes /metrics answer 401 without it and the metrics with it; health checks, pages and the API stay open', async () => {
    const prefix = uniquePrefix('metrics-token');
    const gw = await createTestGateway({ redisUrl: url, prefix, logger: memoryLogger().logger, env: { METRICS_TOKEN: TOKEN } });
    try {
      for (const authorization of [undefined, 'Bearer wrong-token-0123456789abcdef', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
        const refused = await gw.app.inject({ url: '/metrics', headers: authorization ? { authorization } : {} });
        expect(refused.statusCode, authorization).toBe(401);
        expect(refused.headers['www-authenticate']).toBe('Bearer realm="metrics"');
        expect(refused.body).not.toContain('aduan_');
      }
      const scraped = await gw.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
      expect(scraped.statusCode).toBe(200);
      expect(scraped.body).toMatch(/^aduan_queue_jobs\{queue="intake",state="waiting"\} 0$/m);
      // Each answers as without the token (/readyz: 503, as no router runs here).
      for (const [open, status] of [['/healthz', 200], ['/readyz', 503], ['/', 200], ['/docs/json', 200]] as const) expect((await gw.app.inject({ url: open })).statusCode, open).toBe(status);
    } finally {
      await gw.close();
      await deletePrefix(url, prefix);
    }
  });

  it('leaves /metrics open when unset, as before', async () => {
    const prefix = uniquePrefix('metrics-open');
    const gw = await createTestGateway({ redisUrl: url, prefix, logger: memoryLogger().logger });
    try {
      const res = await gw.app.inject({ url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('aduan_queue_jobs');
    } finally {
      await gw.close();
      await deletePrefix(url, prefix);
    }
  });
});
