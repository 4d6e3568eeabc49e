export { envBoolean, envInt, envDurationMs, envLogLevel, envTicketPrefix, parseEnv, parseEnvOrExit, exitConfig, EXIT_CONFIG, ConfigError } from './env.ts';
export { RedisEnv } from './redis-env.ts';
export { ServiceEnv } from './service-env.ts';
export { listenOrExit } from './listen.ts';
export { jsonLines, jsonLinesOf } from './json-lines.ts';
export { ReopenEnv } from './reopen-env.ts';
