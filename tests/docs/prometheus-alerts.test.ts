import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { select } from '../support/metrics-text.ts';
import { analysePromql } from '../support/promql.ts';
import { checkExpr, docPointerProblems, scrapeRealServices, type Services } from '../support/real-metrics.ts';

/**
 * infra/prometheus/aduan-alerts.yml is what a city's IT staff drop into Prometheus. An alert on a
 * renamed metric, a misspelt label or a value no service emits never fires, and nothing says so:
 * every rule is parsed with Prometheus's own PromQL grammar and checked against what the real
 * services answer on /metrics, each driven until the series the rules select exist.
 */
const root = join(import.meta.dirname, '..', '..');
const RULES_FILE = 'infra/prometheus/aduan-alerts.yml';

interface Rule {
  alert: string;
  expr: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** The severities the file's header defines, most urgent first. */
const SEVERITIES = ['critical', 'warning', 'info'];

const RULE_KEYS = new Set(['alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations']);
const GROUP_KEYS = new Set(['name', 'rules', 'interval', 'limit']);
const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;
/** Go template actions the annotations may use: a label or the value, with one of Prometheus's humanizers. */
const TEMPLATE = /^\{\{ \$(value|labels\.[a-zA-Z_][a-zA-Z0-9_]*)( \| (humanize|humanizeDuration|humanizePercentage))? \}\}$/;

/** What is wrong with the file's shape (groups, rules, fields, templates, runbook pointers); [] when nothing. */
function structureProblems(doc: unknown): string[] {
  const problems: string[] = [];
  const groups = (doc as { groups?: unknown } | null)?.groups;
  if (!Array.isArray(groups) || groups.length === 0) return ['no `groups` list'];
  const alerts = new Set<string>();
  for (const group of groups as Record<string, unknown>[]) {
    const where = `group ${String(group.name)}`;
    if (typeof group.name !== 'string' || group.name === '') problems.push('a group without a name');
    for (const k of Object.keys(group)) if (!GROUP_KEYS.has(k)) problems.push(`${where}: unknown key ${k}`);
    if (!Array.isArray(group.rules) || group.rules.length === 0) {
      problems.push(`${where}: no rules`);
      continue;
    }
    for (const rule of group.rules as Record<string, unknown>[]) {
      const name = String(rule.alert);
      const at = `${where}, ${name}`;
      for (const k of Object.keys(rule)) if (!RULE_KEYS.has(k)) problems.push(`${at}: unknown key ${k}`);
      if (!/^Aduan[A-Z][A-Za-z]*$/.test(name)) problems.push(`${at}: alert name is not AduanCamelCase`);
      if (alerts.has(name)) problems.push(`${at}: alert name used twice`);
      alerts.add(name);
      if (typeof rule.expr !== 'string' || rule.expr.trim() === '') problems.push(`${at}: no expr`);
      if (typeof rule.for !== 'string' || !DURATION.test(rule.for)) problems.push(`${at}: \`for\` is not a duration (${String(rule.for)})`);
      const labels = (rule.labels ?? {}) as Record<string, unknown>;
      if (!SEVERITIES.includes(String(labels.severity))) problems.push(`${at}: labels.severity is not one of ${SEVERITIES.join(', ')}`);
      const annotations = (rule.annotations ?? {}) as Record<string, unknown>;
      for (const field of ['summary', 'description']) {
        const text = annotations[field];
        if (typeof text !== 'string' || text.trim() === '') {
          problems.push(`${at}: no annotations.${field}`);
          continue;
        }
        for (const [action] of text.matchAll(/\{\{.*?\}\}/g)) if (!TEMPLATE.test(action)) problems.push(`${at}: template ${action} is not one these checks know`);
      }
      problems.push(...docPointerProblems(at, String(annotations.description ?? '')));
    }
  }
  return problems;
}

/**
 * What is wrong with one rule against the services' real /metrics; [] when nothing: its expr as
 * tests/support/real-metrics.ts checks any expression, and every label an annotation names
 * (`$labels.x`) must be one of its metrics' labels or a target label.
 */
function ruleProblems(rule: Rule, services: Services): string[] {
  const { problems, labels, metrics } = checkExpr(rule.alert, rule.expr, services);
  for (const text of Object.values(rule.annotations)) {
    for (const [, l] of text.matchAll(/\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)/g)) if (!labels.has(l!)) problems.push(`${rule.alert}: annotation label ${l} is no label of ${metrics.join(', ') || 'up'}`);
  }
  return problems;
}

const doc = parse(readFileSync(join(root, RULES_FILE), 'utf8')) as { groups: { rules: Rule[] }[] };
const rules = doc.groups.flatMap((g) => g.rules);

describe(RULES_FILE, () => {
  it('is a Prometheus rule file: every rule has alert, expr, for, a severity, a summary and a description pointing to a doc section that exists', () => {
    expect(structureProblems(doc)).toEqual([]);
    expect(rules.length).toBeGreaterThan(10);
  });

  it('every expr parses as PromQL with Prometheus\'s own grammar', () => {
    expect(rules.flatMap((r) => analysePromql(r.expr).errors.map((e) => `${r.alert}: ${e}`))).toEqual([]);
  });

  it('the shape check finds a rule without `for`, with another severity, or without a runbook', () => {
    const broken = structuredClone(doc) as unknown as { groups: { rules: Record<string, unknown>[] }[] };
    const [first, second, third] = broken.groups[0]!.rules;
    delete first!.for;
    second!.labels = { severity: 'page' };
    third!.annotations = { summary: 'x', description: 'No pointer, and a section that is gone: docs/operations.md#no-such-section' };
    expect(structureProblems(broken).join('\n')).toMatch(/`for` is not a duration[\s\S]*severity is not one of critical, warning, info[\s\S]*no such section/);
  });
});

describe(`${RULES_FILE} against the services' real /metrics`, () => {
  let services: Services = {};
  let stop = async () => {};

  beforeAll(async () => {
    ({ services, stop } = await scrapeRealServices('alerts'));
  }, 120_000);
  afterAll(() => stop());

  it("the capacity rules have their series: Redis's memory from the process that takes complaints, and each process's data directories' disks", () => {
    const allInOne = services['all-in-one (gateway + router)']!;
    for (const alert of ['AduanRedisMemoryHigh', 'AduanRedisMemoryFull', 'AduanDataDiskLow']) expect(rules.map((r) => r.alert)).toContain(alert);
    expect(allInOne.filter((s) => s.name === 'aduan_redis_memory_used_bytes' || s.name === 'aduan_redis_maxmemory_bytes')).toHaveLength(2);
    const dirs = { 'all-in-one (gateway + router)': ['attachments', 'spool'], whatsapp: ['attachments', 'inbox', 'spool'], instagram: ['attachments', 'inbox', 'spool'] };
    for (const [service, expected] of Object.entries(dirs)) {
      for (const name of ['aduan_data_disk_free_bytes', 'aduan_data_disk_size_bytes']) expect({ service, name, dirs: services[service]!.filter((s) => s.name === name).map((s) => s.labels.dir).sort() }).toEqual({ service, name, dirs: expected });
    }
    // The same names in several processes: the annotation says which process (job) and directory.
    expect(rules.find((r) => r.alert === 'AduanDataDiskLow')!.annotations.summary).toMatch(/\$labels\.job.*\$labels\.dir.*\$labels\.instance/);
  });

  it("a failed OPD inbox digest is no citizen's failed notice: it trips its own alert, of the lowest severity", () => {
    const allInOne = services['all-in-one (gateway + router)']!;
    // What each rule's selector reads in the scrape, where a citizen's acknowledgement and a digest failed.
    const selected = (alert: string) =>
      analysePromql(rules.find((r) => r.alert === alert)!.expr)
        .selectors.flatMap((sel) => select(sel, allInOne))
        .reduce((sum, s) => sum + s.value, 0);
    expect(allInOne.find((s) => s.name === 'aduan_queue_jobs' && s.labels.queue === 'notify.whatsapp' && s.labels.state === 'failed')?.value).toBe(2);
    expect(selected('AduanCitizenNoticesFailed')).toBe(1);
    expect(selected('AduanStaffDigestsFailed')).toBe(1);
    const severity = (alert: string) => SEVERITIES.indexOf(rules.find((r) => r.alert === alert)!.labels.severity!);
    expect(severity('AduanStaffDigestsFailed')).toBeGreaterThan(severity('AduanCitizenNoticesFailed'));
  });

  it('WHATSAPP_PUBLIC_NUMBER set on a gateway whose Redis has no WhatsApp service for it reads 0, which the alert on it selects', () => {
    const allInOne = services['all-in-one (gateway + router)']!;
    const sel = analysePromql(rules.find((r) => r.alert === 'AduanWhatsAppPublicNumberNotServed')!.expr).selectors;
    expect(sel.flatMap((s) => select(s, allInOne)).map((s) => [s.labels.account, s.value])).toEqual([['+6281100000000', 0]]);
  });

  it('every Aduan metric, label and label value the rules select is in what the services expose, and a rule\'s metrics come from one service', () => {
    expect(rules.flatMap((r) => ruleProblems(r, services))).toEqual([]);
  });

  it('the checks find a misspelt metric, label, value or grouping label, broken syntax, and metrics of two services joined', () => {
    const rule = (alert: string) => rules.find((r) => r.alert === alert)!;
    const variant = (alert: string, from: string | RegExp, to: string): Rule => {
      const r = rule(alert);
      const changed = { ...r, expr: r.expr.replace(from, to), annotations: { ...r.annotations } };
      expect(changed.expr).not.toBe(r.expr);
      return changed;
    };
    const found = (r: Rule) => ruleProblems(r, services).join('\n');
    expect(found(variant('AduanIntakeNotRouted', 'aduan_queue_oldest_waiting_seconds', 'aduan_queue_oldest_waiting_second'))).toMatch(/aduan_queue_oldest_waiting_second is in no service's \/metrics/);
    expect(found(variant('AduanIntakeNotRouted', 'queue="intake"', 'queu="intake"'))).toMatch(/queu is not a label of aduan_queue_oldest_waiting_seconds/);
    expect(found(variant('AduanIntakeNotRouted', 'queue="intake"', 'queue="intak"'))).toMatch(/selects no series/);
    expect(found(variant('AduanWhatsAppNeedsPairing', 'pairing|logged_out', 'pairing|loged_out'))).toMatch(/alternative "loged_out" matches no state/);
    expect(found(variant('AduanWhatsAppNoMessages', /by \(job, instance, account\)/g, 'by (job, instance, acount)'))).toMatch(/grouping label acount/);
    expect(found(variant('AduanIntakeNotRouted', ') > 300', ' > 300'))).toMatch(/syntax error/);
    expect(found(variant('AduanWhatsAppInboxSpooled', '> 0', '> 0 and on (job, instance) aduan_instagram_connection_state == 1'))).toMatch(/not exposed together by one service/);
    expect(found(variant('AduanRedisMemoryFull', 'aduan_redis_maxmemory_bytes', 'aduan_redis_max_memory_bytes'))).toMatch(/aduan_redis_max_memory_bytes is in no service's \/metrics/);
    expect(found(variant('AduanDataDiskLow', /aduan_data_disk_free_bytes </g, 'aduan_data_disk_free_bytes{dir="photos"} <'))).toMatch(/aduan_data_disk_free_bytes\{dir="photos"\} selects no series/);
    // The overdue gauge is read at scrape time from Redis: its series exist (every OPD of the directory) before any complaint is late.
    expect(found(variant('AduanOpdOverdue', 'aduan_opd_overdue_complaints', 'aduan_opd_overdue_complaint'))).toMatch(/aduan_opd_overdue_complaint is in no service's \/metrics/);
    expect(found({ ...rule('AduanOpdOverdue'), annotations: { summary: 'OPD {{ $labels.od }} is late' } })).toMatch(/annotation label od/);
    const template = { ...rule('AduanWhatsAppStopped'), annotations: { summary: 'Number {{ $labels.acount }} stopped' } };
    expect(found(template)).toMatch(/annotation label acount/);
  });
});
