import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analysePromql } from '../support/promql.ts';
import { checkExpr, docPointerProblems, scrapeRealServices, type Services } from '../support/real-metrics.ts';

/**
 * infra/grafana/aduan-overview.json is what a city's IT staff import into Grafana. A panel on a
 * renamed metric or a misspelt label shows "No data", which reads as "nothing happened": every
 * query is parsed with Prometheus's own PromQL grammar and checked against the real services'
 * /metrics with the alert rules' checks (tests/support/real-metrics.ts); the JSON must import
 * anywhere (a `${datasource}` variable, no datasource uid of ours) and lay out cleanly.
 */
const root = join(import.meta.dirname, '..', '..');
const DASHBOARD_FILE = 'infra/grafana/aduan-overview.json';
/** Grafana 11.6 saves dashboards with this schema version; older Grafana 11 loads it as it is. */
const SCHEMA_VERSION = 41;
const GRID_COLUMNS = 24;

interface Target {
  refId: string;
  expr: string;
  legendFormat?: string;
  datasource?: unknown;
}

interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Target[];
  datasource?: unknown;
  panels?: Panel[];
}

interface Dashboard {
  schemaVersion: number;
  templating: { list: { name: string; type: string; query: string }[] };
  panels: Panel[];
}

/**
 * Grafana's own variables, as Grafana would fill them in for a day's view with hourly bars: the
 * grammar must see a duration where a query has one.
 */
const GRAFANA_VARIABLES: Record<string, string> = { $__rate_interval: '4m', $__interval: '1h', $__range: '1d' };

/** A target's expression as Prometheus receives it: Grafana's variables filled in, and any other `$` named as a problem. */
function promqlOf(expr: string): { expr: string; problems: string[] } {
  let filled = expr;
  for (const [name, value] of Object.entries(GRAFANA_VARIABLES)) filled = filled.replaceAll(name, value);
  const left = filled.match(/\$\{?\w+\}?/g) ?? [];
  return { expr: filled, problems: left.map((v) => `variable ${v} is not one these checks fill in (${Object.keys(GRAFANA_VARIABLES).join(', ')})`) };
}

/** Every datasource reference in the JSON, with where it is. */
function datasourceRefs(node: unknown, at = '$'): { at: string; ref: unknown }[] {
  if (Array.isArray(node)) return node.flatMap((n, i) => datasourceRefs(n, `${at}[${i}]`));
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) => (k === 'datasource' ? [{ at: `${at}.${k}`, ref: v }] : datasourceRefs(v, `${at}.${k}`)));
}

const PROMETHEUS = { type: 'prometheus', uid: '${datasource}' };
const GRAFANA_BUILT_IN = { type: 'grafana', uid: '-- Grafana --' };

const overlap = (a: Panel['gridPos'], b: Panel['gridPos']) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** What is wrong with the dashboard's shape (variable, datasources, ids, descriptions, layout); [] when nothing. */
function structureProblems(dash: Dashboard): string[] {
  const problems: string[] = [];
  if (dash.schemaVersion !== SCHEMA_VERSION) problems.push(`schemaVersion is ${dash.schemaVersion}, not ${SCHEMA_VERSION}`);
  const variable = dash.templating?.list?.find((v) => v.name === 'datasource');
  if (variable?.type !== 'datasource' || variable.query !== 'prometheus') problems.push('no `datasource` variable of type datasource for Prometheus');
  for (const { at, ref } of datasourceRefs(dash)) {
    const same = (want: object) => JSON.stringify(ref) === JSON.stringify(want);
    if (!same(PROMETHEUS) && !same(GRAFANA_BUILT_IN)) problems.push(`${at}: datasource ${JSON.stringify(ref)} is not \${datasource}`);
  }
  const panels = dash.panels ?? [];
  if (panels[0]?.type !== 'row') problems.push('the first panel is not a row');
  const ids = new Set<number>();
  for (const p of panels) {
    const at = `panel ${p.id} "${p.title}"`;
    if (ids.has(p.id)) problems.push(`${at}: id used twice`);
    ids.add(p.id);
    const { x, y, w, h } = p.gridPos ?? {};
    if (![x, y, w, h].every(Number.isInteger) || x! < 0 || y! < 0 || w! < 1 || h! < 1 || x! + w! > GRID_COLUMNS) problems.push(`${at}: gridPos ${JSON.stringify(p.gridPos)} is not within the 24 columns`);
    if (!p.title?.trim()) problems.push(`${at}: no title`);
    if (p.type === 'row') {
      if (p.panels?.length) problems.push(`${at}: a collapsed row hides its panels from these checks`);
      continue;
    }
    if (!p.description?.trim()) {
      problems.push(`${at}: no description`);
      continue;
    }
    if (!p.description.includes('docs/operations.md#')) problems.push(`${at}: the description points to no section of docs/operations.md`);
    problems.push(...docPointerProblems(at, p.description));
    if (!p.targets?.length) problems.push(`${at}: no query`);
    const refIds = (p.targets ?? []).map((t) => t.refId);
    if (new Set(refIds).size !== refIds.length) problems.push(`${at}: a refId used twice`);
  }
  for (const [i, a] of panels.entries()) for (const b of panels.slice(i + 1)) if (overlap(a.gridPos, b.gridPos)) problems.push(`panels ${a.id} and ${b.id} overlap`);
  return problems;
}

/** Each query of the dashboard, with its panel for messages. */
const targetsOf = (dash: Dashboard) => dash.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ at: `panel ${p.id} "${p.title}" ${t.refId}`, target: t })));

/**
 * What is wrong with one query against the services' real /metrics: its expression as the alert
 * rules' (tests/support/real-metrics.ts), and every label its legend names (`{{label}}`) must be
 * one of its metrics' labels or a target label.
 */
function targetProblems(at: string, target: Target, services: Services): string[] {
  const { expr, problems } = promqlOf(target.expr);
  const check = checkExpr(at, expr, services);
  const all = [...problems.map((p) => `${at}: ${p}`), ...check.problems];
  for (const [, l] of (target.legendFormat ?? '').matchAll(/\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g)) if (!check.labels.has(l!)) all.push(`${at}: legend label ${l} is no label of ${check.metrics.join(', ') || 'up'}`);
  return all;
}

const dashboard = JSON.parse(readFileSync(join(root, DASHBOARD_FILE), 'utf8')) as Dashboard;

describe(DASHBOARD_FILE, () => {
  it('imports anywhere and lays out cleanly: a ${datasource} variable, unique ids, every panel described with a pointer to docs/operations.md, no overlaps', () => {
    expect(structureProblems(dashboard)).toEqual([]);
    expect(dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title.split(':')[0])).toEqual(['Intake', 'Routing', 'OPDs', 'Citizens told', 'Channels', 'Capacity', 'Access']);
  });

  it("every query parses as PromQL with Prometheus's own grammar once Grafana's variables are filled in", () => {
    const targets = targetsOf(dashboard);
    expect(targets.length).toBeGreaterThan(30);
    expect(targets.flatMap(({ at, target }) => {
      const { expr, problems } = promqlOf(target.expr);
      return [...problems, ...analysePromql(expr).errors].map((p) => `${at}: ${p}`);
    })).toEqual([]);
  });

  it('the shape check finds a duplicate id, a missing description, overlapping panels and a hard-coded datasource', () => {
    const broken = structuredClone(dashboard);
    const [, first, second, third] = broken.panels;
    second!.id = first!.id;
    delete third!.description;
    first!.gridPos = { ...second!.gridPos };
    first!.datasource = { type: 'prometheus', uid: 'P1809F7CD0C75ACF3' };
    const found = structureProblems(broken).join('\n');
    for (const problem of [/id used twice/, /no description/, /datasource .*P1809F7CD0C75ACF3.* is not \$\{datasource\}/, /panels \d+ and \d+ overlap/]) expect(found).toMatch(problem);
  });
});

describe(`${DASHBOARD_FILE} against the services' real /metrics`, () => {
  let services: Services = {};
  let stop = async () => {};

  beforeAll(async () => {
    ({ services, stop } = await scrapeRealServices('grafana'));
  }, 120_000);
  afterAll(() => stop());

  it('every metric, label and label value the panels select, and every label their legends name, is in what the services expose', () => {
    expect(targetsOf(dashboard).flatMap(({ at, target }) => targetProblems(at, target, services))).toEqual([]);
  });

  it('every complaint channel has its series: web form and radio desk through the gateway, WhatsApp and Instagram from their services', () => {
    const exprs = targetsOf(dashboard).map(({ target }) => target.expr);
    for (const metric of ['aduan_gateway_complaints_total', 'aduan_whatsapp_complaints_total', 'aduan_instagram_complaints_total']) {
      expect(exprs.some((e) => e.includes(metric))).toBe(true);
      expect(Object.values(services).some((samples) => samples.some((s) => s.name === metric))).toBe(true);
    }
  });

  it('the checks find a renamed metric, a misspelt label, value or legend label, and an unknown variable', () => {
    const found = (title: string, from: string | RegExp, to: string, field: 'expr' | 'legendFormat' = 'expr') => {
      const { at, target } = targetsOf(dashboard).find((t) => t.at.includes(`"${title}"`))!;
      const changed = { ...target, [field]: target[field]!.replace(from, to) };
      expect(changed[field]).not.toBe(target[field]);
      return targetProblems(at, changed, services).join('\n');
    };
    expect(found('Overdue complaints per OPD', 'aduan_opd_overdue_complaints', 'aduan_opd_overdue_complaint')).toMatch(/aduan_opd_overdue_complaint is in no service's \/metrics/);
    expect(found('Complaints per hour by channel', 'aduan_gateway_complaints_total', 'aduan_gateway_complaint_total')).toMatch(/aduan_gateway_complaint_total is in no service's \/metrics/);
    expect(found('Intake not routed: jobs waiting and failed', 'queue="intake"', 'queue="intak"')).toMatch(/selects no series/);
    expect(found('Intake not routed: jobs waiting and failed', 'waiting|failed', 'waiting|faild')).toMatch(/alternative "faild" matches no state/);
    expect(found('Overdue complaints per OPD', 'by (opd)', 'by (od)')).toMatch(/grouping label od/);
    expect(found('Overdue complaints per OPD', '{{opd}}', '{{od}}', 'legendFormat')).toMatch(/legend label od/);
    expect(found('Router: time to route one complaint', '$__rate_interval', '$__rate_intervl')).toMatch(/variable \$__rate_intervl/);
  });
});
