export { StandaloneEnv } from './config.ts';
export { resolveRedis, DEFAULT_REDIS_URL } from './resolve-redis.ts';
