import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, envLogLevel, envTicketPrefix, parseEnv } from './env.ts';
import { ServiceEnv } from './service-env.ts';

const Shared = z.object({ LOG_LEVEL: envLogLevel('warn'), TICKET_PREFIX: envTicketPrefix() });

describe('settings every service shares', () => {
  it('defaults, and accepts what pino and the ticket format accept', () => {
    expect(parseEnv(Shared, {})).toEqual({ LOG_LEVEL: 'warn', TICKET_PREFIX: 'ADU' });
    expect(parseEnv(Shared, { LOG_LEVEL: 'silent', TICKET_PREFIX: 'LAPOR' })).toEqual({ LOG_LEVEL: 'silent', TICKET_PREFIX: 'LAPOR' });
  });

  it('refuses a level pino does not know and a prefix a ticket cannot carry', () => {
    expect(() => parseEnv(Shared, { LOG_LEVEL: 'verbose' })).toThrow(ConfigError);
    for (const prefix of ['adu', 'A', 'ADUAN1', 'TOOLONG']) expect(() => parseEnv(Shared, { TICKET_PREFIX: prefix })).toThrow(ConfigError);
  });
});

describe('METRICS_TOKEN', () => {
  it('is optional (empty is unset) and refused when short enough to guess', () => {
    expect(parseEnv(ServiceEnv, {}).METRICS_TOKEN).toBeUndefined();
    expect(parseEnv(ServiceEnv, { METRICS_TOKEN: '' }).METRICS_TOKEN).toBeUndefined();
    expect(parseEnv(ServiceEnv, { METRICS_TOKEN: 'a'.repeat(16) }).METRICS_TOKEN).toBe('a'.repeat(16));
    expect(() => parseEnv(ServiceEnv, { METRICS_TOKEN: 'prometheus' })).toThrow('METRICS_TOKEN must be at least 16 characters (openssl rand -hex 24)');
  });
});

describe('what an invalid configuration says', () => {
  const Service = z.object({ WA_NUMBERS: z.string().min(1), PORT: z.coerce.number().int().default(3000) });
  const message = (env: NodeJS.ProcessEnv) => {
    try {
      parseEnv(Service, env);
    } catch (err) {
      return (err as ConfigError).message;
    }
    throw new Error('parsed');
  };

  it('says a missing variable is required, in words an operator acts on, not zod\'s "expected string, received undefined"', () => {
    expect(message({})).toBe('invalid configuration:\n✖ WA_NUMBERS is required (not set; see the service\'s .env.example)\n  → at WA_NUMBERS');
    expect(message({ WA_NUMBERS: '' })).toContain('WA_NUMBERS is required');
  });

  it('says a number that is not one is not a number, not "received NaN"', () => {
    expect(message({ WA_NUMBERS: '+6281100000000', PORT: 'abc' })).toBe('invalid configuration:\n✖ PORT must be a number\n  → at PORT');
  });
});
