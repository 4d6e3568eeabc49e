import { z } from 'zod';
import { envDurationMs } from './env.ts';
import { RedisEnv } from './redis-env.ts';

/** Settings every long-running service reads: Redis, and how long it may take to stop. */
export const ServiceEnv = RedisEnv.extend({
  /**
   * How long a service may take to stop on SIGTERM (finish in-flight requests and jobs, close
   * connections) before it exits anyway with code 1. Below Docker's 10 s grace period.
   */
  SHUTDOWN_TIMEOUT: envDurationMs('8s'),
  /**
   * When set, `/metrics` answers only a request with `Authorization: Bearer <METRICS_TOKEN>`
   * (Prometheus: `authorization: { credentials_file: ... }`), and 401 to any other. Unset, it
   * answers anyone who reaches the port: the gateway's is the public one.
   */
  METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN must be at least 16 characters (openssl rand -hex 24)').optional(),
});
export type ServiceEnv = z.infer<typeof ServiceEnv>;
