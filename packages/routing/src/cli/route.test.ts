import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** Runs `pnpm -s route` at the repository root with the given stdin, as a user would. */
function route(stdin: string, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('pnpm', ['-s', 'route'], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('pnpm route', () => {
  it('writes one decision per good line, reports bad lines with their number, exits 1 at the end', async () => {
    const input = [
      JSON.stringify({ id: 'a1', text: 'jukir di depan toko minta 5rb, gak ada karcis' }),
      '{"id": "b2", "text": ', // truncated JSON
      JSON.stringify({ id: 'c3', text: 'sampah numpuk di TPS', category: 'sampah', location: { kelurahan: 'Sentul' } }),
      JSON.stringify({ id: 'd4' }), // no text
      '',
      JSON.stringify({ id: 5, text: 'listrik mati dari kemarin' }),
    ].join('\n');
    const { code, stdout, stderr } = await route(input);
    const out = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out.map((o) => o['id'])).toEqual(['a1', 'c3', 5]);
    expect(Object.keys(out[0] ?? {}).sort()).toEqual(['confidence', 'id', 'opd', 'reasons', 'triage']);
    expect(out.map((o) => o['opd'])).toEqual(['dishub', 'dlh', 'external']);
    expect(out[0]?.['reasons']).toContain("'jukir' -> Dinas Perhubungan");
    expect(stderr).toMatch(/^line 2: not valid JSON/m);
    expect(stderr).toMatch(/^line 4: text: /m);
    expect(code).toBe(1);
  }, 60_000);

  it('exits 0 when every line is good, and honours ROUTING_TRIAGE_THRESHOLD', async () => {
    const { code, stdout } = await route(`${JSON.stringify({ id: 'x', text: 'jukir minta 5rb' })}\n`, { ROUTING_TRIAGE_THRESHOLD: '1' });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ id: 'x', opd: 'dishub', triage: true });
  }, 60_000);

  it('fails at start with a readable error when the directory is wrong', async () => {
    const { code, stderr } = await route('', { ROUTING_DIRECTORY: '/nonexistent/routing' });
    expect(code).toBe(2);
    expect(stderr).toContain('/nonexistent/routing: directory data not found');
  }, 60_000);
});
