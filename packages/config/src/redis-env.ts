import { z } from 'zod';

/** Redis settings shared by every service. */
export const RedisEnv = z.object({
  /** Redis connection URL. Unset: the standalone start looks on 127.0.0.1:6379 and may start a private redis-server. */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  /** BullMQ key prefix; use a hash tag such as {aduan} on Redis Cluster. */
  QUEUE_PREFIX: z.string().min(1).max(64).default('aduan'),
});
export type RedisEnv = z.infer<typeof RedisEnv>;
