import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One registry per process. Metric labels never carry personal data: only channel, queue,
 * OPD code, outcome and similar closed sets.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'aduan_' });
