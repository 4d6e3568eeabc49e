/**
 * The real WhatsApp service in a process of its own, as main.ts runs it (same shutdown steps),
 * with a fake socket in place of Baileys' network socket: a test can SIGKILL or SIGTERM it while
 * a message is in flight, then start the service again on the same prefix and directories.
 *
 * Input: its first argument, JSON of {@link ChildSpec}. Output: the service's JSON
 * log lines on stdout, and a line `delivered` once the messages were handed to the socket.
 * Run with `node` (native type stripping), not under vitest: nothing here imports vitest.
 */
import { createLogger, onShutdown } from '@aduan/telemetry';
import { parseLine } from '../replay.ts';
import { startWhatsAppService, type ServiceConfig } from '../service.ts';
import { fakeSocket, type FakeSocket } from './fake-socket.ts';

export interface ChildSpec {
  config: ServiceConfig;
  /** Each message as `JSON.stringify(webMessageInfo.toJSON())`, delivered in one messages.upsert. */
  messages: string[];
  shutdownTimeoutMs: number;
  lockTtlMs?: number;
  inFlightGraceMs?: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as ChildSpec;
const logger = createLogger({ service: 'whatsapp', level: 'info' });
let socket: FakeSocket | undefined;
const service = await startWhatsAppService({
  config: spec.config,
  logger,
  makeSocket: () => {
    const s = fakeSocket(logger);
    socket = s;
    setImmediate(() => s.open());
    return s;
  },
  display: () => {},
  sleep: async () => {},
  // As the harness's TEST_DELIVERY (not imported: harness.ts pulls in test-only packages).
  delivery: { intervalMs: 100, marginMs: 0, settleMs: 200 },
  ...(spec.lockTtlMs ? { lockTtlMs: spec.lockTtlMs } : {}),
  ...(spec.inFlightGraceMs ? { inFlightGraceMs: spec.inFlightGraceMs } : {}),
});
onShutdown({ logger, timeoutMs: spec.shutdownTimeoutMs, steps: [{ name: 'whatsapp', run: () => service.stop() }] });

const account = spec.config.WA_NUMBERS[0]!;
while (service.sessions.get(account)?.status.state !== 'connected') await new Promise((r) => setTimeout(r, 20));
socket!.deliver(spec.messages.map(parseLine));
process.stdout.write('delivered\n');
