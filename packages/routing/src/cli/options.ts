import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadDirectory } from '../directory.ts';
import { createRouter, DEFAULT_TRIAGE_THRESHOLD } from '../router.ts';
import type { Router } from '../types.ts';

/** Environment read by the routing CLIs (and nothing else in the package). */
const CliEnv = z.object({
  /** Folder (or single YAML file) of the OPD directory; default: the repository's infra/routing. */
  ROUTING_DIRECTORY: z.string().min(1).optional(),
  /** Confidence below which a complaint goes to triage. */
  ROUTING_TRIAGE_THRESHOLD: z.coerce.number().min(0).max(1).optional(),
});

export interface CliSetup {
  router: Router;
  threshold: number;
  positionals: string[];
  json: boolean;
}

/** --directory and --threshold override ROUTING_DIRECTORY and ROUTING_TRIAGE_THRESHOLD. */
export function setup(argv: string[], env: NodeJS.ProcessEnv = process.env): CliSetup {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { directory: { type: 'string' }, threshold: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const e = CliEnv.parse({ ROUTING_DIRECTORY: env['ROUTING_DIRECTORY'] || undefined, ROUTING_TRIAGE_THRESHOLD: env['ROUTING_TRIAGE_THRESHOLD'] || undefined });
  const threshold = values.threshold !== undefined ? z.coerce.number().min(0).max(1).parse(values.threshold) : (e.ROUTING_TRIAGE_THRESHOLD ?? DEFAULT_TRIAGE_THRESHOLD);
  const dirPath = values.directory ?? e.ROUTING_DIRECTORY;
  const router = createRouter(dirPath ? loadDirectory(dirPath) : loadDirectory(), { triageThreshold: threshold });
  for (const w of router.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
  return { router, threshold, positionals, json: values.json ?? false };
}

/** Prints a start-up failure (bad directory, bad flag) as one line and exits 2. */
export function fail(err: unknown): never {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
}
