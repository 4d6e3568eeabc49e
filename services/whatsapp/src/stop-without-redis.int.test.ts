import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DisconnectReason } from '@whiskeysockets/baileys';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalRedis, type LocalRedis } from '@aduan/queue';
import { timed, uniquePrefix, waitFor } from '@aduan/testkit';
import type { ServiceConfig } from './service.ts';
import { ACCOUNT, citizenMessage, intakeJobs, startHarness, testConfig, type Harness } from './test-support/harness.ts';

/**
 * stop() (SIGTERM) while Redis is away. It used to hang for good: BullMQ's Worker.close() on the
 * notify.whatsapp worker's connection waiting to reconnect never returns, and the number lock's
 * release waited in that connection's offline queue until Redis was back. Each test runs its own
 * redis-server (AOF on, as in production) to stop, freeze and restart.
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

  it('returns at once when messages just arrived, and loses none: the next start files them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aduan-wa-stop-'));
    redis = await startLocalRedis({ dir: join(dir, 'redis') });
    const config = testConfig(redis.url, uniquePrefix('wastop'), dir);
    const h = await start(config);

    await redis.stop();
    // WhatsApp has marked these delivered: they must survive the stop that follows at once.
    h.socket.deliver([citizenMessage({ conversation: 'Lampu PJU di Jl. Merdeka mati sudah seminggu' }), citizenMessage({ conversation: 'kirim' })]);
    const took = await timed(h.service.stop(), 10_000);
    harnesses.splice(0);
    // Before: 'hung' (the worker's close, then the lock's release, waited for Redis).
    expect(took).not.toBe('hung');
    expect(took).toBeLessThan(1_500);

    redis = await startLocalRedis({ dir: join(dir, 'redis'), port: redis.port });
    // The same number on this host again: the lock left behind is taken over (its holder is not running it).
    await start(config);
    const [c, ...more] = await waitFor(async () => {
      const jobs = await intakeJobs(redis!.url, config.QUEUE_PREFIX);
      return jobs.length > 0 ? jobs : null;
    }, { what: 'the complaint filed after the restart', timeoutMs: 15_000 });
    expect(more).toHaveLength(0);
    expect(c!.text).toBe('Lampu PJU di Jl. Merdeka mati sudah seminggu');
  }, 40_000);

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
