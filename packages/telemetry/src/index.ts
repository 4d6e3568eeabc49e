export { createLogger, REDACT_PATHS, type Logger, type LoggerOptions } from './logger.ts';
export { metricsRegistry } from './metrics.ts';
