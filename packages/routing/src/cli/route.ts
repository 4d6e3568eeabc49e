import { jsonLines } from '@aduan/config';
import { parseLine, RouteLine, toRouteInput } from '../eval/input-line.ts';
import { fail, setup } from './options.ts';

/**
 * `pnpm route`: JSON lines in (id, text, optional category and location), one decision per line out:
 * { id, opd, confidence, triage, reasons }. A bad line gets "line N: ..." on stderr and the stream
 * goes on; the exit code is 1 at the end if any line was bad.
 */
async function main(): Promise<void> {
  let cli;
  try {
    cli = setup(process.argv.slice(2));
  } catch (err) {
    fail(err);
  }
  let lineNo = 0;
  let bad = 0;
  for await (const raw of jsonLines(process.stdin)) {
    lineNo++;
    if (raw.trim() === '') continue;
    const parsed = parseLine(RouteLine, raw);
    if (!parsed.ok) {
      bad++;
      process.stderr.write(`line ${lineNo}: ${parsed.error}\n`);
      continue;
    }
    const d = cli.router.decide(toRouteInput(parsed.value));
    const out = JSON.stringify({ id: parsed.value.id, opd: d.opd, confidence: d.confidence, triage: d.triage, reasons: d.reasons });
    if (!process.stdout.write(`${out}\n`)) await new Promise((r) => process.stdout.once('drain', r));
  }
  if (bad > 0) {
    process.stderr.write(`${bad} bad line(s) of ${lineNo}\n`);
    process.exitCode = 1;
  }
}

await main();
