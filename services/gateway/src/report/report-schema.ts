import { z } from 'zod';
import { MONTH_PATTERN } from './monthly-report.ts';

const count = z.number().int().nonnegative();

/** One OPD's row of the monthly report: the admins' per OPD, and what an OPD's own key reads of it. */
export const OpdReportRowSchema = z.object({
  opd: z.string(),
  opdName: z.string(),
  opdShortName: z.string().meta({ description: 'As staff write it ("Dishub"); the name when the directory has no short one' }),
  total: count.meta({ description: "The month's complaints with this OPD now" }),
  waiting: count.meta({ description: 'Routed to it, no response yet' }),
  inProgress: count,
  resolved: count,
  rejected: count,
  answered: count.meta({ description: 'Responded to (in progress, resolved or rejected) since it was last routed to this OPD' }),
  answeredOnTime: count.nullable().meta({ description: 'Of `answered`, first response before the deadline (OPD_RESPONSE_DAYS working days); null when deadlines are off' }),
  overdue: count.nullable().meta({ description: 'Of `waiting`, past the deadline now; null when deadlines are off' }),
  medianResponseHours: z.number().nonnegative().nullable().meta({ description: 'Median hours from routing to the first response; null when none was answered' }),
  reopened: count.meta({ description: "Times in the month a citizen said this OPD's resolution did not solve their complaint (any month's complaint), sending it back to the OPD" }),
});

const ReportMonth = z.object({
  month: z.string().meta({ description: 'YYYY-MM, in WIB' }),
  from: z.string().meta({ description: "The month's first moment, 00:00 WIB, as UTC" }),
  to: z.string().meta({ description: "The next month's first moment" }),
  generatedAt: z.string().meta({ description: 'States are as of this moment' }),
  responseDays: z.number().int().nullable(),
});

export const MonthlyReportSchema = ReportMonth.extend({
  total: count.meta({ description: 'Complaints received in the month, once per ticket (an addition counts with its complaint)' }),
  byChannel: z.object({ whatsapp: count, instagram: count, webform: count, radio: count }),
  inTriage: count.meta({ description: 'With no OPD: waiting for an admin in triage' }),
  external: count.meta({ description: "Outside the city's remit; the citizen was told where to go" }),
  opds: z.array(OpdReportRowSchema).meta({ description: 'Each OPD with any of the month\'s complaints, the most first' }),
}).meta({ id: 'MonthlyReport' });

export const OpdMonthlyReportSchema = ReportMonth.extend(OpdReportRowSchema.shape).meta({ id: 'OpdMonthlyReport' });

export const MonthQuery = z.object({ month: z.string().regex(MONTH_PATTERN, 'month must be YYYY-MM').optional().meta({ description: 'YYYY-MM (WIB); default: this month' }) });
