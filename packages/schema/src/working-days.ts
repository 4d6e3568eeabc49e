import { WIB_OFFSET_MS } from './wib-time.ts';

const DAY_MS = 86_400_000;
/** How far back a complaint's lateness is counted at most: its status record lives 400 days. */
const MAX_LATE_DAYS = 1_000;

/** The WIB calendar day of a moment, as a day number (days since 1 Jan 1970 in WIB). */
const wibDay = (ms: number) => Math.floor((ms + WIB_OFFSET_MS) / DAY_MS);
/** 00:00 WIB of a day number, in ms. */
const wibDayStart = (day: number) => day * DAY_MS - WIB_OFFSET_MS;
/** A day number as YYYY-MM-DD (the holidays file's form). */
const isoDate = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** A holidays file that does not read: each bad line, by number. */
export class HolidaysFileError extends Error {
  readonly code = 'ADUAN_ERR_HOLIDAYS_FILE';
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join('; '));
    this.problems = problems;
    this.name = 'HolidaysFileError';
  }
}

/**
 * The dates of an operator's holidays file: one YYYY-MM-DD per line, `#` starting a comment (a
 * whole line or the rest of one), blank lines ignored. Every other line is a mistake, refused
 * with its line number rather than skipped: a holiday typed wrong would silently count as a
 * working day, and make OPDs late on a day nobody works.
 */
export function parseHolidays(text: string): Set<string> {
  const dates = new Set<string>();
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const entry = line.replace(/#.*/, '').trim();
    if (entry === '') return;
    const ms = /^\d{4}-\d{2}-\d{2}$/.test(entry) ? Date.parse(`${entry}T00:00:00Z`) : Number.NaN;
    // Date.parse takes 2026-02-30 as 2 March: a date must read back as written.
    if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== entry) problems.push(`line ${i + 1}: "${entry}" is not a date written YYYY-MM-DD`);
    else dates.add(entry);
  });
  if (problems.length > 0) throw new HolidaysFileError(problems);
  return dates;
}

/**
 * How long an OPD has to respond to a complaint routed to it: `days` working days (Monday to
 * Friday in WIB, the listed holidays skipped), counted from the day after the one it was routed
 * on, so a complaint routed at 16.00 loses no day to its late hour. The OPD is late once the
 * first working day after those has begun: a deadline that ends on a Friday turns overdue on
 * Monday at 00.00 WIB, not over the weekend nobody works. Pure: every method takes "now".
 */
export class ResponseDeadline {
  readonly days: number;
  private readonly holidays: ReadonlySet<string>;
  private readonly respondByDay = new Map<number, number>();

  constructor(days: number, holidays: ReadonlySet<string>) {
    if (!Number.isInteger(days) || days < 1) throw new RangeError(`a response deadline needs 1 working day or more, not ${days}`);
    this.days = days;
    this.holidays = holidays;
  }

  /** Whether the WIB day of `ms` is a working day (Monday to Friday, not a listed holiday). */
  isWorkingDayAt(ms: number): boolean {
    return this.isWorkingDay(wibDay(ms));
  }

  private isWorkingDay(day: number): boolean {
    const weekday = new Date(day * DAY_MS).getUTCDay();
    return weekday !== 0 && weekday !== 6 && !this.holidays.has(isoDate(day));
  }

  /**
   * The moment a complaint routed at `routedMs` turns overdue: 00.00 WIB of the first working day
   * after its `days`. Remembered per routing day (the monthly report asks it for thousands of
   * complaints routed on a few dozen days); a long-running process forgets them all past 4,096.
   */
  respondBy(routedMs: number): number {
    const routedDay = wibDay(routedMs);
    const known = this.respondByDay.get(routedDay);
    if (known !== undefined) return known;
    let day = routedDay;
    for (let counted = 0; counted <= this.days; ) if (this.isWorkingDay(++day)) counted++;
    if (this.respondByDay.size >= 4_096) this.respondByDay.clear();
    this.respondByDay.set(routedDay, wibDayStart(day));
    return wibDayStart(day);
  }

  /**
   * 00.00 WIB of the last working day a complaint routed at `routedMs` may be answered on (the
   * `days`-th working day after its routing day; respondBy is the next working day's start):
   * what staff read as "paling lambat", never a weekend or a listed holiday.
   */
  lastDay(routedMs: number): number {
    let day = wibDay(routedMs);
    for (let counted = 0; counted < this.days; ) if (this.isWorkingDay(++day)) counted++;
    return wibDayStart(day);
  }

  /**
   * The routing moment before which every complaint is overdue at `nowMs` (respondBy(t) <= now
   * exactly when t < this): one bound for a whole index sorted by routing time, so counting the
   * overdue ones is one ZCOUNT, whatever their number.
   */
  overdueBefore(nowMs: number): number {
    let day = wibDay(nowMs) + 1;
    for (let counted = 0; counted <= this.days; ) if (this.isWorkingDay(--day)) counted++;
    return wibDayStart(day);
  }

  /** How many working days past its deadline a complaint routed at `routedMs` is at `nowMs` (today counted once it has begun); 0 when not overdue. */
  workingDaysLate(routedMs: number, nowMs: number): number {
    const today = wibDay(nowMs);
    let elapsed = 0;
    for (let day = Math.max(wibDay(routedMs), today - MAX_LATE_DAYS) + 1; day <= today; day++) if (this.isWorkingDay(day)) elapsed++;
    return Math.max(0, elapsed - this.days);
  }
}
