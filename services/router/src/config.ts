import { z } from 'zod';
import { ServiceEnv, envInt, envLogLevel } from '@aduan/config';

export const RouterEnv = ServiceEnv.extend({
  /** HTTP port for /healthz, /readyz and /metrics when the router runs alone. */
  PORT: envInt(3001, { min: 0, max: 65535 }),
  /** Listen address. */
  HOST: z.string().default('0.0.0.0'),
  /** Below this confidence (0..1) a complaint goes to `triage` instead of an OPD queue. */
  TRIAGE_THRESHOLD: z.coerce.number().min(0).max(1).optional(),
  /** Path to the OPD directory data; defaults to the repository's infra/routing. */
  ROUTING_DIRECTORY: z.string().optional(),
  /**
   * Intake jobs processed in parallel. A job is mostly waiting for Redis: 64 drained a backlog
   * ~30% faster than 16 (docs/performance.md). The all-in-one keeps 16, the most it gives the
   * router next to the web intake.
   */
  ROUTER_CONCURRENCY: envInt(64, { min: 1, max: 256 }),
  /** Keep every routed complaint (all channels) this many days in the radio desk's duplicate-hint index; 0 turns it off. Match the gateway's DESK_HINT_DAYS. */
  DESK_HINT_DAYS: envInt(3, { min: 0, max: 30 }),
  /** pino log level. */
  LOG_LEVEL: envLogLevel(),
});
export type RouterEnv = z.infer<typeof RouterEnv>;
