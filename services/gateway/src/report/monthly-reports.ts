import type { GatewayDeps } from '../deps.ts';
import { monthBounds, monthlyReport, opdMonthlyReport, type MonthlyReport, type OpdMonthlyReport } from './monthly-report.ts';

/**
 * Reads a month's report from the status records, as things stand now: the admins' whole report
 * (`/admin/rekap`, `/api/v1/reports/monthly`) or one OPD's row of it (`/opd/rekap`,
 * `/api/v1/opd/report`). Either reads every complaint received in the month (a province's 30,000
 * in 0.5–0.75 s, tests/bench/report-bench.ts): fine for a page or a call someone asked for, not
 * for a page staff keep open and reload all day, such as the OPD inbox.
 */
export class MonthlyReports {
  private readonly deps: Pick<GatewayDeps, 'status' | 'deadline'>;
  private readonly names: ReadonlyMap<string, { name: string; shortName: string }>;

  constructor(deps: Pick<GatewayDeps, 'status' | 'deadline' | 'directory'>) {
    this.deps = deps;
    this.names = new Map(deps.directory.opds.map((o) => [o.code, { name: o.name, shortName: o.shortName }]));
  }

  async month(month: string): Promise<MonthlyReport> {
    const { fromMs, toMs } = monthBounds(month);
    const [complaints, reopened] = await Promise.all([this.deps.status.receivedIn(fromMs, toMs).then((ids) => this.deps.status.reportEntries(ids)), this.deps.status.reopenCounts(month)]);
    return monthlyReport(month, complaints, { deadline: this.deps.deadline, nowMs: Date.now(), names: this.names, reopened });
  }

  /** `opd`'s row of the month, counted as the admins' report counts it (zeros for a quiet month). */
  async opd(opd: string, month: string): Promise<OpdMonthlyReport> {
    return opdMonthlyReport(await this.month(month), opd, this.names);
  }
}
