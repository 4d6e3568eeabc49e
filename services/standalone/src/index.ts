export { StandaloneEnv } from './config.ts';
export { resolveRedis } from './resolve-redis.ts';
