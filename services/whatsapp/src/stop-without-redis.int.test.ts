import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DisconnectReason } from '@whiskeysockets/baileys';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalRedis, type LocalRedis } from '@aduan/queue';
import { uniquePrefix, waitFor } from '@aduan/testkit';
import type { ServiceConfig } from './service.ts';
import { ACCOUNT, startHarness, testConfig, type Harness } from './test-support/harness.ts';

/**
 * Stopping while Redis is away. Each test runs its own redis-server (AOF on, as in production)
 * to stop, freeze and restart.
 */
describe('WhatsApp stop() with Redis away (real redis-server stopped, frozen, restarted)', () => {
  let redis: LocalRedis | undefined;
  const harnesses: Harness[] = [];
  afterEach(async () => {
    redis?.process.kill('SIGCONT');
    for (const h of harnesses.splice(0)) await h.stop();
    await redis?.stop();
    redis = undefined;
  });

  async function start(config: ServiceConfig): Promise<Harness> {
    const h = await startHarness(config);
    harnesses.push(h);
    await waitFor(() => h.service.sessions.get(ACCOUNT)!.status.state === 'connected', { what: 'connected' });
    return h;
  }

  it('opens no socket once stopped, for a reconnect that was waiting for Redis to read the session', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aduan-wa-stop-'));
    redis = await startLocalRedis({ dir: join(dir, 'redis') });
    const h = await start(testConfig(redis.url, uniquePrefix('wastop'), dir));
    const session = h.service.sessions.get(ACCOUNT)!;

    // Frozen: the reconnect's read of the auth state is sent and not answered.
    redis.process.kill('SIGSTOP');
    h.socket.closeWith(DisconnectReason.connectionLost);
    await waitFor(() => session.status.state === 'reconnecting', { what: 'reconnecting' });
    await new Promise((r) => setTimeout(r, 300));
    expect(h.sockets).toHaveLength(1);
    await session.disconnect();

    redis.process.kill('SIGCONT');
    await new Promise((r) => setTimeout(r, 500));
    // Before: a second socket, opened once Redis answered, taking messages after the stop.
    expect(h.sockets).toHaveLength(1);
    expect(session.status.state).toBe('stopped');
  }, 30_000);
});
