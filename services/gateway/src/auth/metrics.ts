import { Counter } from 'prom-client';
import { metricsRegistry } from '@aduan/telemetry';

let logins: Counter<'outcome'> | undefined;

/** Login attempts by outcome (ok, invalid, disabled, blocked), a change of password's current password among them (guessPassword): a spike of "invalid" is a guessing attack. */
export function loginCounter(): Counter<'outcome'> {
  logins ??= new Counter({ name: 'aduan_gateway_logins_total', help: 'Operator/admin login attempts by outcome', labelNames: ['outcome'], registers: [metricsRegistry] });
  return logins;
}
