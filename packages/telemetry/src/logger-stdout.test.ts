import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const LOGGER = new URL('./logger.ts', import.meta.url).href;

/** Runs a script in a child process that logs to the real stdout; collects what it printed. */
function run(body: string, onLine?: (line: Record<string, unknown>, at: number) => void): Promise<{ code: number | null; lines: Record<string, unknown>[] }> {
  const script = `import { createLogger } from ${JSON.stringify(LOGGER)};\nconst log = createLogger({ service: 't' });\n${body}`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  const lines: Record<string, unknown>[] = [];
  const started = Date.now();
  let rest = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    for (const p of parts) {
      const line = JSON.parse(p) as Record<string, unknown>;
      lines.push(line);
      onLine?.(line, Date.now() - started);
    }
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, lines })));
}

describe('stdout log destination', () => {
  it('writes every line, in order, when the process exits in the middle of a turn', async () => {
    const { code, lines } = await run(`
      for (let turn = 0; turn < 30; turn++) {
        for (let i = 0; i < 100; i++) log.info({ n: turn * 100 + i }, 'line');
        await new Promise((r) => setImmediate(r));
      }
      for (let i = 3000; i < 3100; i++) log.info({ n: i }, 'line');
      process.exit(0);
    `);
    expect(code).toBe(0);
    expect(lines.map((l) => l.n)).toEqual(Array.from({ length: 3100 }, (_, i) => i));
  });

  it('keeps the lines logged just before an uncaught exception', async () => {
    const { code, lines } = await run(`
      for (let i = 0; i < 10; i++) log.info({ n: i }, 'before the crash');
      throw new Error('boom');
    `);
    expect(code).toBe(1);
    expect(lines.map((l) => l.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('shows a quiet process its line within about a second, while it still runs', async () => {
    // The child logs one line, says so on stderr, and then idles until it is killed.
    const script = `import { createLogger } from ${JSON.stringify(LOGGER)};\nconst log = createLogger({ service: 't' });\nlog.info({ n: 1 }, 'alone');\nprocess.stderr.write('logged\\n');\nsetInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let loggedAt = 0;
    child.stderr.on('data', () => (loggedAt ||= Date.now()));
    const line = await new Promise<{ text: string; at: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no line on stdout within 4 s')), 4_000);
      child.stdout.setEncoding('utf8');
      child.stdout.once('data', (text: string) => {
        clearTimeout(timer);
        resolve({ text, at: Date.now() });
      });
      child.once('exit', () => reject(new Error('the child exited before printing its line')));
    }).finally(() => child.kill('SIGTERM'));
    expect(JSON.parse(line.text)).toMatchObject({ n: 1, msg: 'alone' });
    expect(loggedAt).toBeGreaterThan(0);
    // Printed by the periodic flush (every second), not held until exit.
    expect(line.at - loggedAt).toBeLessThan(2_500);
  });
});
