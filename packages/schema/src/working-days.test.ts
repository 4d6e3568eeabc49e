import { describe, expect, it } from 'vitest';
import { HolidaysFileError, ResponseDeadline, parseHolidays } from './working-days.ts';

/** A moment given in WIB (UTC+7), as people in Blitar read it. */
const wib = (local: string) => Date.parse(`${local}+07:00`);
const iso = (ms: number) => new Date(ms).toISOString();
const fiveDays = new ResponseDeadline(5, new Set());

describe('ResponseDeadline', () => {
  it('gives 5 working days from the day after routing: routed on a Monday, overdue from Tuesday of the next week', () => {
    // Mon 30 Nov 2026 -> Tue 1, Wed 2, Thu 3, Fri 4, Mon 7 Dec; late from Tue 8 Dec, 00.00 WIB.
    expect(iso(fiveDays.respondBy(wib('2026-11-30T10:00:00')))).toBe(iso(wib('2026-12-08T00:00:00')));
    expect(iso(fiveDays.respondBy(wib('2026-11-30T23:59:00')))).toBe(iso(wib('2026-12-08T00:00:00')));
  });

  it('skips the weekend: routed on Friday afternoon, Saturday or Sunday, the five days are Monday to Friday', () => {
    const monday14 = iso(wib('2026-12-14T00:00:00'));
    expect(iso(fiveDays.respondBy(wib('2026-12-04T16:00:00')))).toBe(monday14);
    expect(iso(fiveDays.respondBy(wib('2026-12-05T09:00:00')))).toBe(monday14);
    expect(iso(fiveDays.respondBy(wib('2026-12-06T21:00:00')))).toBe(monday14);
  });

  it('reads the day in WIB, not UTC: 17.30 UTC on Friday is already Saturday in Blitar', () => {
    // Fri 4 Dec 2026 17:30 UTC = Sat 5 Dec 00.30 WIB: a Saturday routing, not a Friday one.
    expect(iso(fiveDays.respondBy(Date.parse('2026-12-04T17:30:00Z')))).toBe(iso(wib('2026-12-14T00:00:00')));
    // Fri 4 Dec 2026 16:59 UTC = Fri 23.59 WIB.
    expect(iso(fiveDays.respondBy(Date.parse('2026-12-04T16:59:00Z')))).toBe(iso(wib('2026-12-14T00:00:00')));
    expect(iso(fiveDays.respondBy(Date.parse('2026-12-03T16:59:00Z')))).toBe(iso(wib('2026-12-11T00:00:00')));
  });

  it("skips the operator's listed holidays as it skips weekends", () => {
    // Dates made up for the test (the shipped file lists none): Thu 24 and Fri 25 Dec 2026.
    const withHolidays = new ResponseDeadline(5, new Set(['2026-12-24', '2026-12-25']));
    // Mon 21 Dec -> Tue 22, Wed 23, (24, 25 off, weekend), Mon 28, Tue 29, Wed 30; late from Thu 31.
    expect(iso(withHolidays.respondBy(wib('2026-12-21T08:00:00')))).toBe(iso(wib('2026-12-31T00:00:00')));
    expect(iso(fiveDays.respondBy(wib('2026-12-21T08:00:00')))).toBe(iso(wib('2026-12-29T00:00:00')));
    // A holiday on the day the deadline would end on pushes its end past it.
    const fridayOff = new ResponseDeadline(1, new Set(['2026-12-04']));
    expect(iso(fridayOff.respondBy(wib('2026-12-03T10:00:00')))).toBe(iso(wib('2026-12-08T00:00:00')));
  });

  it('names the last working day to answer on: a Friday when the deadline turns overdue on Monday, never a weekend or a holiday', () => {
    // Routed Fri 4 Dec: Mon 7 to Fri 11 Dec; overdue from Mon 14 Dec. The day before that is a Sunday.
    expect(iso(fiveDays.lastDay(wib('2026-12-04T16:00:00')))).toBe(iso(wib('2026-12-11T00:00:00')));
    expect(iso(fiveDays.lastDay(wib('2026-11-30T10:00:00')))).toBe(iso(wib('2026-12-07T00:00:00')));
    const withHolidays = new ResponseDeadline(5, new Set(['2026-12-24', '2026-12-25']));
    expect(iso(withHolidays.lastDay(wib('2026-12-21T08:00:00')))).toBe(iso(wib('2026-12-30T00:00:00')));
    // With a holiday right before the overdue day: the day before respondBy is that holiday, not the last day.
    const fridayOff = new ResponseDeadline(1, new Set(['2026-12-04']));
    expect(iso(fridayOff.lastDay(wib('2026-12-02T10:00:00')))).toBe(iso(wib('2026-12-03T00:00:00')));
  });

  it('counts working days late, today once it has begun, and none over a weekend after the deadline', () => {
    const routed = wib('2026-11-30T10:00:00');
    expect(fiveDays.workingDaysLate(routed, wib('2026-12-07T23:59:00'))).toBe(0);
    expect(fiveDays.workingDaysLate(routed, wib('2026-12-08T00:00:00'))).toBe(1);
    expect(fiveDays.workingDaysLate(routed, wib('2026-12-12T12:00:00'))).toBe(4);
    expect(fiveDays.workingDaysLate(routed, wib('2026-12-13T12:00:00'))).toBe(4);
    expect(fiveDays.workingDaysLate(routed, wib('2026-12-14T08:00:00'))).toBe(5);
    expect(new ResponseDeadline(5, new Set(['2026-12-08'])).workingDaysLate(routed, wib('2026-12-08T12:00:00'))).toBe(0);
  });

  it('overdueBefore(now) is the routing time before which respondBy has passed: one bound for an index sorted by routing time', () => {
    const calendars = [fiveDays, new ResponseDeadline(1, new Set()), new ResponseDeadline(3, new Set(['2026-12-24', '2026-12-25', '2027-01-01']))];
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const start = wib('2026-11-01T00:00:00');
    for (const d of calendars) {
      for (let i = 0; i < 300; i++) {
        const now = start + Math.floor(next() * 90 * 86_400_000);
        const cutoff = d.overdueBefore(now);
        for (const routed of [cutoff - 1, cutoff, now - Math.floor(next() * 30 * 86_400_000)]) {
          expect(d.respondBy(routed) <= now, `routed ${iso(routed)}, now ${iso(now)}`).toBe(routed < cutoff);
          expect(d.workingDaysLate(routed, now) > 0).toBe(routed < cutoff);
        }
      }
    }
  });

  it('refuses 0 days (the feature is off then: no deadline at all)', () => {
    expect(() => new ResponseDeadline(0, new Set())).toThrow(RangeError);
  });
});

describe('parseHolidays', () => {
  it('reads one date a line, with comments and blank lines', () => {
    const text = '# Cuti bersama, from the SKB\n\n2026-12-24\n2026-12-25   # Natal\r\n  # indented comment\n';
    expect([...parseHolidays(text)]).toEqual(['2026-12-24', '2026-12-25']);
    expect(parseHolidays('# only a header\n').size).toBe(0);
  });

  it('refuses a line that is not a real YYYY-MM-DD date, naming its line', () => {
    const err = (() => {
      try {
        parseHolidays('2026-12-25\n25-12-2026\n2026-02-30\n2026-12-31 2027-01-01\n');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(HolidaysFileError);
    expect((err as HolidaysFileError).problems).toEqual([
      'line 2: "25-12-2026" is not a date written YYYY-MM-DD',
      'line 3: "2026-02-30" is not a date written YYYY-MM-DD',
      'line 4: "2026-12-31 2027-01-01" is not a date written YYYY-MM-DD',
    ]);
  });
});
