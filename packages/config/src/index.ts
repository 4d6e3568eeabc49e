export { envBoolean, envInt, envDurationMs, parseEnv, ConfigError } from './env.ts';
export { RedisEnv, type RedisEnv as RedisEnvType } from './redis-env.ts';
