import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const TELEMETRY = new URL('./index.ts', import.meta.url).href;

interface Run {
  code: number | null;
  ms: number;
  lines: Record<string, unknown>[];
}

/**
 * A real child process with `onShutdown(steps)`; once it is up, `signals` are sent to it (the
 * second one `gapMs` after the first). `steps` is JavaScript for the steps array.
 */
function run(steps: string, signals: NodeJS.Signals[], timeoutMs = 1000, gapMs = 200): Promise<Run> {
  const script = `
    import { createLogger, onShutdown } from ${JSON.stringify(TELEMETRY)};
    const logger = createLogger({ service: 't' });
    const hang = () => new Promise(() => {});
    onShutdown({ logger, timeoutMs: ${timeoutMs}, steps: ${steps} });
    setInterval(() => {}, 1000);
    process.stderr.write('up\\n');
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let sentAt = 0;
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.once('data', () => {
    sentAt = Date.now();
    child.kill(signals[0]);
    if (signals[1]) setTimeout(() => child.kill(signals[1]), gapMs);
  });
  return new Promise((resolve) =>
    child.on('close', (code) =>
      resolve({ code, ms: Date.now() - sentAt, lines: out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) }),
    ),
  );
}

const msgs = (r: Run) => r.lines.map((l) => l.msg);

describe('onShutdown', () => {
  it('runs the steps in order on SIGTERM and exits 0', async () => {
    const r = await run(`[{ name: 'http', run: () => logger.info('http closed') }, { name: 'workers', run: async () => { await new Promise((ok) => setTimeout(ok, 50)); logger.info('workers closed'); } }]`, ['SIGTERM']);
    expect(r.code).toBe(0);
    expect(msgs(r)).toEqual(['shutting down: no new work, finishing in-flight work', 'http closed', 'workers closed', 'stopped']);
  });

  it('exits 1 at the deadline when a step hangs, naming that step', async () => {
    const r = await run(`[{ name: 'http', run: () => {} }, { name: 'router', run: hang }, { name: 'redis', run: () => logger.info('never') }]`, ['SIGTERM'], 800);
    expect(r.code).toBe(1);
    expect(r.ms).toBeGreaterThanOrEqual(750);
    expect(r.ms).toBeLessThan(5000);
    const timeout = r.lines.find((l) => l.level === 50);
    expect(timeout).toMatchObject({ step: 'router', timeoutMs: 800 });
    expect(msgs(r)).not.toContain('never');
  });

  it('runs the remaining steps after one fails, then exits 1', async () => {
    const r = await run(`[{ name: 'http', run: () => { throw new Error('already closed'); } }, { name: 'redis', run: () => logger.info('redis closed') }]`, ['SIGINT']);
    expect(r.code).toBe(1);
    expect(r.lines.find((l) => l.level === 50)).toMatchObject({ step: 'http', err: 'already closed' });
    expect(msgs(r)).toContain('redis closed');
  });

  it('exits at once on a second signal (Ctrl-C twice)', async () => {
    const r = await run(`[{ name: 'router', run: hang }]`, ['SIGINT', 'SIGINT'], 10_000);
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(5000);
    expect(msgs(r)).toContain('second signal while shutting down: exiting now');
  });

  it.each([5, 400])('takes a second SIGTERM (a process group signalled, and pnpm forwarding it, %i ms later) as the same: the stop stays graceful', async (gapMs) => {
    const r = await run(`[{ name: 'router', run: () => new Promise((ok) => setTimeout(ok, 600)) }, { name: 'redis', run: () => logger.info('redis closed') }]`, ['SIGTERM', 'SIGTERM'], 5000, gapMs);
    expect(r.code).toBe(0);
    expect(msgs(r)).toContain('redis closed');
    expect(msgs(r)).not.toContain('second signal while shutting down: exiting now');
  });
});
