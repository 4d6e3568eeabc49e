export { envBoolean, envInt, envDurationMs, parseEnv, ConfigError } from './env.ts';
export { RedisEnv } from './redis-env.ts';
