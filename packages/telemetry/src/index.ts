export { createLogger, REDACT_PATHS, type Logger, type LoggerOptions } from './logger.ts';
export { metricsRegistry, resetMetricsForTests } from './metrics.ts';
