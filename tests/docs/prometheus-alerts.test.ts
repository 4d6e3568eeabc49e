import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createRedis, freePort, StatusStore } from '@aduan/queue';
import { deletePrefix, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { startNodeProcess } from '@aduan/testkit/node-process';
import { startCommand } from '@aduan/testkit/start-command';
import { loggedInUser } from '../../services/instagram/src/testing/fake-ig-client.ts';
import { FakeInstagramServer } from '../../services/instagram/src/testing/fake-instagram-server.ts';
import { textItem, threadOf, userOf } from '../../services/instagram/src/testing/ig-fixtures.ts';
import { reportKit } from '../../services/router/src/testing/reports.ts';
import { ACCOUNT, citizenMessage, startHarness, testConfig } from '../../services/whatsapp/src/test-support/harness.ts';
import { parseExposition, select, type Sample } from '../support/metrics-text.ts';
import { analysePromql } from '../support/promql.ts';

/**
 * infra/prometheus/aduan-alerts.yml is what a city's IT staff drop into Prometheus. An alert on a
 * renamed metric, a misspelt label or a value no service emits never fires, and nothing says so:
 * every rule is parsed with Prometheus's own PromQL grammar and checked against what the real
 * services answer on /metrics, each driven until the series the rules select exist.
 */
const root = join(import.meta.dirname, '..', '..');
const RULES_FILE = 'infra/prometheus/aduan-alerts.yml';
const url = testRedisUrl();

interface Rule {
  alert: string;
  expr: string;
  annotations: Record<string, string>;
}

/** Labels Prometheus attaches to every scraped series itself (the scrape target's). */
const TARGET_LABELS = new Set(['job', 'instance']);
/** The one metric outside Aduan's that a rule may use: Prometheus's own scrape health. */
const PROMETHEUS_METRICS = new Set(['up']);
const RULE_KEYS = new Set(['alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations']);
const GROUP_KEYS = new Set(['name', 'rules', 'interval', 'limit']);
const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;
/** Go template actions the annotations may use: a label or the value, with one of Prometheus's humanizers. */
const TEMPLATE = /^\{\{ \$(value|labels\.[a-zA-Z_][a-zA-Z0-9_]*)( \| (humanize|humanizeDuration|humanizePercentage))? \}\}$/;
/** A runbook pointer: a document of the repository, with an optional section anchor. */
const DOC_REF = /\b((?:docs|services\/[a-z]+)\/[\w.-]+\.md)(?:#([a-z0-9-]+))?/g;

/** GitHub's anchor for a Markdown heading. */
const slug = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
const anchorsOf = (file: string) => new Set([...readFileSync(join(root, file), 'utf8').matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!.trim())));

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
      if (labels.severity !== 'critical' && labels.severity !== 'warning') problems.push(`${at}: labels.severity is not critical or warning`);
      const annotations = (rule.annotations ?? {}) as Record<string, unknown>;
      for (const field of ['summary', 'description']) {
        const text = annotations[field];
        if (typeof text !== 'string' || text.trim() === '') {
          problems.push(`${at}: no annotations.${field}`);
          continue;
        }
        for (const [action] of text.matchAll(/\{\{.*?\}\}/g)) if (!TEMPLATE.test(action)) problems.push(`${at}: template ${action} is not one these checks know`);
      }
      const refs = [...String(annotations.description ?? '').matchAll(DOC_REF)];
      if (refs.length === 0) problems.push(`${at}: the description points to no doc section (docs/... or services/<name>/README.md)`);
      for (const [ref, file, anchor] of refs) {
        if (!existsSync(join(root, file!))) problems.push(`${at}: ${ref}: no such file`);
        else if (anchor && !anchorsOf(file!).has(anchor)) problems.push(`${at}: ${ref}: no such section`);
      }
    }
  }
  return problems;
}

/** Each service's /metrics, as the rules' checks read it. */
type Services = Record<string, Sample[]>;

/** A regex's top-level alternatives (`a|b` -> a, b), when it has no groups to split inside. */
const alternatives = (re: string) => (/[()[\]]/.test(re) ? [re] : re.split('|'));

/**
 * What is wrong with one rule against the services' real /metrics; [] when nothing. Its PromQL
 * must parse; it may use Aduan's metrics and `up` only; the Aduan metrics of one rule must all be
 * exposed by one service (a rule joins or compares series of one process); each selector must
 * select series of that service, and each alternative of a regex matcher some label value; and
 * every label named in a grouping clause or an annotation (`$labels.x`) must be one of those
 * metrics' labels or a target label.
 */
function ruleProblems(rule: Rule, services: Services): string[] {
  const facts = analysePromql(rule.expr);
  const problems = facts.errors.map((e) => `${rule.alert}: ${e}`);
  const ours = facts.selectors.filter((s) => s.metric?.startsWith('aduan_'));
  for (const s of facts.selectors) {
    if (!s.metric) problems.push(`${rule.alert}: selector ${s.text} names no metric`);
    else if (!s.metric.startsWith('aduan_') && !PROMETHEUS_METRICS.has(s.metric)) problems.push(`${rule.alert}: ${s.metric} is neither an Aduan metric nor Prometheus's \`up\``);
    else if (PROMETHEUS_METRICS.has(s.metric)) for (const m of s.matchers) if (!TARGET_LABELS.has(m.label)) problems.push(`${rule.alert}: \`${s.metric}\` has no label ${m.label}`);
  }
  const metrics = [...new Set(ours.map((s) => s.metric!))];
  for (const m of metrics) if (!Object.values(services).some((samples) => samples.some((x) => x.name === m))) problems.push(`${rule.alert}: ${m} is in no service's /metrics`);
  const homes = Object.entries(services).filter(([, samples]) => metrics.every((m) => samples.some((x) => x.name === m)));
  if (metrics.length > 0 && homes.length === 0 && problems.length === 0) problems.push(`${rule.alert}: ${metrics.join(', ')} are not exposed together by one service`);
  const samples = homes.flatMap(([, s]) => s).filter((s) => metrics.includes(s.name));
  const labels = new Set([...TARGET_LABELS, ...samples.flatMap((s) => Object.keys(s.labels))]);
  if (homes.length > 0) {
    for (const sel of ours) {
      const own = samples.filter((s) => s.name === sel.metric);
      for (const m of sel.matchers) {
        if (!own.some((s) => m.label in s.labels)) problems.push(`${rule.alert}: ${m.label} is not a label of ${sel.metric}`);
        else if (m.op === '=~') {
          for (const alt of alternatives(m.value)) if (!own.some((s) => new RegExp(`^(?:${alt})$`).test(s.labels[m.label] ?? ''))) problems.push(`${rule.alert}: ${sel.text}: alternative "${alt}" matches no ${m.label} of ${sel.metric}`);
        }
      }
      if (select(sel, own).length === 0) problems.push(`${rule.alert}: ${sel.text} selects no series`);
    }
  }
  for (const l of facts.groupingLabels) if (!labels.has(l)) problems.push(`${rule.alert}: grouping label ${l} is no label of ${metrics.join(', ') || 'up'}`);
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
    expect(structureProblems(broken).join('\n')).toMatch(/`for` is not a duration[\s\S]*severity is not critical or warning[\s\S]*no such section/);
  });
});

describe(`${RULES_FILE} against the services' real /metrics`, () => {
  const services: Services = {};
  const cleanups: (() => Promise<unknown>)[] = [];

  /** `pnpm start` (gateway and router in one process), with a citizen's complaint routed and six progress notes on it in a day: the sixth is held. */
  async function allInOne(): Promise<Sample[]> {
    const prefix = uniquePrefix('alerts');
    const dir = mkdtempSync(join(tmpdir(), 'aduan-alerts-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const start = startCommand();
    const proc = startNodeProcess([...start.nodeFlags, join(root, 'services/standalone/src/main.ts')], {
      cwd: dir,
      env: { ...process.env, ...start.env, PORT: String(port), HOST: '127.0.0.1', REDIS_URL: url, QUEUE_PREFIX: prefix, SPOOL_DIR: join(dir, 'spool'), ATTACHMENT_DIR: join(dir, 'att'), LOG_LEVEL: 'warn' },
    });
    const connection = createRedis(url, 'worker');
    const queues = new Map<string, Queue>();
    cleanups.push(async () => {
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
      for (const q of queues.values()) await q.close();
      connection.disconnect();
      await deletePrefix(url, prefix);
    });
    await waitFor(async () => (await fetch(`${base}/readyz`).catch(() => null))?.status === 200, { timeoutMs: 30_000, what: `all-in-one ready (${proc.output()})` });
    const q = (name: string) => queues.get(name) ?? queues.set(name, new Queue(name, { connection, prefix })).get(name)!;
    const kit = reportKit({ q, status: new StatusStore(connection, prefix), tag: 'alerts', prefix });
    const complaint = await kit.routedToDishub(1);
    for (let i = 1; i <= 6; i++) {
      await kit.report(complaint, 'dishub', 'in_progress', `sim-${i}`, { message: `Catatan petugas ${i}` });
      await kit.finished(`sim-${i}`);
    }
    const text = await (await fetch(`${base}/metrics`)).text();
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    return parseExposition(text);
  }

  /** The WhatsApp service through its socket seam: connected, a citizen's message, one reconnect. */
  async function whatsapp(): Promise<Sample[]> {
    const prefix = uniquePrefix('alertswa');
    const h = await startHarness(testConfig(url, prefix));
    cleanups.push(async () => {
      await h.stop();
      await deletePrefix(url, prefix);
    });
    const session = () => h.service.sessions.get(ACCOUNT)!;
    await waitFor(() => session().status.state === 'connected', { what: 'WhatsApp connected' });
    h.socket.deliver([citizenMessage({ conversation: 'Lampu PJU di Jl. Mawar mati sejak kemarin' })]);
    await waitFor(() => session().status.lastMessageAt, { what: 'the message noted' });
    h.socket.closeWith(408); // connectionLost: a reconnect, counted by reason
    await waitFor(() => h.sockets.length === 2 && session().status.state === 'connected', { what: 'reconnected' });
    return parseExposition((await h.service.app.inject({ url: '/metrics' })).body);
  }

  /** The Instagram service as a process, the real library talking to a loopback Instagram: an approval refused once, then a poll refused. */
  async function instagram(): Promise<Sample[]> {
    const prefix = uniquePrefix('alertsig');
    const ig = await new FakeInstagramServer().start();
    ig.loggedInUser = loggedInUser;
    const citizen = userOf(8880002, 'warga.alerts', 'Warga Alerts');
    ig.pending = [threadOf({ threadId: 'th-alerts', user: citizen, pending: true, items: [textItem('al1', citizen.pk, Date.now() - 60_000, 'Lampu jalan mati di Jl. Kenari')] })];
    ig.failures.push({ match: /\/approve\/$/, status: 404, body: { message: 'Thread not found', status: 'fail' } });
    const dir = mkdtempSync(join(tmpdir(), 'aduan-alerts-ig-'));
    const port = await freePort();
    const proc = startNodeProcess(['src/main.ts'], {
      cwd: join(root, 'services/instagram'),
      env: {
        PATH: process.env.PATH ?? '', REDIS_URL: url, QUEUE_PREFIX: prefix, PORT: String(port), LOG_LEVEL: 'warn',
        INSTAGRAM_USERNAME: 'pemkotblitar', INSTAGRAM_PASSWORD: 'rahasia-sekali', INSTAGRAM_PROXY_URL: ig.proxyUrl, INSTAGRAM_PROXY_TUNNEL: 'false',
        INSTAGRAM_POLL_INTERVAL: '300ms', INSTAGRAM_POLL_JITTER: '0', ATTACHMENT_DIR: join(dir, 'a'), SPOOL_DIR: join(dir, 's'), INBOX_SPOOL_DIR: join(dir, 'i'),
      },
    });
    cleanups.push(async () => {
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
      await ig.stop();
      await deletePrefix(url, prefix);
    });
    const metricsText = async () => (await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => null))?.text();
    await waitFor(async () => (await metricsText())?.includes('aduan_instagram_pending_approvals_total{outcome="approved"}'), { timeoutMs: 30_000, what: `the request approved on a second try (${proc.output()})` });
    ig.failures.push({ match: /\/direct_v2\/inbox\/$/, status: 500, body: { message: 'Internal error', status: 'fail' } });
    const text = await waitFor(async () => {
      const t = await metricsText();
      return t?.includes('aduan_instagram_polls_total{outcome="error"}') ? t : null;
    }, { timeoutMs: 15_000, what: 'a failed poll counted' });
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    return parseExposition(text);
  }

  beforeAll(async () => {
    const [a, w, i] = await Promise.all([allInOne(), whatsapp(), instagram()]);
    Object.assign(services, { 'all-in-one (gateway + router)': a, whatsapp: w, instagram: i });
  }, 120_000);
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

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
