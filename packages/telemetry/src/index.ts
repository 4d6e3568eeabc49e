export { refreshDataDiskGauges, type DataDirs } from './data-disks.ts';
export { createLogger, REDACT_PATHS, type Logger, type LoggerOptions } from './logger.ts';
export { metricsRegistry } from './metrics.ts';
export { onShutdown, type ShutdownOptions, type ShutdownStep, type Stop } from './shutdown.ts';
export { bearerMatches, metricsAuth } from './metrics-auth.ts';
