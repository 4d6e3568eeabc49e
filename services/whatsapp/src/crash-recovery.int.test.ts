import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { proto } from '@whiskeysockets/baileys';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { startNodeProcess, type NodeProcess } from '@aduan/testkit/node-process';
import { startCommand } from '@aduan/testkit/start-command';
import { MessageJournal } from './message-journal.ts';
import { NumberLockedError } from './number-lock.ts';
import { journalDir, type ServiceConfig } from './service.ts';
import { MediaServer } from './test-support/media-server.ts';
import type { ChildSpec } from './test-support/service-child.ts';
import { ACCOUNT, citizenMessage, intakeJobs, notifyJobs, startHarness, testConfig, type Harness } from './test-support/harness.ts';

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(64, 7)]);
const CHILD = join(import.meta.dirname, 'test-support', 'service-child.ts');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Journal files still on disk (records not yet forgotten). */
const journalFiles = (config: ServiceConfig) => {
  try {
    return readdirSync(journalDir(config.INBOX_SPOOL_DIR)).filter((f) => f.includes('.jsonl'));
  } catch {
    return [];
  }
};

/**
 * WhatsApp marks a message delivered (Baileys sends the receipt) before the service has it: a
 * process that dies with a message in flight must still file it after a restart. The service
 * runs in a child process that the test kills; the restart runs in the test's own process on
 * the same Redis prefix and directories.
 */
describe('messages in flight when the process dies (child process killed, then restarted)', () => {
  const url = testRedisUrl();
  const media = new MediaServer();
  let prefix: string;
  let config: ServiceConfig;
  let child: NodeProcess | undefined;
  let h: Harness | undefined;

  beforeAll(() => media.start());
  afterAll(() => media.stop());
  beforeEach(() => {
    prefix = uniquePrefix('wacrash');
    config = testConfig(url, prefix, mkdtempSync(join(tmpdir(), 'aduan-wa-crash-')));
  });
  afterEach(async () => {
    if (child && child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGKILL');
    await child?.exited;
    child = undefined;
    await h?.stop();
    h = undefined;
    await deletePrefix(url, prefix);
  });

  function startChild(spec: Omit<ChildSpec, 'config'>): NodeProcess {
    const start = startCommand('services/whatsapp');
    return startNodeProcess([...start.nodeFlags, CHILD, JSON.stringify({ config, ...spec })], { cwd: join(config.SPOOL_DIR, '..'), env: { ...process.env, ...start.env } });
  }

  /** A photo whose download hangs, the text typed after it, and "kirim": the audit's burst. */
  async function burstWithHangingPhoto(path: string) {
    media.hold(path);
    const photo = await media.add(path, PNG, 'image');
    return [
      citizenMessage({ imageMessage: { ...photo, mimetype: 'image/jpeg' } }),
      citizenMessage({ conversation: 'menutup jalan di depan SDN Kepanjenlor 1' }),
      citizenMessage({ conversation: 'kirim' }),
    ].map((m) => JSON.stringify((m as proto.WebMessageInfo).toJSON()));
  }

  async function theOneComplaint() {
    const [c, ...more] = await waitFor(async () => {
      const jobs = await intakeJobs(url, prefix);
      return jobs.length > 0 ? jobs : null;
    }, { what: 'a complaint on intake after the restart', timeoutMs: 15_000 });
    expect(more).toHaveLength(0);
    expect(c!.text).toBe('menutup jalan di depan SDN Kepanjenlor 1');
    expect(c!.attachments.map((a) => [a.kind, a.mimeType])).toEqual([['image', 'image/png']]);
    expect(c!.source.messageIds).toHaveLength(3);
    // Past the quiet period and a sweep: still one.
    await sleep(config.CONVERSATION_QUIET + 1_200);
    expect(await intakeJobs(url, prefix)).toHaveLength(1);
    // Once the inbox has them, the journal forgets them.
    await waitFor(() => journalFiles(config).length === 0, { what: `journal emptied (${journalFiles(config).join(', ')})` });
    return c!;
  }

  it('SIGKILL while a photo downloads: the photo and everything typed after it are filed after the restart', async () => {
    const messages = await burstWithHangingPhoto('/kill/photo');
    // A short lock TTL, so that this test does not depend on taking over a dead process's lock.
    child = startChild({ messages, shutdownTimeoutMs: 8_000, lockTtlMs: 600 });
    await waitFor(() => child!.output().includes('delivered'), { what: `child delivered (${child.output()})`, timeoutMs: 20_000 });
    await waitFor(() => media.requests.get('/kill/photo'), { what: 'the photo download under way' });
    child.child.kill('SIGKILL');
    await child.exited;
    media.release('/kill/photo');
    await sleep(700);

    h = await startHarness(config);
    await theOneComplaint();
  }, 60_000);

  it('SIGTERM while a photo downloads: the service stops in time (exit 0) and the messages are filed after the restart', async () => {
    const messages = await burstWithHangingPhoto('/term/photo');
    child = startChild({ messages, shutdownTimeoutMs: 4_000, inFlightGraceMs: 1_000 });
    await waitFor(() => child!.output().includes('delivered'), { what: `child delivered (${child.output()})`, timeoutMs: 20_000 });
    await waitFor(() => media.requests.get('/term/photo'), { what: 'the photo download under way' });
    const sent = Date.now();
    child.child.kill('SIGTERM');
    const code = await child.exited;
    expect(code, child.output()).toBe(0);
    expect(Date.now() - sent).toBeLessThan(4_000);
    media.release('/term/photo');

    h = await startHarness(config);
    await theOneComplaint();
    expect(h.logText()).not.toMatch(/Kepanjenlor|Siti/);
  }, 60_000);

  it('takes journaled messages that were already filed again without a second complaint or acknowledgement', async () => {
    h = await startHarness(config);
    await waitFor(() => h!.service.sessions.get(ACCOUNT)!.status.state === 'connected', { what: 'connected' });
    const a = citizenMessage({ conversation: 'lampu PJU mati di Jl. Mawar' });
    const k = citizenMessage({ conversation: 'kirim' });
    h.socket.deliver([a, k]);
    await waitFor(() => h!.socket.sent.length === 1, { what: 'acknowledgement sent' });
    await h.stop();
    h = undefined;
    // As if the process had died after filing them but before the journal forgot them (the
    // first one twice: WhatsApp delivered it again).
    const journal = new MessageJournal({ dir: journalDir(config.INBOX_SPOOL_DIR), logger: memoryLogger().logger });
    const entries = [journal.record(ACCOUNT, a), journal.record(ACCOUNT, k), journal.record(ACCOUNT, a)];
    expect(await Promise.all(entries.map((e) => e.written))).toEqual([true, true, true]);
    await journal.close();
    expect(journalFiles(config)).toHaveLength(1);

    h = await startHarness(config);
    await waitFor(() => journalFiles(config).length === 0, { what: 'journal emptied' });
    await sleep(config.CONVERSATION_QUIET + 1_200);
    expect(await intakeJobs(url, prefix)).toHaveLength(1);
    expect((await notifyJobs(url, prefix)).filter((n) => n.kind === 'ack')).toHaveLength(1);
    expect(h.socket.sent).toHaveLength(0);
  }, 30_000);

  it('starts again at once after a SIGKILL: the dead process\'s number lock is taken over, a live one\'s is not', async () => {
    child = startChild({ messages: [], shutdownTimeoutMs: 8_000 });
    await waitFor(() => child!.output().includes('delivered'), { what: `child connected (${child.output()})`, timeoutMs: 20_000 });
    await expect(startHarness(config)).rejects.toBeInstanceOf(NumberLockedError);
    child.child.kill('SIGKILL');
    await child.exited;
    // Well within the lock's 30 s TTL: a supervisor's restart must not fail on it.
    h = await startHarness(config);
    await waitFor(() => h!.service.sessions.get(ACCOUNT)!.status.state === 'connected', { what: 'connected after the restart' });
  }, 40_000);
});
