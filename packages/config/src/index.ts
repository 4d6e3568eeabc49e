export { envBoolean, envInt, envDurationMs, envLogLevel, envTicketPrefix, parseEnv, parseEnvOrExit, EXIT_CONFIG, ConfigError } from './env.ts';
export { RedisEnv } from './redis-env.ts';
export { ServiceEnv } from './service-env.ts';
