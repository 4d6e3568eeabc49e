import { IgApiClient } from 'instagram-private-api';
import { createLogger } from '@aduan/telemetry';
import { FakeInstagramServer } from '../testing/fake-instagram-server.ts';
import { buildRig, testEnv } from '../testing/harness.ts';
import { textItem, threadOf, userOf } from '../testing/ig-fixtures.ts';

/**
 * `pnpm --filter @aduan/instagram bench [threads] [itemsPerThread]` (REDIS_URL required):
 * one poll cycle of the REAL client against the loopback Instagram stand-in with that many
 * message requests, then closing every conversation. Uses its own key prefix and deletes nothing
 * else; numbers are for this machine only.
 */
const threads = Number(process.argv[2] ?? 200);
const perThread = Number(process.argv[3] ?? 3);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `bench-ig-${Date.now()}`;
const ig = await new FakeInstagramServer().start();
const t0 = Date.now() - 600_000;
for (let t = 0; t < threads; t++) {
  const user = userOf(9_000_000 + t, `warga${t}`, `Warga ${t}`);
  const items = Array.from({ length: perThread }, (_, i) => textItem(`b${t}-${i}`, user.pk, t0 + i * 1_000, `Laporan ${t} bagian ${i}: lampu jalan mati`)).reverse();
  ig.pending.push(threadOf({ threadId: `th-bench-${t}`, user, items, pending: true }));
}
const client = new IgApiClient();
client.state.generateDevice('bench');
client.state.proxyUrl = ig.proxyUrl;
client.request.defaults = { tunnel: false };
const logger = createLogger({ service: 'instagram-bench', level: 'warn' });
const rig = await buildRig({ redisUrl, prefix, client, logger, env: testEnv(prefix) });
const start = performance.now();
const report = await rig.poller.pollOnce();
const polled = performance.now();
const complaints = await rig.pipeline.engine.closeAll({ channel: 'instagram', account: 'pemkotblitar' });
const closed = performance.now();
const again = performance.now();
await rig.poller.pollOnce();
const idle = performance.now() - again;
process.stdout.write(
  `${JSON.stringify({
    threads,
    itemsPerThread: perThread,
    ingested: report.items.ingested,
    approved: report.approved,
    pollMs: Math.round(polled - start),
    itemsPerSecond: Math.round(report.items.ingested / ((polled - start) / 1000)),
    closeAllMs: Math.round(closed - polled),
    complaints: complaints.length,
    idlePollMs: Math.round(idle),
    prefix,
  })}\n`,
);
await rig.close();
await ig.stop();
process.exit(0);
