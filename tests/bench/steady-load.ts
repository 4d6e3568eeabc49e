/**
 * An open-loop load generator for "p99 at a steady N requests/s": request i is due at
 * start + i/N seconds and is sent then, whatever happened to the earlier ones; its latency is
 * measured from when it was due (so a stalled server cannot hide its queue: no coordinated
 * omission). autocannon's `overallRate` is not steady: each connection fires its quota for the
 * second back to back and then waits, so a "1,000/s" run is a burst at full speed every second.
 */
import { Agent, request } from 'node:http';

export interface SteadyResult {
  rps: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
}

export interface SteadyOptions {
  url: string;
  rate: number;
  seconds: number;
  body: () => string;
  headers: () => Record<string, string>;
}

export async function steadyLoad(opts: SteadyOptions): Promise<SteadyResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.round(opts.rate * opts.seconds);
  const intervalMs = 1000 / opts.rate;
  const latencies = new Float64Array(total);
  const target = new URL(opts.url);
  let sent = 0;
  let done = 0;
  let errors = 0;
  const start = performance.now();

  await new Promise<void>((resolve) => {
    const finish = (i: number, due: number, ok: boolean) => {
      latencies[i] = performance.now() - due;
      if (!ok) errors++;
      if (++done === total) resolve();
    };
    const send = (i: number) => {
      const due = start + i * intervalMs;
      const body = opts.body();
      const req = request(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { ...opts.headers(), 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => finish(i, due, (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300));
        },
      );
      req.on('error', () => finish(i, due, false));
      req.end(body);
    };
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - start) / intervalMs) + 1);
      while (sent < due) send(sent++);
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 10) / 10;
  return { rps: Math.round((total - errors) / elapsed), p50: at(0.5), p99: at(0.99), max: at(1), errors };
}
