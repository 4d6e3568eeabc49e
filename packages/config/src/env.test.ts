import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, envLogLevel, envTicketPrefix, parseEnv } from './env.ts';

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
