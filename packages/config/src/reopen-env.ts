import { z } from 'zod';
import { envInt } from './env.ts';

/**
 * When a citizen may reopen a resolved complaint (ADR 0014): read by every service a citizen says
 * it through (the gateway's status page and API, the chat adapters' "belum <ticket>"), so that
 * each answers alike. Set them equal everywhere.
 */
export const ReopenEnv = z.object({
  /** Days after an OPD reports a complaint resolved during which its citizen may say it is not solved; 0 turns reopening off. */
  REOPEN_DAYS: envInt(14, { min: 0, max: 365 }),
  /** How many times one complaint may be reopened at most. */
  REOPEN_MAX: envInt(2, { min: 0, max: 20 }),
});
export type ReopenEnv = z.infer<typeof ReopenEnv>;
