/**
 * Erases a complaint's citizen from everything Aduan holds (UU No. 27/2022; docs/operations.md,
 * "Personal data requests"). REDIS_URL (the service user's, on a locked Redis), QUEUE_PREFIX,
 * SPOOL_DIR, ATTACHMENT_DIR as the gateway's.
 *   complaint:erase <ticket>                 prints what it would erase, per place; changes nothing
 *   complaint:erase <ticket> --yes           erases it
 *   complaint:erase <ticket> --photos [...]  also the complaint's photo files no other complaint uses
 * Exit codes: 0 done (or nothing to do, or a dry run), 1 failed (Redis unreachable or refusing,
 * a file that could not be rewritten: run it again), 2 usage, 3 unknown ticket, 75 erased except
 * records a running gateway still holds in its spool: run it again in a minute, 78 SPOOL_DIR is
 * not the gateway's (it does not exist).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Redis } from 'ioredis';
import { parseEnvOrExit } from '@aduan/config';
import { LocalDiskStorage } from '@aduan/storage';
import { createLogger } from '@aduan/telemetry';
import { GatewayEnv } from '../src/config.ts';
import { ERASURE_PLACES, eraseComplaint, UnknownTicketError, type ErasurePlace, type ErasureReport } from '../src/erasure/erase-complaint.ts';
import { cliRedisError, connectCliRedis } from '../src/redis-acl/cli-redis.ts';
import { exitUnlessGatewaySpool } from './gateway-dirs.ts';

/** EX_TEMPFAIL: part of the work must wait for a running gateway; running it again finishes it. */
const EXIT_RETRY = 75;
const EXIT_UNKNOWN_TICKET = 3;

const PLACE_NAMES: Record<ErasurePlace, string> = {
  status_record: "status record fields (sender and phone hashes, the chat status news goes to)",
  status_history: 'status history notes naming the citizen',
  routed_copy: "routed copy (the complaint as its staff read it once the queues no longer keep it)",
  jobs_intake: 'intake jobs',
  jobs_routed: 'routed jobs',
  jobs_triage: 'triage jobs',
  jobs_opd: 'opd.<code> jobs',
  jobs_status: "OPD reports naming the citizen (status jobs)",
  jobs_notify: "notices to the citizen (notify.* jobs: the complaint's, unsent ones removed, and those sent into their chat about no complaint)",
  idempotency_claim: 'Idempotency-Key claim (the request hash)',
  desk_entry: 'radio desk entry naming the citizen (snippet, place, hint words)',
  chat_memory: "chat memory of the sender (the ticket acknowledged and kept for follow-ups, the last minutes' notice markers)",
  chat_links: "chat links between the sender's ids (WhatsApp number and LID, each way)",
  spool_records: 'records in the gateway spool files (SPOOL_DIR)',
  photos: 'photo files (only with --photos)',
};

function usage(): never {
  process.stderr.write('usage: complaint-erase.ts <ticket> [--photos] [--yes]\n');
  process.exit(2);
}

function print(r: ErasureReport, opts: { apply: boolean; photos: boolean }, attachmentDir: string): void {
  const out: string[] = [];
  out.push(opts.apply ? `Erased the citizen's personal data of complaint ${r.ticket} (${r.id}):` : `Dry run: nothing was changed. With --yes this would erase, for complaint ${r.ticket} (${r.id}):`);
  for (const p of ERASURE_PLACES) if (p !== 'photos' || opts.photos) out.push(`  ${String(r.counts[p]).padStart(4)}  ${PLACE_NAMES[p]}`);
  if (opts.photos && r.photosShared > 0) out.push(`  ${r.photosShared} photo file(s) kept: another complaint uses the same file.`);
  if (opts.photos && r.photosMissing > 0) out.push(`  ${r.photosMissing} photo file(s) of the complaint are not in ATTACHMENT_DIR (${resolve(attachmentDir)}): deleted before, or that is not the gateway's ATTACHMENT_DIR.`);
  if (!opts.photos) out.push('  Photo files are kept; add --photos to delete those no other complaint uses.');
  if (r.chatLinksKept > 0) out.push(`  ${r.chatLinksKept} chat link(s) kept for a day: the citizen has a chat open now (a new complaint) that uses them; they expire then.`);
  if (Object.values(r.counts).every((n) => n === 0)) out.push(r.erasedBefore ? `  Nothing left to erase: erased before, at ${r.erasedBefore}.` : '  Nothing holds personal data of this complaint any more.');
  out.push('The complaint text stays (the public-service record), with the citizen\'s name, number, e-mail and handle masked in it.');
  if (r.opds.length > 0) {
    out.push("These OPDs received the complaint; their own systems keep copies Aduan cannot reach. Ask each to erase the reporter's data of this ticket:");
    for (const o of r.opds) out.push(`  ${o.code}\t${o.name}`);
  } else out.push('No OPD received the complaint.');
  if (r.spoolBusy > 0) out.push(`${r.spoolBusy} record(s) wait in the spool file of a running gateway, which adds them to Redis as soon as it can: run this again in a minute.`);
  process.stdout.write(`${out.join('\n')}\n`);
}

async function main() {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { yes: { type: 'boolean', default: false }, photos: { type: 'boolean', default: false } } });
  const [ticket, extra] = positionals;
  if (!ticket || extra) usage();
  const env = parseEnvOrExit(GatewayEnv);
  exitUnlessGatewaySpool(env.SPOOL_DIR);
  const opts = { apply: values.yes, photos: values.photos };
  // The log line goes to stderr: stdout is the operator's report.
  const logger = createLogger({ service: 'complaint-erase', destination: process.stderr });
  let redis: Redis | undefined;
  try {
    redis = await connectCliRedis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', env.QUEUE_PREFIX);
    const report = await eraseComplaint({ redis, prefix: env.QUEUE_PREFIX, spoolDir: env.SPOOL_DIR, storage: new LocalDiskStorage(env.ATTACHMENT_DIR) }, ticket, opts);
    print(report, opts, env.ATTACHMENT_DIR);
    if (opts.apply) logger.info({ event: 'complaint_erased', complaintId: report.id, counts: report.counts, opds: report.opds.length, spoolBusy: report.spoolBusy }, 'complaint_erased');
    if (opts.apply && report.spoolBusy > 0) process.exitCode = EXIT_RETRY;
  } catch (err) {
    if (err instanceof UnknownTicketError) {
      process.stderr.write(`error (${err.code}): ${err.message}. Nothing was changed.\n`);
      process.exitCode = EXIT_UNKNOWN_TICKET;
      return;
    }
    // A file's error names its path; a socket's (Redis gone: ECONNRESET) has an errno too, but no path.
    const { code, message } = err instanceof Error && 'path' in err ? { code: 'file', message: err.message } : cliRedisError(err);
    process.stderr.write(`error (${code}): ${message}. Run it again: it finishes what is left and repeats nothing.\n`);
    process.exitCode = 1;
  } finally {
    redis?.disconnect();
  }
}

await main();
