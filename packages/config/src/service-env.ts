import type { z } from 'zod';
import { envDurationMs } from './env.ts';
import { RedisEnv } from './redis-env.ts';

/** Settings every long-running service reads: Redis, and how long it may take to stop. */
export const ServiceEnv = RedisEnv.extend({
  /**
   * How long a service may take to stop on SIGTERM (finish in-flight requests and jobs, close
   * connections) before it exits anyway with code 1. Below Docker's 10 s grace period.
   */
  SHUTDOWN_TIMEOUT: envDurationMs('8s'),
});
export type ServiceEnv = z.infer<typeof ServiceEnv>;
