import { spawn, type ChildProcess } from 'node:child_process';

export interface NodeProcess {
  child: ChildProcess;
  /** Everything it wrote so far, stdout and stderr together (for assertions and timeout messages). */
  output(): string;
  /** Its exit code once it exits (null when a signal ended it). */
  exited: Promise<number | null>;
}

/** A Node script run as its own process, as a service runs: for tests of a real entry point. */
export function startNodeProcess(args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): NodeProcess {
  const child = spawn(process.execPath, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}
