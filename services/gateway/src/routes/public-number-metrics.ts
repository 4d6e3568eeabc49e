import { Gauge } from 'prom-client';
import { answerWithin } from '@aduan/queue';
import { metricsRegistry } from '@aduan/telemetry';
import type { GatewayDeps } from '../deps.ts';
import { whatsappNumberServed } from '../public-number-watch.ts';
import { SCRAPE_REDIS_MS } from './queue-metrics.ts';

let gauge: Gauge<'account'> | undefined;
function servedGauge(): Gauge<'account'> {
  gauge ??= new Gauge({
    name: 'aduan_gateway_whatsapp_number_served',
    help: 'Whether a running WhatsApp service serves WHATSAPP_PUBLIC_NUMBER (1) or none does (0), read at scrape time; absent while it is unset or Redis does not answer',
    labelNames: ['account'],
    registers: [metricsRegistry],
  });
  return gauge;
}

/**
 * Sets the served gauge of WHATSAPP_PUBLIC_NUMBER (the city's number, no one's personal one) just
 * before /metrics is read: a number no WhatsApp service runs is one citizens write to in vain.
 * Read at each scrape, so it is right from the gateway's first scrape; the alert waits out the
 * WhatsApp service's own start.
 */
export async function refreshPublicNumberGauge(deps: GatewayDeps): Promise<void> {
  const g = servedGauge();
  g.reset();
  const account = deps.config.WHATSAPP_PUBLIC_NUMBER;
  if (!account) return;
  try {
    g.set({ account }, (await answerWithin(whatsappNumberServed(deps.redis, deps.prefix, account), SCRAPE_REDIS_MS)) ? 1 : 0);
  } catch (err) {
    deps.logger.debug({ err: (err as Error).message }, 'WhatsApp number gauge not read: Redis unreachable or slow');
  }
}
