import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The operator docs name metrics to alert on and log lines to look for. A renamed metric or a
 * reworded log line leaves an alert that never fires and a grep that finds nothing, without a
 * word: each one the docs name must still be in the code that emits it.
 */
const root = join(import.meta.dirname, '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

/** The operator-facing docs. */
const docs = ['README.md', 'docs/operations.md', 'docs/errors.md', ...readdirSync(join(root, 'services')).flatMap((s) => readdirSync(join(root, 'services', s)).filter((f) => /^README.*\.md$/.test(f)).map((f) => `services/${s}/${f}`))];

/** Every non-test TypeScript source of the services and packages, as one text. */
function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(path);
    return e.name.endsWith('.ts') && !e.name.includes('.test.') ? [read(path)] : [];
  });
}
const code = [...sources('services'), ...sources('packages')].join('\n');
/** Metric names the code registers (`name: 'aduan_...'`); prom-client's defaults get the `aduan_` prefix. */
const registered = new Set([...code.matchAll(/name: '(aduan_[a-z_]+)'/g)].map((m) => m[1]!));
/** Names the docs give that are no metrics: the session and triage draft cookies, and the OPD API keys' prefix. */
const NOT_METRICS = new Set(['aduan_session', 'aduan_triage_draft', 'aduan_device', 'aduan_opd_']);

describe('metrics and log lines the operator docs name', () => {
  it.each(docs)('%s names only metrics the code registers', (file) => {
    const named = [...new Set([...read(file).matchAll(/\b(aduan_[a-z_]+)/g)].map((m) => m[1]!))].filter((n) => !NOT_METRICS.has(n));
    // `aduan_router_*` and the like name a family: some metric must start with it.
    const missing = named.filter((n) => (n.endsWith('_') ? ![...registered].some((r) => r.startsWith(n)) : !registered.has(n)));
    expect(missing).toEqual([]);
  });

  it.each([
    'REDIS IS NOT DURABLE',
    'Aduan cannot start: ',
    'invalid configuration:',
    'set aside in the quarantine file',
    'messages the previous run had not finished are taken again from the journal',
    'photo not stored',
    'WhatsApp message could not be kept',
    'whose X-Forwarded-For is ignored',
    'redis memory gauges not read',
    'redis unreachable at shutdown: worker closed without waiting for it (no job in flight)',
    'redis unreachable at shutdown: jobs in flight left to be run again once Redis is back',
    'redis unreachable at shutdown: number lock left to expire',
    'redis unreachable at shutdown: instagram session not saved; the next start restores the one saved before',
    'redis unreachable at shutdown: account lock left to expire',
    'instagram refused to approve a message request; its messages are taken, the approval is tried again once the thread has new messages',
    'WHATSAPP_PUBLIC_NUMBER is served by no running WhatsApp service',
    'WHATSAPP_PUBLIC_NUMBER is served by a WhatsApp service again',
    'complaint_erased',
    'attachments_pruned',
    'account_changed',
    'routed copies written for the complaints open at the upgrade (once)',
  ])('"%s" is still logged by the code', (line) => {
    // A line quoted in the docs may be wrapped: compare with the docs' whitespace collapsed.
    expect(docs.some((file) => read(file).replace(/\s+/g, ' ').includes(line))).toBe(true);
    expect(code).toContain(line);
  });
});
