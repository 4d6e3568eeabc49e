import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireRole, userOf } from '../auth/index.ts';
import type { GatewayDeps } from '../deps.ts';
import { sendPage } from '../views/page-reply.ts';
import { MONTH_PATTERN, monthBounds, monthOf, monthlyReport, type MonthlyReport } from './monthly-report.ts';
import { reportCsv } from './report-csv.ts';
import { reportPage } from './report-page.ts';

const count = z.number().int().nonnegative();
const OpdReportRowSchema = z.object({
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
});
export const MonthlyReportSchema = z
  .object({
    month: z.string().meta({ description: 'YYYY-MM, in WIB' }),
    from: z.string().meta({ description: "The month's first moment, 00:00 WIB, as UTC" }),
    to: z.string().meta({ description: "The next month's first moment" }),
    generatedAt: z.string().meta({ description: 'States are as of this moment' }),
    responseDays: z.number().int().nullable(),
    total: count.meta({ description: 'Complaints received in the month, once per ticket (an addition counts with its complaint)' }),
    byChannel: z.object({ whatsapp: count, instagram: count, webform: count, radio: count }),
    inTriage: count.meta({ description: 'With no OPD: waiting for an admin in triage' }),
    external: count.meta({ description: "Outside the city's remit; the citizen was told where to go" }),
    opds: z.array(OpdReportRowSchema).meta({ description: 'Each OPD with any of the month\'s complaints, the most first' }),
  })
  .meta({ id: 'MonthlyReport' });

const MonthQuery = z.object({ month: z.string().regex(MONTH_PATTERN, 'month must be YYYY-MM').optional().meta({ description: 'YYYY-MM (WIB); default: this month' }) });

/** The monthly report: `/admin/rekap` (page), `GET /api/v1/reports/monthly` (JSON) and `.csv`. */
export function registerReports(app: FastifyInstance, deps: GatewayDeps): void {
  const admin = requireRole('admin');
  const r = app.withTypeProvider<ZodTypeProvider>();
  const names = new Map(deps.directory.opds.map((o) => [o.code, { name: o.name, shortName: o.shortName }]));

  async function build(month: string): Promise<MonthlyReport> {
    const { fromMs, toMs } = monthBounds(month);
    const complaints = await deps.status.reportEntries(await deps.status.receivedIn(fromMs, toMs));
    return monthlyReport(month, complaints, { deadline: deps.deadline, nowMs: Date.now(), names });
  }

  r.get('/api/v1/reports/monthly', {
    preHandler: admin,
    schema: {
      summary: "A month's complaints per OPD, by where they stand now (admin)",
      description: 'Counts each complaint received in the month (WIB) once, for the OPD it is with now. A `month` that is not YYYY-MM: 400 `validation_failed`, field code `invalid`.',
      tags: ['reports'],
      querystring: MonthQuery,
      response: { 200: MonthlyReportSchema },
    },
  }, async (req) => build(req.query.month ?? monthOf(Date.now())));

  r.get('/api/v1/reports/monthly.csv', {
    preHandler: admin,
    schema: {
      summary: 'The monthly report as CSV for Excel (admin)',
      description: 'UTF-8 with a byte order mark, `;`-separated, decimal comma, CRLF: one row per OPD, then `dinas` (their sums), `triase`, `luar` and `jumlah` (the total of the month).',
      tags: ['reports'],
      querystring: MonthQuery,
    },
  }, async (req, reply) => {
    const report = await build(req.query.month ?? monthOf(Date.now()));
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="rekap-aduan-${report.month}.csv"`).header('cache-control', 'no-store').send(reportCsv(report));
  });

  app.get<{ Querystring: { bulan?: unknown } }>('/admin/rekap', { preHandler: admin, schema: { hide: true } }, async (req, reply) => {
    const current = monthOf(Date.now());
    const asked = typeof req.query.bulan === 'string' ? req.query.bulan.trim() : undefined;
    const valid = asked !== undefined && MONTH_PATTERN.test(asked);
    const month = valid ? asked : current;
    const report = await build(month);
    return sendPage(reply, reportPage(report, { username: userOf(req).username, current, ...(asked && !valid ? { error: `“${asked.slice(0, 20)}” tidak dikenali sebagai bulan. Tulis tahun dan bulan, misalnya ${current}. Ditampilkan rekap bulan ini.` } : {}) }));
  });
}
