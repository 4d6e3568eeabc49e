import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EvalLine, parseLine, toRouteInput } from '../eval/input-line.ts';
import type { RouteInput, Router } from '../types.ts';
import { fail, setup } from './options.ts';

/**
 * `pnpm bench:routing [--seconds 3]`: decisions per second on one core (the event-loop thread),
 * over the fixture complaints, twice: as they are (warm stem cache, the steady state of a router
 * process) and with two never-seen words added to each text (every decision misses the cache).
 */
const FIXTURES = ['routing-dev.jsonl', 'routing-holdout.jsonl', 'routing-holdout-hard.jsonl'].map((f) => fileURLToPath(new URL(`../../../../tests/fixtures/${f}`, import.meta.url)));

function loadInputs(): RouteInput[] {
  const out: RouteInput[] = [];
  for (const file of FIXTURES) {
    for (const raw of readFileSync(file, 'utf8').split('\n')) {
      const p = raw.trim() ? parseLine(EvalLine, raw) : null;
      if (p?.ok) out.push(toRouteInput(p.value));
    }
  }
  return out;
}

function run(router: Router, inputs: RouteInput[], seconds: number, vary: boolean): { perSecond: number; usPerDecision: number; n: number } {
  let n = 0;
  let sink = 0;
  const start = performance.now();
  const until = start + seconds * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < 200; i++, n++) {
      const input = inputs[n % inputs.length] as RouteInput;
      // Base-36 counters make words the stemmer has never seen ("qzk1a", ...).
      const text = vary ? `${input.text} qz${n.toString(36)} xv${(n * 7919).toString(36)}` : input.text;
      sink += router.decide(vary ? { ...input, text } : input).confidence;
    }
  }
  const ms = performance.now() - start;
  if (Number.isNaN(sink)) throw new Error('unreachable: keeps the work from being optimized away');
  return { perSecond: Math.round((n / ms) * 1000), usPerDecision: Math.round(((ms * 1000) / n) * 10) / 10, n };
}

function main(): void {
  const args = process.argv.slice(2);
  const secIdx = args.indexOf('--seconds');
  const seconds = secIdx >= 0 ? Number(args[secIdx + 1]) : 3;
  if (secIdx >= 0) args.splice(secIdx, 2);
  let router: Router;
  try {
    if (!(seconds > 0)) throw new Error('--seconds must be a positive number');
    router = setup(args).router;
  } catch (err) {
    fail(err);
  }
  const inputs = loadInputs();
  run(router, inputs, 0.5, false); // warm-up: JIT and stem cache
  const warm = run(router, inputs, seconds, false);
  const cold = run(router, inputs, seconds, true);
  const avgChars = Math.round(inputs.reduce((a, i) => a + i.text.length, 0) / inputs.length);
  process.stdout.write(
    [
      `router ${router.version}, ${inputs.length} fixture complaints (avg ${avgChars} chars), node ${process.version}, one thread`,
      `warm stem cache:         ${warm.perSecond.toLocaleString('en')} decisions/s (${warm.usPerDecision} µs each, ${warm.n} decisions)`,
      `two unseen words each:   ${cold.perSecond.toLocaleString('en')} decisions/s (${cold.usPerDecision} µs each, ${cold.n} decisions)`,
      '',
    ].join('\n'),
  );
}

main();
