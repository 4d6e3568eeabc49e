import { z } from 'zod';
import { envBoolean, envInt } from '@aduan/config';
import { GatewayEnv } from '@aduan/gateway';

/** The all-in-one process: the gateway's variables plus the router's and local-Redis settings. */
export const StandaloneEnv = GatewayEnv.extend({
  /** Below this confidence (0..1) a complaint goes to `triage`. */
  TRIAGE_THRESHOLD: z.coerce.number().min(0).max(1).optional(),
  /** Intake jobs routed in parallel at most; fewer while the event loop is busy with intake (intake-first.ts). */
  ROUTER_CONCURRENCY: envInt(16, { min: 1, max: 256 }),
  /** Where the private redis-server keeps its AOF files when one has to be started. */
  DATA_DIR: z.string().default('data'),
  /** Start a private redis-server when REDIS_URL is unset and nothing answers on 127.0.0.1:6379. */
  REDIS_AUTOSTART: envBoolean(true),
});
export type StandaloneEnv = z.infer<typeof StandaloneEnv>;
