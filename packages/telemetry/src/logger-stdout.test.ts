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

  it('shows a quiet process its line within about a second, not only at exit', async () => {
    let seenAt = -1;
    const { lines } = await run(`log.info({ n: 1 }, 'alone'); setTimeout(() => {}, 4000);`, (_line, at) => (seenAt = at));
    expect(lines).toHaveLength(1);
    // Printed by the periodic flush while the child still had seconds to live.
    expect(seenAt).toBeGreaterThan(0);
    expect(seenAt).toBeLessThan(3500);
  });
});
