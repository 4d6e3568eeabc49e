import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalRedis, type LocalRedis } from '@aduan/queue';
import { uniquePrefix, waitFor } from '@aduan/testkit';
import { ACCOUNT, CITIZEN, citizenMessage, intakeJobs, startHarness, testConfig, type Harness } from './test-support/harness.ts';

describe('Redis unreachable while messages arrive (real redis-server stopped and started)', () => {
  let redis: LocalRedis | undefined;
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    await redis?.stop();
  });

  it('spools the messages on disk and files the complaint when Redis is back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aduan-wa-outage-'));
    redis = await startLocalRedis({ dir: join(dir, 'redis') });
    const prefix = uniquePrefix('waout');
    h = await startHarness({ ...testConfig(redis.url, prefix, dir), CONVERSATION_QUIET: 30_000 });
    await waitFor(() => h!.service.sessions.get(ACCOUNT)!.status.state === 'connected', { what: 'connected' });

    h.socket.deliver([citizenMessage({ conversation: 'jalan berlubang dalam' })]);
    await waitFor(async () => (await h!.service.pipeline.engine.openConversations().catch(() => 0)) === 1, { what: 'open conversation' });

    await redis.stop();
    h.socket.deliver([citizenMessage({ conversation: 'di Jl. Anggrek dekat masjid' }), citizenMessage({ conversation: 'kirim' })]);
    await waitFor(() => h!.service.pipeline.inbox.spooled === 2, { what: 'two messages spooled', timeoutMs: 15_000 });
    const health = await h.service.app.inject({ url: '/healthz' });
    expect(health.json()).toMatchObject({ redis: 'unreachable', inboxSpooled: 2 });

    redis = await startLocalRedis({ dir: join(dir, 'redis'), port: redis.port });
    const [c, ...more] = await waitFor(async () => {
      const jobs = await intakeJobs(redis!.url, prefix).catch(() => []);
      return jobs.length > 0 ? jobs : null;
    }, { what: 'complaint after Redis returned', timeoutMs: 20_000 });
    expect(more).toHaveLength(0);
    expect(c!.text).toBe('jalan berlubang dalam\ndi Jl. Anggrek dekat masjid');
    expect(c!.source.messageIds).toHaveLength(3);
    await waitFor(() => h!.socket.sent.some((s) => s.jid === CITIZEN && (s.content as { text: string }).text.includes(c!.ticket)), { what: 'ack sent', timeoutMs: 20_000 });
    await waitFor(() => h!.service.pipeline.inbox.spooled === 0, { what: 'inbox spool empty' });
  }, 60_000);
});
