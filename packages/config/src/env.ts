import { z } from 'zod';
import { exitIfWarmingCompileCache } from './compile-cache.ts';

/** Raised when the environment does not describe a runnable service. */
export class ConfigError extends Error {
  readonly code = 'ADUAN_ERR_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Booleans accept only "true"/"1" and "false"/"0" (or unset -> default), so a typo such as
 * "ture" is a start-up error instead of a silent false.
 */
export const envBoolean = (fallback: boolean) =>
  z
    .enum(['true', '1', 'false', '0'])
    .optional()
    .transform((v) => (v === undefined ? fallback : v === 'true' || v === '1'));

export const envInt = (fallback: number, opts: { min?: number; max?: number } = {}) =>
  z.coerce
    .number()
    .int()
    .min(opts.min ?? Number.MIN_SAFE_INTEGER)
    .max(opts.max ?? Number.MAX_SAFE_INTEGER)
    .default(fallback);

/** Durations are written as "500ms", "30s", "5m", "2h", "7d" or a bare number of milliseconds. */
export const envDurationMs = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((raw, ctx) => {
      const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(raw.trim());
      if (!m) {
        ctx.addIssue({ code: 'custom', message: `not a duration: "${raw}" (use e.g. 500ms, 30s, 5m, 2h, 7d)` });
        return z.NEVER;
      }
      const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms'] ?? 1;
      return Math.round(Number(m[1]) * unit);
    });

/** pino's levels; 'silent' turns logging off. */
export const envLogLevel = (fallback: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' = 'info') =>
  z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default(fallback);

/** The prefix of readable tickets (ADU-XXXX-XXXX): 2 to 5 capital letters. Every intake service must agree. */
export const envTicketPrefix = () => z.string().regex(/^[A-Z]{2,5}$/).default('ADU');

/**
 * zod's own words for the two commonest mistakes ("Invalid input: expected string, received
 * undefined", "... received NaN") name neither the mistake nor what to do. A schema's own message
 * still wins over these.
 */
const ENV_ISSUE_MESSAGES = {
  error: (issue: z.core.$ZodRawIssue) => {
    if (issue.code !== 'invalid_type') return undefined;
    const name = (issue.path ?? []).join('.');
    if (issue.input === undefined) return `${name} is required (not set; see the service's .env.example)`;
    if (issue.expected === 'number' && Number.isNaN(issue.input)) return `${name} must be a number`;
    return undefined;
  },
};

/**
 * Parses the environment once and returns a frozen object, or throws one readable ConfigError.
 * A variable set to the empty string counts as unset, so it takes its default: docker-compose's
 * `${VAR:-}` and an `.env` line `VAR=` pass "", which would otherwise read as the number 0 or
 * fail a format check with a message about a value nobody meant to give.
 */
// eslint-disable-next-line no-restricted-syntax -- the one place that reads the environment
export function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv = process.env): Readonly<z.output<T>> {
  // Every service reads its configuration first thing: the place to stop a warm-up run.
  exitIfWarmingCompileCache(env);
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = schema.safeParse(given, ENV_ISSUE_MESSAGES);
  if (!result.success) {
    throw new ConfigError(`invalid configuration:\n${z.prettifyError(result.error)}`);
  }
  return Object.freeze(result.data) as Readonly<z.output<T>>;
}

/** The exit code of a process whose configuration is invalid (EX_CONFIG of sysexits.h). */
export const EXIT_CONFIG = 78;

/**
 * `parseEnv` for a process's entry point: an invalid configuration prints what is wrong, which
 * variable and why, on stderr, and exits with EXIT_CONFIG, without a stack trace: the operator
 * needs the variable's name, not the line of code that read it.
 */
// eslint-disable-next-line no-restricted-syntax -- the default is the process's environment, as in parseEnv
export function parseEnvOrExit<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv = process.env): Readonly<z.output<T>> {
  try {
    return parseEnv(schema, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    exitConfig(err.message);
  }
}

/** Stops a process that cannot start as configured: `message` on stderr, no stack trace, exit code EXIT_CONFIG. */
export function exitConfig(message: string): never {
  process.stderr.write(`Aduan cannot start: ${message}\n`);
  process.exit(EXIT_CONFIG);
}
