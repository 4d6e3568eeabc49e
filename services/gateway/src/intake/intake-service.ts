import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { newComplaintId, statusTokenFor, ticketFor, type Attachment, type Channel, type ComplaintInput, type Intake } from '@aduan/schema';
import { QueueNames, type DurableProducer, type StatusStore } from '@aduan/queue';
import type { Logger } from '@aduan/telemetry';
import { HttpError } from '../errors.ts';
import type { ComplaintAccepted, ComplaintRequest } from './complaint-request.ts';
import { IdempotencyStore, hashKey } from './idempotency.ts';

export interface IntakeDeps {
  producer: DurableProducer;
  status: StatusStore;
  redis: Redis;
  prefix: string;
  ticketPrefix: string;
  statusSecret: () => string;
  logger: Logger;
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
 * Turns a validated request into a Complaint on the `intake` queue. The answer (id, ticket,
 * status token) is fixed before the enqueue so an Idempotency-Key retry gets the same one.
 */
export class IntakeService {
  private readonly idempotency: IdempotencyStore;

  private readonly deps: IntakeDeps;

  constructor(deps: IntakeDeps) {
    this.deps = deps;
    this.idempotency = new IdempotencyStore(deps.redis, deps.prefix);
  }

  async submit(input: SubmitInput): Promise<SubmitResult> {
    const now = new Date();
    const id = newComplaintId(now);
    const answer: ComplaintAccepted = { id, ticket: ticketFor(id, this.deps.ticketPrefix), statusToken: statusTokenFor(id, this.deps.statusSecret()) };

    let keyHash: string | undefined;
    if (input.idempotencyKey) {
      keyHash = hashKey(`${input.channel}:${input.account}:${input.idempotencyKey}`);
      const bodyHash = createHash('sha256').update(JSON.stringify([input.request, input.attachments.map((a) => a.sha256)])).digest('hex');
      const earlier = await this.idempotency.claim(keyHash, { bodyHash, answer });
      if (earlier) {
        if (earlier.bodyHash !== bodyHash) throw new HttpError(422, 'idempotency_key_reused', 'This Idempotency-Key was already used with a different request');
        return { ...earlier.answer, outcome: 'replayed' };
      }
    }

    const { request: r } = input;
    // Validated once, against the queue contract, by the producer.
    const complaint: ComplaintInput = {
      schemaVersion: 1,
      id,
      ticket: answer.ticket,
      channel: input.channel,
      source: { account: input.account, messageIds: [] },
      receivedAt: now.toISOString(),
      submittedAt: (input.intake.callTime ?? now.toISOString()),
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

    let outcome: 'queued' | 'spooled';
    try {
      // The job is named after its channel so that listeners can tell sources apart cheaply.
      ({ outcome } = await this.deps.producer.add(QueueNames.intake, id, complaint, { name: input.channel }));
    } catch (err) {
      // Not accepted (QueueUnavailableError -> 503): a retry with the same key must try again.
      if (keyHash) await this.idempotency.release(keyHash);
      throw err;
    }
    if (outcome === 'queued') {
      await this.deps.status
        .recordReceived({ id, ticket: answer.ticket, channel: input.channel, receivedAt: complaint.receivedAt, ...(input.intake.station ? { station: input.intake.station } : {}) })
        .catch((err: Error) => this.deps.logger.warn({ complaintId: id, err: err.message }, 'could not record status; the router will'));
    }
    this.deps.logger.info({ complaintId: id, channel: input.channel, outcome, attachments: input.attachments.length }, 'complaint accepted');
    return { ...answer, outcome };
  }
}
