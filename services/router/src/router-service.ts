import type { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { Counter, Histogram } from 'prom-client';
import { createRouter, DEFAULT_TRIAGE_THRESHOLD, loadDirectory, type Router } from '@aduan/routing';
import { Complaint, ReopenRequest, StatusUpdate, type Routing } from '@aduan/schema';
import { DelayedError, Queue, QueueNames, StatusStore, backfillOnce, backfillRoutedCopies, closeWorker, logWorkerClosed, createConsumer, createRedis, settlesWithin, latestRouted, publishRouted, routerHeartbeatKey, untilReady, DurableProducer, senderFields } from '@aduan/queue';
import { metricsRegistry, type Logger } from '@aduan/telemetry';
import { DeskEntryStore, indexComplaint } from '@aduan/hints';
import { additionOutcome, namedComplaintId, type AdditionOutcome } from './addition.ts';
import { applyStatusUpdate, DecisionBusyError, DecisionNotRecordedError, tellHeldNotices } from './status-updates.ts';
import { applyReopen } from './reopen.ts';

export const ROUTER_VERSION = '0.1.0';

const decisions = new Counter({ name: 'aduan_router_decisions_total', help: 'Routing decisions by OPD and outcome', labelNames: ['opd', 'outcome'], registers: [metricsRegistry] });
const latency = new Histogram({ name: 'aduan_router_job_seconds', help: 'Time to route one intake job', buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1], registers: [metricsRegistry] });

/**
 * How long an addition's decision may hold its complaint's decision lock (StatusStore.lockDecision):
 * milliseconds as a rule; the bound is for a router that dies holding it.
 */
const ADDITION_LOCK_MS = 30_000;

export interface RouterServiceOptions {
  redisUrl: string;
  prefix: string;
  logger: Logger;
  triageThreshold?: number;
  directoryPath?: string;
  concurrency?: number;
  /** Injected for tests; built from the directory otherwise. */
  router?: Router;
  /** Days of the radio desk's duplicate-hint index (default 3; 0 = do not index). */
  hintDays?: number;
  /**
   * How long close() lets the jobs in flight finish, waiting for an unreachable Redis to come
   * back if they need it (default 3 s; main.ts: half of SHUTDOWN_TIMEOUT). With Redis away and
   * nothing in flight, close() does not wait at all.
   */
  closeGraceMs?: number;
}

export interface RouterService {
  readonly router: Router;
  /** True while the workers run and Redis answers. */
  alive(): boolean;
  /** How many intake jobs may be routed at once; changeable while running. */
  concurrency: number;
  close(): Promise<void>;
}

/**
 * Consumes `intake` (decide, publish to routed / opd.<code> / triage, tell the citizen) and
 * `status` (downstream progress -> status store -> citizen), and `reopen` (a citizen says a
 * resolved complaint is not solved: back to its OPD). Every step is idempotent, so
 * BullMQ's retries after a crash publish nothing twice.
 */
export async function startRouterService(opts: RouterServiceOptions): Promise<RouterService> {
  const log = opts.logger;
  const router = opts.router ?? createRouter(loadDirectory(opts.directoryPath), { triageThreshold: opts.triageThreshold ?? DEFAULT_TRIAGE_THRESHOLD });
  // A keyword that never matches, or matches far more than meant, after an edit of infra/routing.
  for (const warning of router.warnings ?? []) log.warn({ warning }, 'routing directory: a keyword to fix (pnpm route shows how a text is read)');
  const client: Redis = createRedis(opts.redisUrl, 'worker');
  const workerConn: Redis = createRedis(opts.redisUrl, 'worker');
  const producer = new DurableProducer({ connection: client, prefix: opts.prefix, logger: log });
  const status = new StatusStore(client, opts.prefix);
  const hintDays = opts.hintDays ?? 3;
  const hints = hintDays > 0 ? new DeskEntryStore(client, opts.prefix, hintDays) : undefined;
  const routedQueue = new Queue(QueueNames.routed, { connection: client, prefix: opts.prefix });
  routedQueue.on('error', () => {});
  const intakeQueue = new Queue(QueueNames.intake, { connection: client, prefix: opts.prefix });
  intakeQueue.on('error', () => {});
  const earlierDecision = {
    undecided: async (id: string) => ['waiting', 'delayed', 'prioritized', 'active', 'waiting-children'].includes(await intakeQueue.getJobState(id)),
    routing: async (id: string) => (await latestRouted(routedQueue, status, id))?.routing,
  };

  /**
   * The decision for a complaint. A job started again (the router died mid-job, or a write
   * failed) keeps the decision it published before, if any: deciding again after a restart
   * with another threshold or directory could put it on one OPD's queue and in triage at once.
   * Null when an admin has re-assigned it meanwhile (its triage entry, or the OPD it was first
   * published to, is what the admin saw): that decision stands, and this job has nothing to do.
   * `addition` is what additionOutcome said of the complaint (null: it is no addition).
   */
  const decisionFor = async (complaint: Complaint, attemptsStarted: number, addition: AdditionOutcome): Promise<{ routing: Routing; retried: boolean } | null> => {
    if (attemptsStarted > 1) {
      const earlier = await latestRouted(routedQueue, status, complaint.id);
      if (earlier && earlier.routing.revision > 0) return null;
      if (earlier) return { routing: earlier.routing, retried: true };
    }
    const meta = { decidedBy: 'rules', revision: 0, routedAt: new Date().toISOString(), routerVersion: `${ROUTER_VERSION}+${router.version}` } as const;
    // A photo sent after the complaint was filed goes where that complaint is, not by its (our) words.
    if (addition?.kind === 'follows') return { retried: false, routing: { ...addition.decision, alternatives: [], triage: false, ...meta } };
    const d = router.decide({ text: complaint.text, ...(complaint.category ? { category: complaint.category } : {}), ...(complaint.location ? { location: complaint.location } : {}) });
    const routing: Routing = {
      opd: d.opd,
      opdName: d.opdName,
      confidence: d.confidence,
      reasons: d.reasons,
      alternatives: d.alternatives,
      triage: d.triage,
      ...(d.external ? { external: d.external } : {}),
      ...meta,
    };
    // Its words are ours, and say nothing of where it belongs: it waits in triage for its complaint.
    if (addition?.kind === 'waits') return { retried: false, routing: { ...routing, triage: true, reasons: [addition.reason, ...routing.reasons], note: addition.note } };
    return { retried: false, routing };
  };

  /**
   * Decides and publishes one complaint. `addition` is what additionOutcome says of it, read under
   * its complaint's decision lock. False when it is to be decided again shortly (`pending`).
   */
  const routeOne = async (complaint: Complaint, attemptsStarted: number, addition: AdditionOutcome): Promise<boolean> => {
    if (addition?.kind === 'pending') return false;
    // Linked before it is published, under the lock: an admin assigning the earlier complaint next finds it.
    if (addition) await status.linkAddition(addition.earlierId, complaint.id);
    const decided = await decisionFor(complaint, attemptsStarted, addition);
    if (!decided) {
      log.info({ complaintId: complaint.id }, 'complaint re-assigned by an admin before this retry: nothing to publish');
      return true;
    }
    const { routing, retried } = decided;
    // The intake side records "received" unless it spooled the complaint; make sure it exists.
    // Callers the radio desk linked before the decision come back as supporters.
    const [{ supporters, ticketTaken }] = await Promise.all([
      status.ensureReceived({
        id: complaint.id,
        ticket: complaint.ticket,
        channel: complaint.channel,
        receivedAt: complaint.receivedAt,
        ...senderFields(complaint.channel, complaint.source.senderId, complaint.reporter.phone),
        ...(complaint.intake.station ? { station: complaint.intake.station } : {}),
        ...(complaint.source.threadId ? { replyAccount: complaint.source.account, replyTo: complaint.source.threadId } : {}),
      }),
      // The monthly report counts each complaint once, by when it was received; an addition is
      // counted with the complaint it adds to, not on its own.
      ...(addition ? [] : [status.indexReceived(complaint.id, Date.parse(complaint.receivedAt))]),
    ]);
    // Only for a complaint the intake side could not record (spooled) whose ticket another
    // complaint took meanwhile: it is routed and its status kept, but not found by ticket.
    if (ticketTaken) log.error({ complaintId: complaint.id }, 'ticket already belongs to another complaint: status look-ups by this ticket will not find it');
    // An addition with its complaint's OPD: its notice names that complaint, as its acknowledgement did.
    const follows = addition?.kind === 'follows' && !routing.triage && routing.opd === addition.decision.opd ? { addsTo: addition.ticket } : {};
    await publishRouted({ producer, status }, complaint, routing, supporters, follows);
    if (!retried) decisions.inc({ opd: routing.opd, outcome: routing.triage ? 'triage' : 'routed' });
    // Duplicate hints for the radio desk, whatever the channel; a convenience, never a failure.
    if (hints) await indexComplaint(hints, complaint).catch((err: Error) => log.debug({ complaintId: complaint.id, err: err.message }, 'hint index failed'));
    log.info({ complaintId: complaint.id, opd: routing.opd, confidence: Number(routing.confidence.toFixed(3)), triage: routing.triage, ...(retried ? { retried } : {}) }, 'complaint routed');
    return true;
  };

  const intake: Worker = createConsumer({
    connection: workerConn,
    prefix: opts.prefix,
    queue: QueueNames.intake,
    schema: Complaint,
    concurrency: opts.concurrency ?? 16,
    onError: (err, repeated) => log.warn({ err: err.message, ...(repeated ? { repeated } : {}) }, 'intake worker error'),
    handler: async (complaint, job, token) => {
      const end = latency.startTimer();
      /** Decided again in `ms`: not an attempt spent. */
      const later = async (ms: number, why: string, addsTo: string): Promise<void> => {
        log.info({ complaintId: complaint.id, addsTo }, why);
        await job.moveToDelayed(Date.now() + ms, token);
        throw new DelayedError();
      };
      // An addition is decided under its complaint's decision lock, the one an admin's assignment
      // holds: decided from that complaint's state while an admin assigns it, it was published
      // after the assignment had moved the complaint's additions, and stayed behind.
      const named = await namedComplaintId(status, complaint);
      const lock = named ? await status.lockDecision(named, ADDITION_LOCK_MS) : null;
      if (named && !lock) return later(1_000, 'addition waits for a decision on its complaint under way', named);
      let done: boolean;
      try {
        done = await routeOne(complaint, job.attemptsStarted, named ? await additionOutcome(status, complaint, named, earlierDecision) : null);
      } finally {
        if (named && lock) await status.unlockDecision(named, lock);
      }
      // Its complaint's intake job is still to be routed (a backlog after an outage, both in it):
      // decided after that one, so that it can follow it.
      if (!done && named) return later(2_000, 'addition waits for the decision on its complaint', named);
      end();
    },
  });

  /** A job waiting for another decision on its complaint: 1 s, 2 s, 4 s... up to a minute, no attempt spent. */
  const waitForDecision = async (job: Job, token: string | undefined): Promise<never> => {
    await job.moveToDelayed(Date.now() + Math.min(1_000 * 2 ** (job.attemptsStarted - 1), 60_000), token);
    throw new DelayedError();
  };

  const statusWorker: Worker = createConsumer({
    connection: workerConn,
    prefix: opts.prefix,
    queue: QueueNames.status,
    schema: StatusUpdate,
    concurrency: 4,
    onError: (err, repeated) => log.warn({ err: err.message, ...(repeated ? { repeated } : {}) }, 'status worker error'),
    handler: async (update: StatusUpdate, job, token) => {
      try {
        await applyStatusUpdate({ producer, status, routedQueue, logger: log }, update, job.attemptsStarted > 1, job.timestamp);
      } catch (err) {
        if (!(err instanceof DecisionNotRecordedError || err instanceof DecisionBusyError)) throw err;
        // Not an attempt spent: 1 s, 2 s, 4 s... up to a minute, until the intake job's retry
        // records it (or the admin's assignment under way is done).
        log.info({ complaintId: update.complaintId, opd: update.opd, updateId: update.updateId }, err instanceof DecisionBusyError ? 'status update waits for another decision on the complaint' : 'status update waits for its decision to be recorded');
        return waitForDecision(job, token);
      }
    },
  });

  const reopenWorker: Worker = createConsumer({
    connection: workerConn,
    prefix: opts.prefix,
    queue: QueueNames.reopen,
    schema: ReopenRequest,
    concurrency: 2,
    onError: (err, repeated) => log.warn({ err: err.message, ...(repeated ? { repeated } : {}) }, 'reopen worker error'),
    handler: async (req: ReopenRequest, job, token) => {
      try {
        await applyReopen({ producer, status, routedQueue, logger: log }, req);
      } catch (err) {
        if (!(err instanceof DecisionBusyError)) throw err;
        // An OPD's report or an admin's assignment under way: after it, not an attempt spent.
        log.info({ complaintId: req.complaintId }, 'reopen waits for another decision on the complaint');
        return waitForDecision(job, token);
      }
    },
  });

  const beat = async () => {
    await client.set(routerHeartbeatKey(opts.prefix), new Date().toISOString(), 'EX', 15).catch(() => {});
  };
  // The first beat before this returns, so /readyz sees the router at once. Bounded: a router
  // started while Redis is away still starts (and the all-in-one's web intake with it, which
  // spools), and beats once Redis is back. The worker connection queues commands until then.
  if (await untilReady(client, 3_000)) await beat();
  else void beat();
  const timer = setInterval(() => void beat(), 5_000);
  timer.unref();
  // Status notices the daily limit held back: told once it allows, where they must be.
  const heldTimer = setInterval(() => void tellHeldNotices({ producer, status, routedQueue, logger: log }).catch((err: Error) => log.warn({ err: err.message }, 'held status notices not looked at; again in a minute')), 60_000);
  heldTimer.unref();
  // Complaints open at the upgrade that brought routed copies get one, from `routed` (ADR 0013).
  const stopBackfill = new AbortController();
  const copyBackfill = backfillOnce(
    () => backfillRoutedCopies(client, opts.prefix, (id) => latestRouted(routedQueue, status, id), stopBackfill.signal),
    { filled: 'routed copies written for the complaints open at the upgrade (once)', notYet: 'routed copies of the complaints open at the upgrade not written yet: trying again in a minute' },
    log,
    stopBackfill.signal,
  );

  let closed = false;
  return {
    router,
    alive: () => !closed && intake.isRunning() && client.status === 'ready',
    get concurrency() {
      return intake.concurrency;
    },
    set concurrency(n: number) {
      intake.concurrency = n;
    },
    close: async () => {
      closed = true;
      clearInterval(timer);
      clearInterval(heldTimer);
      stopBackfill.abort();
      // Stop taking jobs, let in-flight ones finish, then close connections. With Redis away
      // they cannot finish: each stays active in Redis and is routed again once it is back.
      const graceMs = opts.closeGraceMs ?? 3_000;
      const workers = [
        [QueueNames.intake, intake],
        [QueueNames.status, statusWorker],
        [QueueNames.reopen, reopenWorker],
      ] as const;
      await Promise.all(workers.map(async ([queue, worker]) => logWorkerClosed(log, queue, await closeWorker(worker, { graceMs }), graceMs)));
      // Stopped at its next page; one waiting on an unreachable Redis is not waited for.
      await settlesWithin(copyBackfill, 1_000);
      await routedQueue.close().catch(() => {});
      await intakeQueue.close().catch(() => {});
      // Tells /readyz at once; best effort (the key expires in 15 s anyway), and not waited for
      // long: this connection holds a command for as long as Redis is away.
      if (client.status === 'ready') await settlesWithin(client.del(routerHeartbeatKey(opts.prefix)), 1_000);
      await producer.close();
      client.disconnect();
      workerConn.disconnect();
    },
  };
}
