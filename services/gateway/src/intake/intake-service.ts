import { hash } from 'node:crypto';
import { newComplaintId, statusTokenFor, ticketFor, type Attachment, type Channel, type ComplaintInput, type Intake } from '@aduan/schema';
import { QueueNames, StatusStore, senderFields, type DurableProducer, type SpoolRecord } from '@aduan/queue';
import type { Logger } from '@aduan/telemetry';
import { HttpError } from '../errors.ts';
import type { ComplaintAccepted, ComplaintRequest } from './complaint-request.ts';
import { IDEMPOTENCY_TTL_SECONDS, IdempotencyStore, hashKey, type IdempotencyRecord } from './idempotency.ts';

export interface IntakeDeps {
  producer: DurableProducer;
  status: StatusStore;
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
  /**
   * The Idempotency-Key's retry may come without the photos and without the reporter's name,
   * phone and e-mail, and is still the same complaint: the citizen page's, whose retry after a
   * lost answer is the form brought back in the browser, which cannot attach files again and
   * does not keep contact details (a shared computer). Those are then left out of the comparison.
   */
  retryFromRestoredForm?: boolean;
  /**
   * Where the Idempotency-Key is unique, when not the account: the citizen page's keys (made by
   * the server, one per form) are kept apart from the API's (chosen by its clients), so an API
   * client's key sent through the page never names, nor reveals, an API complaint.
   */
  keyScope?: string;
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

/**
 * 422: the key's first request was another complaint. `earlier` is that complaint's answer, never
 * in an API answer: the citizen page gives it back (ticket and access code), since whoever holds
 * the page's key is whoever sent that form.
 */
export class KeyReusedError extends HttpError {
  readonly earlier: ComplaintAccepted | undefined;
  constructor(earlier: ComplaintAccepted | undefined) {
    super(422, 'idempotency_key_reused', 'This Idempotency-Key was already used with a different request');
    this.earlier = earlier;
  }
}

/**
 * Turns a validated request into a Complaint on the `intake` queue. The answer (id, ticket,
 * status token) is fixed before the enqueue; the Idempotency-Key's claim keeps the id and
 * ticket, and a retry gets the same answer (its status token derived from the id again).
 */
export class IntakeService {
  private readonly idempotency: IdempotencyStore;

  private readonly deps: IntakeDeps;

  private readonly newId: (now: Date) => string;

  constructor(deps: IntakeDeps) {
    this.deps = deps;
    this.newId = deps.newId ?? newComplaintId;
    this.idempotency = new IdempotencyStore(deps.prefix);
  }

  async submit(input: SubmitInput): Promise<SubmitResult> {
    const keyHash = input.idempotencyKey ? hashKey(`${input.channel}:${input.keyScope ?? input.account}:${input.idempotencyKey}`) : undefined;
    const now = new Date();
    if (!keyHash) return this.submitNew(input, undefined, '', now);
    const bodyHash = hash('sha256', JSON.stringify(input.retryFromRestoredForm ? [withoutContact(input.request)] : [input.request, input.attachments.map((a) => a.sha256)]));
    const known = this.idempotency.known(keyHash);
    if (known) {
      // This process took the first request: its answer holds once its complaint is accepted (a
      // 503 there is a 503 here too, and the retry after it starts afresh).
      if (known.bodyHash !== bodyHash) throw new KeyReusedError(await known.answer.catch(() => undefined));
      return { ...(await known.answer), outcome: 'replayed' };
    }
    const queued = this.idempotency.recentlyQueued(keyHash);
    if (queued) {
      // Answered here even while Redis is away (its claim could not be read, and a new ticket
      // would file the complaint twice); added again under its id, as a retry answered from
      // Redis's claim is: a no-op while it is queued, a repair if its job was removed since.
      const answer = this.answerFor(queued.id, queued.ticket);
      if (queued.bodyHash !== bodyHash) throw new KeyReusedError(answer);
      await this.deps.producer.add(QueueNames.intake, queued.id, this.complaintFor(input, answer, queued.receivedAt, keyHash), { name: input.channel });
      return { ...answer, outcome: 'replayed' };
    }
    const submitted = this.submitNew(input, keyHash, bodyHash, now);
    const answer = submitted.then(({ id, ticket, statusToken }) => ({ id, ticket, statusToken }));
    // Awaited only by a concurrent request with the same key; this one reports the failure.
    answer.catch(() => {});
    this.idempotency.remember(keyHash, { bodyHash, answer });
    try {
      const result = await submitted;
      // In Redis: Redis's claim answers retries; this process keeps a small record for a retry
      // that comes while Redis is away. Spooled: the in-flight entry stays, the only record there is.
      if (result.outcome !== 'spooled') this.idempotency.rememberQueued(keyHash, { bodyHash, id: result.id, ticket: result.ticket, receivedAt: now.toISOString() });
      return result;
    } catch (err) {
      // Not accepted (QueueUnavailableError -> 503): a retry with the same key must try again.
      // Redis holds no claim to release: a claim is only ever written together with its
      // complaint, so if one was written after all (a reply that came too late), the retry is
      // answered from it.
      this.idempotency.forgetLocal(keyHash);
      throw err;
    }
  }

  /**
   * Records the complaint's status, claims its Idempotency-Key and adds it to `intake`, all in
   * one Redis script (DurableProducer.addGuarded), so the router never sees a complaint whose
   * status is missing and a claim never exists without its complaint.
   */
  private async submitNew(input: SubmitInput, keyHash: string | undefined, bodyHash: string, now: Date): Promise<SubmitResult> {
    const receivedAt = now.toISOString();
    for (let attempt = 1; attempt <= 3; attempt++) {
      const answer = this.answerFor(this.newId(now));
      const received = { id: answer.id, ticket: answer.ticket, channel: input.channel, receivedAt, ...senderFields(input.channel, undefined, input.request.reporter?.phone), ...(input.intake.station ? { station: input.intake.station } : {}) };
      const claim = keyHash ? { key: this.idempotency.redisKey(keyHash), value: JSON.stringify({ bodyHash, id: answer.id, ticket: answer.ticket, receivedAt } satisfies IdempotencyRecord), ttlSeconds: IDEMPOTENCY_TTL_SECONDS } : undefined;
      const complaint = this.complaintFor(input, answer, receivedAt, keyHash);
      // The job is named after its channel so that listeners can tell sources apart cheaply.
      const result = await this.deps.producer.addGuarded(QueueNames.intake, answer.id, complaint, { name: input.channel, guard: this.deps.status.newComplaintGuard(received, claim) });
      // The radio desk's board: the complaint is queued whatever happens here, and the router
      // puts it on the board again when it routes it.
      if (result.outcome === 'queued' && received.station) await this.deps.status.putOnStationBoard(received).catch((err: Error) => this.deps.logger.warn({ complaintId: answer.id, err: err.message }, 'station board entry not written; the router will'));
      // Spooled: Redis did not answer, so the record was most likely not made; the router makes
      // it when it routes the complaint.
      if (result.outcome !== 'refused') return { ...answer, outcome: result.outcome };
      const refusal = this.deps.status.refusalOutcome(result.refusal);
      if (refusal.outcome === 'guard_exists') return this.replay(JSON.parse(refusal.earlier) as IdempotencyRecord, bodyHash, input, keyHash as string);
      // Tickets are 40 bits of the id's hash: another complaint already has this one. Nothing
      // was written; a new id gives a new ticket.
      this.deps.logger.warn({ complaintId: answer.id, attempt }, 'ticket already taken by another complaint; new id');
    }
    // Three clashes in a row (in practice never): queue it without a record; the router records
    // its status and logs the clash.
    const answer = this.answerFor(this.newId(now));
    const { outcome } = await this.deps.producer.add(QueueNames.intake, answer.id, this.complaintFor(input, answer, receivedAt, keyHash), { name: input.channel });
    return { ...answer, outcome };
  }

  /**
   * After a restart while complaints wait in the spool (Redis was away when they were
   * acknowledged): their Idempotency-Keys are claimed nowhere yet (a claim is written when the
   * drain adds its complaint), and what the previous process remembered of them is gone. Read
   * back from the spooled records' guards, a retry gets its first answer instead of filing the
   * complaint again. As many as the in-flight map holds (10,000), the newest kept; a key a
   * request already brought is left as it is. Stops early when `signal` aborts (shutdown).
   * Returns how many were recalled.
   */
  async recallSpooled(records: AsyncIterable<SpoolRecord>, signal?: AbortSignal): Promise<number> {
    const claimPrefix = this.idempotency.redisKey('');
    let n = 0;
    for await (const rec of records) {
      if (signal?.aborted) break;
      const claim = rec.queue === QueueNames.intake ? StatusStore.claimOf(rec.guard) : undefined;
      if (!claim?.key.startsWith(claimPrefix)) continue;
      const keyHash = claim.key.slice(claimPrefix.length);
      let earlier: IdempotencyRecord;
      try {
        earlier = JSON.parse(claim.value) as IdempotencyRecord;
      } catch {
        continue; // one unreadable claim: its key is not recalled, the others are
      }
      if (!earlier.id || this.idempotency.known(keyHash)) continue;
      const answer = this.answerFor(earlier.id, earlier.ticket);
      this.idempotency.recall(keyHash, { bodyHash: earlier.bodyHash, answer: Promise.resolve(answer) });
      n++;
    }
    return n;
  }

  /** A complaint's answer: `ticket` as first given when known (TICKET_PREFIX may have changed since), the token derived anew. */
  private answerFor(id: string, ticket?: string): ComplaintAccepted {
    return { id, ticket: ticket ?? ticketFor(id, this.deps.ticketPrefix), statusToken: statusTokenFor(id, this.deps.statusSecret()) };
  }

  /**
   * The same Idempotency-Key, claimed in Redis by an earlier request (another replica, or this
   * process before a restart). A different body is an error. Otherwise the complaint is added
   * again under its first id: a no-op while it is queued (adds are idempotent by jobId). The
   * claim and the complaint are written in one script, so this only repairs a job removed since
   * (by hand, or a claim older versions wrote before their enqueue).
   */
  private async replay(earlier: IdempotencyRecord, bodyHash: string, input: SubmitInput, keyHash: string): Promise<SubmitResult> {
    const id = earlier.id ?? earlier.answer?.id;
    if (!id) throw new Error('unreadable Idempotency-Key claim: it names no complaint');
    const answer = this.answerFor(id, earlier.ticket ?? earlier.answer?.ticket);
    if (earlier.bodyHash !== bodyHash) throw new KeyReusedError(answer);
    const complaint = this.complaintFor(input, answer, earlier.receivedAt ?? new Date().toISOString(), keyHash);
    await this.deps.producer.add(QueueNames.intake, id, complaint, { name: input.channel });
    return { ...answer, outcome: 'replayed' };
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

/** A request as the page's restored form can send it again: without the reporter's name, phone and e-mail. */
function withoutContact(r: ComplaintRequest): ComplaintRequest {
  if (!r.reporter) return r;
  const { name: _name, phone: _phone, email: _email, ...rest } = r.reporter;
  return { ...r, reporter: rest };
}
