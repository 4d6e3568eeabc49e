import { afterAll, describe, expect, it } from 'vitest';
import { createTestGateway } from '@aduan/gateway/testing';
import { deletePrefix, memoryLogger, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { PublicNumberWatch } from '../../services/gateway/src/public-number-watch.ts';
import { ACCOUNT, startHarness, testConfig, type Harness } from '../../services/whatsapp/src/test-support/harness.ts';

/**
 * WHATSAPP_PUBLIC_NUMBER, which citizens are told to write "cek <ticket>" to and the OPD digests
 * go from, against the numbers the real WhatsApp service runs (WA_NUMBERS: ACCOUNT,
 * +6281100000000): the gateway says so in its log and on /metrics when none serves it, and stays
 * ready (the web form needs no WhatsApp). On real Redis.
 */
const url = testRedisUrl();
const prefix = uniquePrefix('public-number');
const NOT_RUN = '+6281299990000';
const gateways: { close(): Promise<void> }[] = [];
let wa: Harness | undefined;

afterAll(async () => {
  for (const gw of gateways) await gw.close();
  await wa?.stop();
  await deletePrefix(url, prefix);
});

async function gateway(number: string) {
  const log = memoryLogger('public-number');
  const gw = await createTestGateway({ redisUrl: url, prefix, logger: log.logger, env: { WHATSAPP_PUBLIC_NUMBER: number }, routerAlive: () => true });
  gateways.push(gw);
  const watch = new PublicNumberWatch({ redis: gw.deps.redis, prefix, account: gw.deps.config.WHATSAPP_PUBLIC_NUMBER!, logger: log.logger });
  return {
    watch,
    /** The gauge's series on /metrics, as `account value`. */
    gauge: async () => (await gw.app.inject({ url: '/metrics' })).body.match(/^aduan_gateway_whatsapp_number_served\{.*$/gm),
    ready: async () => (await gw.app.inject({ url: '/readyz' })).statusCode,
    /** The watch's lines: level, message and every other field. */
    said: () => log.lines.filter((l) => String(l.msg).startsWith('WHATSAPP_PUBLIC_NUMBER')).map(({ level, msg, account, ...rest }) => ({ level, msg, account, rest: Object.keys(rest).filter((k) => !['time', 'pid', 'hostname', 'service'].includes(k)) })),
  };
}

const WARNING = { level: 40, msg: "WHATSAPP_PUBLIC_NUMBER is served by no running WhatsApp service: citizens told to write to it get no answer and OPD digests from it are not sent; add it to a WhatsApp service's WA_NUMBERS, or correct it", rest: [] };

describe('WHATSAPP_PUBLIC_NUMBER against the running WhatsApp services', () => {
  it('is served while the WhatsApp service runs it; a number none runs, or one whose service stopped, gets a warning (hourly at most) and the gauge at 0, and the gateway stays ready', async () => {
    wa = await startHarness(testConfig(url, prefix));
    const ours = await gateway('0811 0000 0000');
    const other = await gateway('0812 9999 0000');

    expect(await ours.gauge()).toEqual(['aduan_gateway_whatsapp_number_served{account="+6281100000000"} 1']);
    expect(await ours.watch.check()).toBe(true);
    expect(ours.said()).toEqual([]);

    // A number no WhatsApp service runs: said once, again an hour later, not at every check.
    const t0 = Date.now();
    expect(await other.gauge()).toEqual([`aduan_gateway_whatsapp_number_served{account="${NOT_RUN}"} 0`]);
    expect(await other.watch.check(t0)).toBe(false);
    expect(await other.watch.check(t0 + 60_000)).toBe(false);
    expect(other.said()).toEqual([{ ...WARNING, account: NOT_RUN }]);
    expect(await other.watch.check(t0 + 3_600_000)).toBe(false);
    expect(other.said()).toHaveLength(2);
    expect(await other.ready()).toBe(200);

    // The WhatsApp service stops (its lock goes): not served; it starts again: served, and said.
    await wa.stop();
    wa = undefined;
    expect(await ours.gauge()).toEqual(['aduan_gateway_whatsapp_number_served{account="+6281100000000"} 0']);
    expect(await ours.watch.check()).toBe(false);
    expect(await ours.ready()).toBe(200);
    wa = await startHarness(testConfig(url, prefix));
    expect(await ours.watch.check()).toBe(true);
    expect(await ours.gauge()).toEqual(['aduan_gateway_whatsapp_number_served{account="+6281100000000"} 1']);
    expect(ours.said()).toEqual([
      { ...WARNING, account: ACCOUNT },
      { level: 30, msg: 'WHATSAPP_PUBLIC_NUMBER is served by a WhatsApp service again', account: ACCOUNT, rest: [] },
    ]);
  });

  it('is checked by itself once the grace after the start is over, then every minute', async () => {
    const other = await gateway('0812 9999 0000');
    const running = other.watch.start(50);
    try {
      await waitFor(() => other.said().length === 1, { what: 'the warning after the grace' });
    } finally {
      await running.stop();
    }
  });
});
