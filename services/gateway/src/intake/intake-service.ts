import { hash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { newComplaintId, statusTokenFor, ticketFor, type Attachment, type Channel, type ComplaintInput, type Intake } from '@aduan/schema';
import { QueueNames, type DurableProducer, type StatusStore } from '@aduan/queue';
import type { Logger } from '@aduan/telemetry';
import { HttpError } from '../errors.ts';
import type { ComplaintAccepted, ComplaintRequest } from './complaint-request.ts';
import { IDEMPOTENCY_TTL_SECONDS, IdempotencyStore, hashKey, type IdempotencyRecord } from './idempotency.ts';

export interface IntakeDeps {
  producer: DurableProducer;
  status: StatusStore;
  redis: Redis;
  prefix: string;
  ticketPrefix: string;
  statusSecret: () => string;
  logger: Logger;
  /** Makes complaint ids (tests give a fixed sequence); default newComplaintId. */
  newId?: (now: Date) => string;
}

export interface SubmitInput {
  request: ComplaintRequest;
  attachments: Attachment[];
  channel: Extract<Channel, 'webform' | 'radio'>;
  intake: Intake;
  /** The receiving account: 'web' or the radio station. */
  account: string;
  idempotencyKey?: string;
}

export interface SubmitResult extends ComplaintAccepted {
  outcome: 'queued' | 'spooled' | 'replayed';
}

/**
 * What the request's one log line says about an accepted complaint (see app.ts: the access line
 * of such a request is "complaint accepted"). No personal data: ids, channel, outcome.
 */
export function acceptedLogFields(result: SubmitResult, channel: Channel, attachments: number): Record<string, unknown> {
  return { complaintId: result.id, channel, outcome: result.outcome, attachments };
}

const keyReused = () => new HttpError(422, 'idempotency_key_reused', 'This Idempotency-Key was already used with a different request');

/**
 * Turns a validated request into a Complaint on the `intake` queue. The answer (id, ticket,
 * status token) is fixed before the enqueue so an Idempotency-Key retry gets the same one.
 */
export class IntakeService {
  private readonly idempotency: IdempotencyStore;

  private readonly deps: IntakeDeps;

  private readonly newId: (now: Date) => string;

  constructor(deps: IntakeDeps) {
    this.deps = deps;
    this.newId = deps.newId ?? newComplaintId;
    this.idempotency = new IdempotencyStore(deps.redis, deps.prefix);
  }

  async submit(input: SubmitInput): Promise<SubmitResult> {
    const now = new Date();
    let answer = this.answerFor(this.newId(now));
    const keyHash = input.idempotencyKey ? hashKey(`${input.channel}:${input.account}:${input.idempotencyKey}`) : undefined;
    const bodyHash = keyHash ? hash('sha256', JSON.stringify([input.request, input.attachments.map((a) => a.sha256)])) : '';
    const known = keyHash ? this.idempotency.known(keyHash) : undefined;
    if (known) {
      // This process took the first request: its answer holds once its enqueue has (a 503 there
      // is a 503 here too, and the retry after it starts afresh).
      if (known.rec.bodyHash !== bodyHash) throw keyReused();
      await known.enqueued;
      return { ...known.rec.answer, outcome: 'replayed' };
    }
    const receivedAt = now.toISOString();

    // The status record (and, with an Idempotency-Key, the key's claim, atomically with it) is
    // written before the enqueue, so the router never sees a complaint whose status is missing.
    let recorded = false;
    try {
      for (let attempt = 1; ; attempt++) {
        const received = { id: answer.id, ticket: answer.ticket, channel: input.channel, receivedAt, ...(input.intake.station ? { station: input.intake.station } : {}) };
        const guard = keyHash ? { key: this.idempotency.redisKey(keyHash), value: JSON.stringify({ bodyHash, answer, receivedAt } satisfies IdempotencyRecord), ttlSeconds: IDEMPOTENCY_TTL_SECONDS } : undefined;
        const result = await this.deps.status.recordNew(received, guard);
        if (result.outcome === 'guard_exists') return this.replay(JSON.parse(result.earlier) as IdempotencyRecord, bodyHash, input, keyHash as string);
        if (result.outcome === 'recorded') break;
        // Tickets are 40 bits of the id's hash: another complaint already has this one. Nothing
        // was written; a new id gives a new ticket.
        this.deps.logger.warn({ complaintId: answer.id, attempt }, 'ticket already taken by another complaint; new id');
        if (attempt === 3) throw new Error('three tickets in a row already taken');
        answer = this.answerFor(this.newId(now));
      }
      recorded = true;
    } catch (err) {
      // Redis unreachable (or, far more rarely, three ticket clashes in a row): the complaint goes
      // to the queue or the spool anyway; the router records its status.
      this.deps.logger.warn({ complaintId: answer.id, err: (err as Error).message }, 'could not record status; the router will');
    }
    const { id } = answer;
    const complaint = this.complaintFor(input, answer, receivedAt, keyHash);
    const record: IdempotencyRecord = { bodyHash, answer, receivedAt };
    // The job is named after its channel so that listeners can tell sources apart cheaply.
    const enqueued = this.deps.producer.add(QueueNames.intake, id, complaint, { name: input.channel });
    if (keyHash) this.idempotency.remember(keyHash, record, enqueued);
    let outcome: 'queued' | 'spooled';
    try {
      ({ outcome } = await enqueued);
      // Once Redis holds the claim, it answers retries; the local copy is for outages only.
      if (keyHash && recorded) this.idempotency.forgetLocal(keyHash);
    } catch (err) {
      // Not accepted (QueueUnavailableError -> 503): a retry with the same key must try again.
      if (keyHash) await this.idempotency.release(keyHash);
      if (recorded) await this.deps.status.forgetReceived(id, answer.ticket).catch(() => {});
      throw err;
    }
    return { ...answer, outcome };
  }

  private answerFor(id: string): ComplaintAccepted {
    return { id, ticket: ticketFor(id, this.deps.ticketPrefix), statusToken: statusTokenFor(id, this.deps.statusSecret()) };
  }

  /**
   * The same Idempotency-Key, claimed in Redis by an earlier request (another replica, or this
   * process before a restart). A different body is an error. Otherwise the complaint is added
   * again under its first id: a no-op when it is queued (adds are idempotent by jobId), and the
   * repair when the first request died between its claim and its enqueue.
   */
  private async replay(earlier: IdempotencyRecord, bodyHash: string, input: SubmitInput, keyHash: string): Promise<SubmitResult> {
    if (earlier.bodyHash !== bodyHash) throw keyReused();
    const complaint = this.complaintFor(input, earlier.answer, earlier.receivedAt ?? new Date().toISOString(), keyHash);
    await this.deps.producer.add(QueueNames.intake, earlier.answer.id, complaint, { name: input.channel });
    return { ...earlier.answer, outcome: 'replayed' };
  }

  private complaintFor(input: SubmitInput, answer: ComplaintAccepted, receivedAt: string, keyHash: string | undefined): ComplaintInput {
    const { request: r } = input;
    // Validated once, against the queue contract, by the producer.
    return {
      schemaVersion: 1,
      id: answer.id,
      ticket: answer.ticket,
      channel: input.channel,
      source: { account: input.account, messageIds: [] },
      receivedAt,
      submittedAt: input.intake.callTime ?? receivedAt,
      reporter: {
        ...(r.reporter?.name ? { name: r.reporter.name } : {}),
        ...(r.reporter?.phone ? { phone: r.reporter.phone } : {}),
        ...(r.reporter?.email ? { email: r.reporter.email } : {}),
        anonymous: r.reporter?.anonymous ?? false,
        confidential: r.reporter?.confidential ?? false,
        ...(r.reporter?.contactConsent !== undefined ? { contactConsent: r.reporter.contactConsent } : {}),
      },
      text: r.text,
      ...(r.category ? { category: r.category } : {}),
      ...(r.location && Object.keys(r.location).length ? { location: r.location } : {}),
      attachments: input.attachments,
      language: 'id',
      intake: { ...input.intake, ...(keyHash ? { idempotencyKeyHash: keyHash } : {}) },
    };
  }
}
