import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { exitConfig } from '@aduan/config';
import { HolidaysFileError, ResponseDeadline, parseHolidays } from '@aduan/schema';
import type { GatewayEnv } from '../config.ts';

/** The holidays file the repository ships (a header, no dates: the operator adds each year's). */
export const DEFAULT_HOLIDAYS_FILE = fileURLToPath(new URL('../../../../infra/holidays.txt', import.meta.url));

/**
 * The OPDs' response deadline (OPD_RESPONSE_DAYS working days, the holidays of HOLIDAYS_FILE
 * skipped), or undefined when OPD_RESPONSE_DAYS is 0: no deadline, no overdue metric, no
 * `respondBy`. Throws when the holidays file cannot be read or has a line that is not a date.
 */
export function loadResponseDeadline(config: Pick<GatewayEnv, 'OPD_RESPONSE_DAYS' | 'HOLIDAYS_FILE'>): ResponseDeadline | undefined {
  if (config.OPD_RESPONSE_DAYS === 0) return undefined;
  return new ResponseDeadline(config.OPD_RESPONSE_DAYS, parseHolidays(readFileSync(config.HOLIDAYS_FILE ?? DEFAULT_HOLIDAYS_FILE, 'utf8')));
}

/** loadResponseDeadline() for a service's start: a holidays file that does not read is a configuration mistake (exit 78). */
export function loadResponseDeadlineOrExit(config: Pick<GatewayEnv, 'OPD_RESPONSE_DAYS' | 'HOLIDAYS_FILE'>): ResponseDeadline | undefined {
  try {
    return loadResponseDeadline(config);
  } catch (err) {
    const why = err instanceof HolidaysFileError ? err.message : ((err as NodeJS.ErrnoException).code ?? (err as Error).message);
    exitConfig(`the holidays file (HOLIDAYS_FILE, ${config.HOLIDAYS_FILE ?? 'infra/holidays.txt'}) does not read: ${why}`);
  }
}
