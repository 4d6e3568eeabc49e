import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireRole, userOf } from '../auth/index.ts';
import { sendPage } from '../views/page-reply.ts';
import { monthOf } from './monthly-report.ts';
import type { MonthlyReports } from './monthly-reports.ts';
import { reportCsv } from './report-csv.ts';
import { askedMonth, reportPage } from './report-page.ts';
import { MonthQuery, MonthlyReportSchema } from './report-schema.ts';

/** The monthly report: `/admin/rekap` (page), `GET /api/v1/reports/monthly` (JSON) and `.csv`. */
export function registerReports(app: FastifyInstance, reports: MonthlyReports): void {
  const admin = requireRole('admin');
  const r = app.withTypeProvider<ZodTypeProvider>();
  const build = (month: string) => reports.month(month);

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
    const { month, ...asked } = askedMonth(req.query.bulan, Date.now());
    return sendPage(reply, reportPage(await build(month), { username: userOf(req).username, ...asked }));
  });
}
