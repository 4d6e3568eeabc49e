import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DisconnectReason } from '@whiskeysockets/baileys';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { NumberLockedError } from './number-lock.ts';
import { startWhatsAppService } from './service.ts';
import { fakeSocket } from './test-support/fake-socket.ts';
import { ACCOUNT, citizenMessage, startHarness, testConfig, type Harness } from './test-support/harness.ts';
import type { ServiceConfig } from './service.ts';

describe('WhatsApp session lifecycle (real Redis, Baileys event emitter)', () => {
  const url = testRedisUrl();
  let prefix: string;
  let config: ServiceConfig;
  let h: Harness | undefined;
  let redis: Redis;

  beforeEach(() => {
    prefix = uniquePrefix('wasess');
    config = testConfig(url, prefix);
    redis = new Redis(url);
  });
  afterEach(async () => {
    await h?.stop();
    h = undefined;
    redis.disconnect();
    await deletePrefix(url, prefix);
  });
  const session = () => h!.service.sessions.get(ACCOUNT)!;
  const credsKey = () => `${prefix}:wa:auth:${ACCOUNT}:creds`;

  it('shows a QR code on first start, persists creds and keys, and needs no pairing after a restart', async () => {
    h = await startHarness(config, { autoOpen: false });
    expect(session().status.state).toBe('pairing');
    h.socket.ev.emit('connection.update', { qr: '2@abc,def,ghi' });
    await waitFor(() => h!.displays.length === 1, { what: 'QR shown' });
    expect(h.displays[0]).toEqual({ qr: '2@abc,def,ghi' });
    // Baileys updates creds after the scan and writes signal keys: both must land in Redis.
    h.socket.ev.emit('creds.update', { registered: true, me: { id: '6281100000000:7@s.whatsapp.net' } });
    h.socket.open();
    await waitFor(async () => (await redis.get(credsKey()))?.includes('"registered":true'), { what: 'creds persisted' });
    await waitFor(() => session().status.state === 'connected', { what: 'connected' });
    await h.stop();

    h = await startHarness(config, { autoOpen: false });
    expect(session().status.state).toBe('connecting'); // not pairing: the session was found
    h.socket.open();
    await waitFor(() => session().status.state === 'connected', { what: 'connected again' });
    expect(h.displays).toHaveLength(0);
  });

  it('reconnects after a transient close with a fresh socket, ending the old one and dropping its listeners', async () => {
    h = await startHarness(config);
    await waitFor(() => session().status.state === 'connected', { what: 'connected' });
    const old = h.socket;
    old.closeWith(DisconnectReason.connectionLost);
    await waitFor(() => h!.sockets.length === 2 && session().status.state === 'connected', { what: 'reconnected' });
    expect(old.ended).toBe(true);
    expect(session().status.lastDisconnect).toBe('connection-lost');
    // A late event on the old socket is not heard any more; the new one is.
    old.deliver([citizenMessage({ conversation: 'lewat socket lama' })]);
    h.socket.deliver([citizenMessage({ conversation: 'lewat socket baru' })]);
    await waitFor(async () => (await h!.service.pipeline.engine.openConversations()) === 1, { what: 'one conversation' });
    const [c] = await h.service.pipeline.engine.closeAll();
    expect(c!.text).toBe('lewat socket baru');
    expect(await redis.exists(credsKey())).toBe(0); // fresh creds were never saved in this test, and none were wiped either
  });

  it('hands over the messages Baileys still buffers from its offline catch-up when the connection drops or the service stops', async () => {
    const openConversations = () => redis.zcard(`${prefix}:conv:due:whatsapp`);
    h = await startHarness(config);
    await waitFor(() => session().status.state === 'connected', { what: 'connected' });
    // Baileys' end() destroys its event emitter, and with it what the buffer holds: already
    // receipted to WhatsApp, those messages would never come again.
    const first = h.socket;
    first.buffered([citizenMessage({ conversation: 'Lampu PJU mati di Jl. Mawar' })]);
    first.closeWith(DisconnectReason.connectionLost);
    await waitFor(() => h!.socket !== first && session().status.state === 'connected', { what: 'reconnected' });
    await waitFor(async () => (await openConversations()) === 1, { what: 'the buffered message in a conversation' });

    h.socket.buffered([citizenMessage({ conversation: 'Sampah menumpuk di Jl. Kenari' }, {}, '6285600000000@s.whatsapp.net')]);
    await h.stop();
    h = undefined;
    expect(await openConversations()).toBe(2);
  });

  it('keeps one reconnect at a time when closes pile up', async () => {
    h = await startHarness(config, { autoOpen: false });
    const first = h.socket;
    first.closeWith(DisconnectReason.connectionClosed);
    first.closeWith(DisconnectReason.connectionClosed); // ignored: that socket is already replaced
    await waitFor(() => h!.sockets.length === 2, { what: 'second socket' });
    await new Promise((r) => setTimeout(r, 300));
    expect(h.sockets).toHaveLength(2);
  });

  it('clears the auth state only on a real logout, then pairs again', async () => {
    h = await startHarness(config);
    h.socket.ev.emit('creds.update', { registered: true });
    await waitFor(async () => (await redis.get(credsKey()))?.includes('"registered":true'), { what: 'creds persisted' });
    h.socket.closeWith(DisconnectReason.restartRequired);
    await waitFor(() => h!.sockets.length === 2, { what: 'restart' });
    expect(await redis.exists(credsKey())).toBe(1);
    h.socket.closeWith(DisconnectReason.loggedOut);
    await waitFor(async () => (await redis.exists(credsKey())) === 0, { what: 'auth cleared' });
    await waitFor(() => h!.sockets.length === 3, { what: 'new pairing socket' });
    h.socket.ev.emit('connection.update', { qr: 'new-qr' });
    await waitFor(() => h!.displays.length === 1, { what: 'new QR' });
  });

  it('stops on "connection replaced" instead of fighting the other client', async () => {
    h = await startHarness(config);
    await waitFor(() => session().status.state === 'connected', { what: 'connected' });
    h.socket.closeWith(DisconnectReason.connectionReplaced);
    await waitFor(() => session().status.state === 'fatal', { what: 'fatal' });
    await new Promise((r) => setTimeout(r, 200));
    expect(h.sockets).toHaveLength(1);
    const res = await h.service.app.inject({ url: '/healthz' });
    expect(res.statusCode).toBe(503);
    expect(res.json().sessions[0]).toMatchObject({ account: ACCOUNT, state: 'fatal', lastDisconnect: 'connection-replaced' });
  });

  it('refuses to run a number that another process holds, and reports health and metrics', async () => {
    h = await startHarness(config);
    await waitFor(() => session().status.state === 'connected', { what: 'connected' });
    await expect(startHarness(config)).rejects.toBeInstanceOf(NumberLockedError);
    h.socket.deliver([citizenMessage({ conversation: 'halo' })]);
    await waitFor(() => session().status.lastMessageAt, { what: 'last message at' });
    const health = await h.service.app.inject({ url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok', redis: 'ok', sessions: [{ account: ACCOUNT, connected: true, paired: true, pairing: false, loggedOut: false }] });
    const metrics = await h.service.app.inject({ url: '/metrics' });
    expect(metrics.body).toContain(`aduan_whatsapp_connection_state{account="${ACCOUNT}",state="connected"} 1`);
    expect(metrics.body).toContain('aduan_whatsapp_last_message_timestamp_seconds');
    expect(metrics.body).not.toContain('6281234567890');
  });

  it('takes its lock back after it expired (long Redis outage), and stops when another process took it', async () => {
    const { logger } = memoryLogger();
    const service = await startWhatsAppService({
      config, logger, lockTtlMs: 300, display: () => {}, sleep: async () => {},
      makeSocket: () => {
        const s = fakeSocket(logger);
        setImmediate(() => s.open());
        return s;
      },
    });
    try {
      const lockKey = `${prefix}:wa:lock:${ACCOUNT}`;
      const token = await redis.get(lockKey);
      await redis.del(lockKey); // as if it expired while Redis was away
      await waitFor(async () => (await redis.get(lockKey)) === token, { what: 'lock taken back' });
      expect(service.sessions.get(ACCOUNT)!.status.state).toBe('connected');
      await redis.set(lockKey, 'another-process');
      await waitFor(() => service.sessions.get(ACCOUNT)!.status.state === 'fatal', { what: 'stopped after losing the lock' });
    } finally {
      await service.stop();
    }
  });

  it('offers a pairing code instead of the QR when configured', async () => {
    h = await startHarness({ ...config, WA_PAIRING: 'code' }, { autoOpen: false });
    const asked: string[] = [];
    h.socket.requestPairingCode = async (phone: string) => {
      asked.push(phone);
      return 'ABCD1234';
    };
    h.socket.ev.emit('connection.update', { qr: 'qr-1' });
    h.socket.ev.emit('connection.update', { qr: 'qr-2' });
    await waitFor(() => h!.displays.length === 1, { what: 'code shown' });
    await new Promise((r) => setTimeout(r, 100));
    expect(h.displays).toEqual([{ pairingCode: 'ABCD1234' }]);
    expect(asked).toEqual(['6281100000000']);
  });
});
