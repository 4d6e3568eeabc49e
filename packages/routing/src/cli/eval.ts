import { readFileSync } from 'node:fs';
import { EvalLine, parseLine, toRouteInput } from '../eval/input-line.ts';
import { formatReport } from '../eval/format.ts';
import { evaluate, type Scored } from '../eval/metrics.ts';
import { fail, setup } from './options.ts';

/**
 * `pnpm eval:routing <file.jsonl> [--json] [--threshold x] [--directory path]`: routes every line and
 * compares with its expected `opd`. Bad lines are reported on stderr and skipped (exit 1 at the end).
 */
function main(): void {
  let cli;
  let text: string;
  try {
    cli = setup(process.argv.slice(2));
    const file = cli.positionals[0];
    if (!file) throw new Error('usage: pnpm eval:routing <file.jsonl> [--json] [--threshold 0.5] [--directory infra/routing]');
    text = readFileSync(file, 'utf8');
  } catch (err) {
    fail(err);
  }
  const rows: Scored[] = [];
  let bad = 0;
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    const parsed = parseLine(EvalLine, raw);
    if (!parsed.ok) {
      bad++;
      process.stderr.write(`line ${i + 1}: ${parsed.error}\n`);
      return;
    }
    const d = cli.router.decide(toRouteInput(parsed.value));
    rows.push({ expected: parsed.value.opd, predicted: d.opd, triage: d.triage, confidence: d.confidence });
  });
  const report = evaluate(rows);
  process.stdout.write(cli.json ? `${JSON.stringify({ threshold: cli.threshold, routerVersion: cli.router.version, ...report })}\n` : `${formatReport(report, cli.threshold)}\n`);
  if (bad > 0) process.exitCode = 1;
}

main();
