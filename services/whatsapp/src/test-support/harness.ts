import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { QueueNames, createRedis } from '@aduan/queue';
import type { Complaint, Notification } from '@aduan/schema';
import { memoryLogger } from '@aduan/testkit';
import type { proto } from '@whiskeysockets/baileys';
import { startWhatsAppService, type ServiceConfig, type ServiceDeps, type WhatsAppService } from '../service.ts';
import { fakeSocket, waMessage, type FakeSocket } from './fake-socket.ts';

export const ACCOUNT = '+6281100000000';
export const CITIZEN = '6281234567890@s.whatsapp.net';

export interface Harness {
  service: WhatsAppService;
  sockets: FakeSocket[];
  displays: unknown[];
  logText: () => string;
  readonly socket: FakeSocket;
  /** The latest socket of one of the numbers (several in WA_NUMBERS). */
  socketOf(account: string): FakeSocket;
  /** While true, sockets that open do not finish their offline catch-up until the test calls socket.catchUp(). */
  holdCatchUp: boolean;
  stop(): Promise<void>;
}

/**
 * Delivery reporting for tests: often, and without the production margin for WhatsApp's
 * whole-second message times, so a burst closes about CONVERSATION_QUIET after its last message.
 */
export const TEST_DELIVERY = { intervalMs: 100, marginMs: 0, settleMs: 200 };

export function testConfig(redisUrl: string, prefix: string, dir = mkdtempSync(join(tmpdir(), 'aduan-wa-'))): ServiceConfig {
  return {
    REDIS_URL: redisUrl,
    WA_NUMBERS: [ACCOUNT],
    WA_PAIRING: 'qr',
    QUEUE_PREFIX: prefix,
    SPOOL_DIR: join(dir, 'spool'),
    INBOX_SPOOL_DIR: join(dir, 'inbox'),
    ATTACHMENT_DIR: join(dir, 'attachments'),
    MAX_MEDIA_BYTES: 1_000_000,
    // Long enough that a loaded CI machine does not close a burst between two of its messages.
    CONVERSATION_QUIET: 1_500,
    CONVERSATION_MAX_OPEN: 60_000,
    TICKET_PREFIX: 'ADU',
    REOPEN_DAYS: 14,
    REOPEN_MAX: 2,
    SEND_PER_MINUTE: 600,
    SEND_TYPING: true,
  };
}

/** The real service with fake sockets that connect at once (unless autoOpen is false). */
export async function startHarness(config: ServiceConfig, opts: { autoOpen?: boolean; notReadyRetryMs?: number; sendRetry?: ServiceDeps['sendRetry']; sleep?: ServiceDeps['sleep'] } = {}): Promise<Harness> {
  const { logger, text } = memoryLogger('whatsapp');
  const sockets: FakeSocket[] = [];
  const byAccount = new Map<string, FakeSocket>();
  const displays: unknown[] = [];
  const control = { holdCatchUp: false };
  const service = await startWhatsAppService({
    config,
    logger,
    makeSocket: (account) => {
      const s = fakeSocket(logger, `${account.slice(1)}:7@s.whatsapp.net`);
      sockets.push(s);
      byAccount.set(account, s);
      if (opts.autoOpen !== false) setImmediate(() => s.open({ catchUp: !control.holdCatchUp }));
      return s;
    },
    delivery: TEST_DELIVERY,
    display: (_a, what) => displays.push(what),
    // Sends are not paced unless a test asks for it.
    sleep: opts.sleep ?? (async () => {}),
    backoff: { baseMs: 20, maxMs: 100 },
    ...(opts.notReadyRetryMs ? { notReadyRetryMs: opts.notReadyRetryMs } : {}),
    // A send that failed on a closed connection or a timeout waits a moment, not 15 s.
    sendRetry: opts.sendRetry ?? { transientMs: 200, rateLimitedMs: 200, maxMs: 1_000 },
  });
  return {
    service,
    sockets,
    displays,
    logText: text,
    get socket() {
      return sockets[sockets.length - 1]!;
    },
    socketOf: (account) => byAccount.get(account)!,
    get holdCatchUp() {
      return control.holdCatchUp;
    },
    set holdCatchUp(v: boolean) {
      control.holdCatchUp = v;
    },
    stop: () => service.stop(),
  };
}

let seq = 0;
/** A citizen's message as a real, wire-decoded WebMessageInfo. */
export function citizenMessage(message: proto.IMessage, extra: Partial<proto.IWebMessageInfo> = {}, from = CITIZEN) {
  return waMessage({
    key: { remoteJid: from, fromMe: false, id: `3EB0${Date.now().toString(16).toUpperCase()}${(++seq).toString().padStart(4, '0')}` },
    messageTimestamp: Math.floor(Date.now() / 1000),
    pushName: 'Siti Aminah',
    message,
    ...extra,
  });
}

export async function queueJobs<T = Complaint>(redisUrl: string, prefix: string, name: string): Promise<T[]> {
  const conn = createRedis(redisUrl, 'worker');
  const q = new Queue(name, { connection: conn, prefix });
  try {
    const jobs = await q.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized']);
    return jobs.map((j) => j.data as T);
  } finally {
    await q.close();
    conn.disconnect();
  }
}

export const intakeJobs = (url: string, prefix: string) => queueJobs<Complaint>(url, prefix, QueueNames.intake);
export const notifyJobs = (url: string, prefix: string) => queueJobs<Notification>(url, prefix, QueueNames.notify('whatsapp'));
