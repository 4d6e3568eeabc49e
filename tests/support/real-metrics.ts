import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { expect } from 'vitest';
import { createRedis, freePort, StatusStore } from '@aduan/queue';
import { deletePrefix, testRedisUrl, uniquePrefix, waitFor } from '@aduan/testkit';
import { startNodeProcess } from '@aduan/testkit/node-process';
import { startCommand } from '@aduan/testkit/start-command';
import { loggedInUser } from '../../services/instagram/src/testing/fake-ig-client.ts';
import { FakeInstagramServer } from '../../services/instagram/src/testing/fake-instagram-server.ts';
import { textItem, threadOf, userOf } from '../../services/instagram/src/testing/ig-fixtures.ts';
import { chatComplaint, reportKit } from '../../services/router/src/testing/reports.ts';
import { ACCOUNT, citizenMessage, startHarness, testConfig } from '../../services/whatsapp/src/test-support/harness.ts';
import { parseExposition, select, type Sample } from './metrics-text.ts';
import { analysePromql } from './promql.ts';

/**
 * What infra/'s Prometheus rules and Grafana dashboard are checked against: the real services'
 * /metrics, each driven until the series those files select exist, and the checks of one PromQL
 * expression against them. tests/docs/prometheus-alerts.test.ts and grafana-dashboard.test.ts
 * share it, so a renamed metric or label fails both the same way.
 */
const root = join(import.meta.dirname, '..', '..');

/** Every service runs with METRICS_TOKEN set, and is scraped as Prometheus would be, with it. */
const METRICS_TOKEN = 'real-metrics-token-0123456789';

/** A scrape with the token, after checking that one without it is refused. */
async function scrape(url: string): Promise<string> {
  const refused = await fetch(url);
  if (refused.status !== 401) throw new Error(`${url} answered ${refused.status} without METRICS_TOKEN, not 401`);
  const res = await fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  if (res.status !== 200) throw new Error(`${url} answered ${res.status} with METRICS_TOKEN`);
  return res.text();
}

/** Each service's /metrics, by a name for messages. */
export type Services = Record<string, Sample[]>;

/** Labels Prometheus attaches to every scraped series itself (the scrape target's). */
export const TARGET_LABELS = new Set(['job', 'instance']);
/** The one metric outside Aduan's that an expression may use: Prometheus's own scrape health. */
export const PROMETHEUS_METRICS = new Set(['up']);

/** A runbook pointer: a document of the repository, with an optional section anchor. */
const DOC_REF = /\b((?:docs|services\/[a-z]+)\/[\w.-]+\.md)(?:#([a-z0-9-]+))?/g;

/** GitHub's anchor for a Markdown heading. */
const slug = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
const anchorsOf = (file: string) => new Set([...readFileSync(join(root, file), 'utf8').matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!.trim())));

/** What is wrong with a text's pointers to the docs (none, a missing file, a missing section); [] when nothing. */
export function docPointerProblems(at: string, text: string): string[] {
  const refs = [...text.matchAll(DOC_REF)];
  if (refs.length === 0) return [`${at}: the description points to no doc section (docs/... or services/<name>/README.md)`];
  const problems: string[] = [];
  for (const [ref, file, anchor] of refs) {
    if (!existsSync(join(root, file!))) problems.push(`${at}: ${ref}: no such file`);
    else if (anchor && !anchorsOf(file!).has(anchor)) problems.push(`${at}: ${ref}: no such section`);
  }
  return problems;
}

/** A regex's top-level alternatives (`a|b` -> a, b), when it has no groups to split inside. */
const alternatives = (re: string) => (/[()[\]]/.test(re) ? [re] : re.split('|'));

export interface ExprCheck {
  problems: string[];
  /** The labels the expression's series may carry: its metrics' and the target's. */
  labels: Set<string>;
  /** The Aduan metrics it selects. */
  metrics: string[];
}

/**
 * What is wrong with one PromQL expression against the services' real /metrics. It must parse;
 * it may use Aduan's metrics and `up` only; its Aduan metrics must all be exposed by one service
 * (an expression joins or compares series of one process); each selector must select series of
 * that service, and each alternative of a regex matcher some label value; every label of a
 * grouping clause must be one of those metrics' labels or a target label. `at` starts each message.
 */
export function checkExpr(at: string, expr: string, services: Services): ExprCheck {
  const facts = analysePromql(expr);
  const problems = facts.errors.map((e) => `${at}: ${e}`);
  const ours = facts.selectors.filter((s) => s.metric?.startsWith('aduan_'));
  for (const s of facts.selectors) {
    if (!s.metric) problems.push(`${at}: selector ${s.text} names no metric`);
    else if (!s.metric.startsWith('aduan_') && !PROMETHEUS_METRICS.has(s.metric)) problems.push(`${at}: ${s.metric} is neither an Aduan metric nor Prometheus's \`up\``);
    else if (PROMETHEUS_METRICS.has(s.metric)) for (const m of s.matchers) if (!TARGET_LABELS.has(m.label)) problems.push(`${at}: \`${s.metric}\` has no label ${m.label}`);
  }
  const metrics = [...new Set(ours.map((s) => s.metric!))];
  for (const m of metrics) if (!Object.values(services).some((samples) => samples.some((x) => x.name === m))) problems.push(`${at}: ${m} is in no service's /metrics`);
  const homes = Object.entries(services).filter(([, samples]) => metrics.every((m) => samples.some((x) => x.name === m)));
  if (metrics.length > 0 && homes.length === 0 && problems.length === 0) problems.push(`${at}: ${metrics.join(', ')} are not exposed together by one service`);
  const samples = homes.flatMap(([, s]) => s).filter((s) => metrics.includes(s.name));
  const labels = new Set([...TARGET_LABELS, ...samples.flatMap((s) => Object.keys(s.labels))]);
  if (homes.length > 0) {
    for (const sel of ours) {
      const own = samples.filter((s) => s.name === sel.metric);
      for (const m of sel.matchers) {
        if (!own.some((s) => m.label in s.labels)) problems.push(`${at}: ${m.label} is not a label of ${sel.metric}`);
        else if (m.op === '=~') {
          for (const alt of alternatives(m.value)) if (!own.some((s) => new RegExp(`^(?:${alt})$`).test(s.labels[m.label] ?? ''))) problems.push(`${at}: ${sel.text}: alternative "${alt}" matches no ${m.label} of ${sel.metric}`);
        }
      }
      if (select(sel, own).length === 0) problems.push(`${at}: ${sel.text} selects no series`);
    }
  }
  for (const l of facts.groupingLabels) if (!labels.has(l)) problems.push(`${at}: grouping label ${l} is no label of ${metrics.join(', ') || 'up'}`);
  return { problems, labels, metrics };
}

/**
 * Starts the all-in-one, the WhatsApp service and the Instagram service, drives each until the
 * series infra/'s files select exist, and reads their /metrics. `stop` ends them and deletes
 * their Redis keys.
 */
export async function scrapeRealServices(tag: string): Promise<{ services: Services; stop: () => Promise<void> }> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const c of cleanups) await c();
  };
  try {
    const [a, w, i] = await Promise.all([allInOne(tag, cleanups), whatsapp(tag, cleanups), instagram(tag, cleanups)]);
    return { services: { 'all-in-one (gateway + router)': a, whatsapp: w, instagram: i }, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

const url = testRedisUrl();

/**
 * `pnpm start` (gateway and router in one process): a citizen's complaint from the web form, one
 * routed to an OPD with six progress notes on it in a day (the sixth is held), one for a body
 * outside the city (external) and one nobody's keywords match (triage); a password guessed until
 * the throttle refuses it, and an OPD API call without a key; a citizen's acknowledgement and an
 * OPD inbox digest that failed for good on notify.whatsapp (the router's notices there are sent);
 * a WHATSAPP_PUBLIC_NUMBER no WhatsApp service serves (none runs on its prefix).
 */
async function allInOne(tag: string, cleanups: (() => Promise<unknown>)[]): Promise<Sample[]> {
  const prefix = uniquePrefix(tag);
  const dir = mkdtempSync(join(tmpdir(), `aduan-${tag}-`));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const start = startCommand();
  const proc = startNodeProcess([...start.nodeFlags, join(root, 'services/standalone/src/main.ts')], {
    cwd: dir,
    env: { ...process.env, ...start.env, PORT: String(port), HOST: '127.0.0.1', REDIS_URL: url, QUEUE_PREFIX: prefix, SPOOL_DIR: join(dir, 'spool'), ATTACHMENT_DIR: join(dir, 'att'), LOG_LEVEL: 'warn', METRICS_TOKEN, LOGIN_MAX_FAILURES: '1', WHATSAPP_PUBLIC_NUMBER: '0811 0000 0000' },
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
  const status = new StatusStore(connection, prefix);
  const kit = reportKit({ q, status, tag, prefix });
  const web = await fetch(`${base}/api/v1/complaints`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'Sampah menumpuk di pinggir jalan depan pasar sejak seminggu' }) });
  expect(web.status).toBe(202);
  const complaint = await kit.routedToDishub(1);
  for (let i = 1; i <= 6; i++) {
    await kit.report(complaint, 'dishub', 'in_progress', `sim-${i}`, { message: `Catatan petugas ${i}` });
    await kit.finished(`sim-${i}`);
  }
  for (const [n, text, state] of [[2, 'Listrik padam sejak pagi di Jl. Merdeka, mohon PLN segera datang', 'external'], [3, 'Tolong dicek ya pak, terima kasih banyak', 'triage']] as const) {
    const c = chatComplaint(tag, prefix, n, text);
    await q('intake').add('intake', c, { jobId: c.id });
    await waitFor(async () => ((await status.get(c.id))?.state === state ? true : null), { what: `complaint ${n} in ${state}` });
  }
  // Someone guessing a password (wrong, then refused by the throttle), and a call to the OPD API without a key.
  const login = () => fetch(`${base}/api/v1/desk/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'tebak-tebakan-1' }) });
  expect((await login()).status).toBe(401);
  expect((await login()).status).toBe(429);
  expect((await fetch(`${base}/api/v1/opd/complaints`)).status).toBe(401);
  await failNotices(q('notify.whatsapp'), connection, ['ack-01J0000000000000000000FAIL', 'opd-digest.20261207T0030.budi']);
  const text = await scrape(`${base}/metrics`);
  proc.child.kill('SIGTERM');
  expect(await proc.exited).toBe(0);
  return parseExposition(text);
}

/** Fails the notices `ids` for good, as a WhatsApp service whose sends WhatsApp refuses would; sends the queue's other jobs. */
async function failNotices(queue: Queue, connection: ReturnType<typeof createRedis>, ids: string[]): Promise<void> {
  const createdAt = new Date().toISOString();
  for (const id of ids) {
    const kind = id.startsWith('opd-digest.') ? 'staff' : 'ack';
    await queue.add('notify', { schemaVersion: 1, channel: 'whatsapp', account: '+6281100000000', to: '6281299990000@s.whatsapp.net', kind, text: 'Pesan uji', createdAt }, { jobId: id, attempts: 1 });
  }
  const sender = new Worker(queue.name, async (job) => {
    if (ids.includes(job.id!)) throw new Error('the number is not on WhatsApp');
  }, { connection, prefix: queue.opts.prefix });
  try {
    await waitFor(async () => (await queue.getFailedCount()) === ids.length, { what: `${ids.length} notices failed` });
  } finally {
    await sender.close();
  }
}

/** The WhatsApp service through its socket seam: connected, a citizen's complaint sent with "kirim", one reconnect. */
async function whatsapp(tag: string, cleanups: (() => Promise<unknown>)[]): Promise<Sample[]> {
  const prefix = uniquePrefix(`${tag}wa`);
  const h = await startHarness({ ...testConfig(url, prefix), METRICS_TOKEN });
  cleanups.push(async () => {
    await h.stop();
    await deletePrefix(url, prefix);
  });
  const session = () => h.service.sessions.get(ACCOUNT)!;
  const metricsText = async () => {
    expect((await h.service.app.inject({ url: '/metrics' })).statusCode).toBe(401);
    return (await h.service.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).body;
  };
  await waitFor(() => session().status.state === 'connected', { what: 'WhatsApp connected' });
  h.socket.deliver([citizenMessage({ conversation: 'Lampu PJU di Jl. Mawar mati sejak kemarin' })]);
  await waitFor(() => session().status.lastMessageAt, { what: 'the message noted' });
  h.socket.deliver([citizenMessage({ conversation: 'kirim' })]);
  await waitFor(async () => (await metricsText()).includes('aduan_whatsapp_complaints_total{'), { what: 'the complaint filed' });
  h.socket.closeWith(408); // connectionLost: a reconnect, counted by reason
  await waitFor(() => h.sockets.length === 2 && session().status.state === 'connected', { what: 'reconnected' });
  return parseExposition(await metricsText());
}

/** The Instagram service as a process, the real library talking to a loopback Instagram: an approval refused once (asked again when the citizen writes again), a citizen's complaint sent with "kirim", then a poll refused. */
async function instagram(tag: string, cleanups: (() => Promise<unknown>)[]): Promise<Sample[]> {
  const prefix = uniquePrefix(`${tag}ig`);
  const ig = await new FakeInstagramServer().start();
  ig.loggedInUser = loggedInUser;
  const citizen = userOf(8880002, `warga.${tag}`, 'Warga Metrik');
  const first = textItem('mt1', citizen.pk, Date.now() - 60_000, 'Lampu jalan mati di Jl. Kenari');
  ig.pending = [threadOf({ threadId: `th-${tag}`, user: citizen, pending: true, items: [first] })];
  ig.failures.push({ match: /\/approve\/$/, status: 404, body: { message: 'Thread not found', status: 'fail' } });
  const dir = mkdtempSync(join(tmpdir(), `aduan-${tag}-ig-`));
  const port = await freePort();
  const proc = startNodeProcess(['src/main.ts'], {
    cwd: join(root, 'services/instagram'),
    env: {
      PATH: process.env.PATH ?? '', REDIS_URL: url, QUEUE_PREFIX: prefix, PORT: String(port), LOG_LEVEL: 'warn',
      INSTAGRAM_USERNAME: 'pemkotblitar', INSTAGRAM_PASSWORD: 'rahasia-sekali', INSTAGRAM_PROXY_URL: ig.proxyUrl, INSTAGRAM_PROXY_TUNNEL: 'false',
      INSTAGRAM_POLL_INTERVAL: '300ms', INSTAGRAM_POLL_JITTER: '0', ATTACHMENT_DIR: join(dir, 'a'), SPOOL_DIR: join(dir, 's'), INBOX_SPOOL_DIR: join(dir, 'i'), METRICS_TOKEN,
    },
  });
  cleanups.push(async () => {
    if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
    await ig.stop();
    await deletePrefix(url, prefix);
  });
  const metricsText = () => scrape(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
  await waitFor(async () => (await metricsText())?.includes('aduan_instagram_pending_approvals_total{outcome="failed"}'), { timeoutMs: 30_000, what: `the approval refused (${proc.output()})` });
  // A refused request is asked again only once the thread has news: the citizen's "kirim".
  ig.pending = [threadOf({ threadId: `th-${tag}`, user: citizen, pending: true, items: [textItem('mt2', citizen.pk, Date.now() - 1_000, 'kirim'), first] })];
  await waitFor(async () => (await metricsText())?.includes('aduan_instagram_pending_approvals_total{outcome="approved"}'), { timeoutMs: 30_000, what: `the request approved on a second try (${proc.output()})` });
  await waitFor(async () => (await metricsText())?.includes('aduan_instagram_complaints_total{'), { timeoutMs: 15_000, what: `the complaint filed (${proc.output()})` });
  ig.failures.push({ match: /\/direct_v2\/inbox\/$/, status: 500, body: { message: 'Internal error', status: 'fail' } });
  const text = await waitFor(async () => {
    const t = await metricsText();
    return t?.includes('aduan_instagram_polls_total{outcome="error"}') ? t : null;
  }, { timeoutMs: 15_000, what: 'a failed poll counted' });
  proc.child.kill('SIGTERM');
  expect(await proc.exited).toBe(0);
  return parseExposition(text);
}
