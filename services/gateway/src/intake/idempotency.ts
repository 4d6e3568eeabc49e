import { hash } from 'node:crypto';
import type { ComplaintAccepted } from './complaint-request.ts';

export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

/**
 * What Redis keeps for an Idempotency-Key (its claim): the first request's body hash and its
 * complaint's id and ticket. The status token is derived from the id again on a retry (ADR
 * 0004), so the claim holds no bearer credential, and a retry after the status-token secret
 * was rotated gets a token that verifies. The ticket is kept as given: it must stay the one
 * the complaint is filed under, even if TICKET_PREFIX changed since.
 */
export interface IdempotencyRecord {
  bodyHash: string;
  id?: string;
  ticket?: string;
  /** Claims written before the id was kept alone carry the whole answer instead. */
  answer?: ComplaintAccepted;
  /** When the first request was received (absent in records written before it was kept). */
  receivedAt?: string;
}

interface LocalEntry {
  bodyHash: string;
  /** The first request's answer, once its complaint is queued or spooled (rejects if it was not accepted). */
  answer: Promise<ComplaintAccepted>;
}

/** A key whose complaint reached Redis: kept small, as many are. */
export interface QueuedEntry {
  bodyHash: string;
  id: string;
  ticket: string;
  receivedAt: string;
}

export const hashKey = (key: string) => hash('sha256', key).slice(0, 40);

/**
 * Remembers the answer given for each Idempotency-Key for 24 h: in Redis (shared by replicas;
 * the claim itself is written in the same script as the status record and the complaint's
 * intake add, see IntakeService), and in this process: a map that holds a key while its
 * request is in flight and for as long as its complaint is only in the spool (its claim exists
 * nowhere else), and the last `queuedMax` keys whose complaint reached Redis, so that a retry
 * that comes while Redis is away (its claim cannot be read) still gets its first answer.
 */
export class IdempotencyStore {
  private readonly local = new Map<string, LocalEntry>();
  private readonly queued = new Map<string, QueuedEntry>();
  /** Keys read back from the spool after a restart (recall): apart, so they never push out a live request's entry. */
  private readonly recalled = new Map<string, LocalEntry>();

  private readonly prefix: string;
  private readonly localMax: number;
  private readonly queuedMax: number;

  constructor(prefix: string, localMax = 10_000, queuedMax = 1_000) {
    this.prefix = prefix;
    this.localMax = localMax;
    this.queuedMax = queuedMax;
  }

  redisKey(keyHash: string): string {
    return `${this.prefix}:idem:${keyHash}`;
  }

  /** What this process already holds for the key, if any: the first request's body and answer. */
  known(keyHash: string): LocalEntry | undefined {
    return this.local.get(keyHash) ?? this.recalled.get(keyHash);
  }

  /**
   * A key whose complaint a previous process spooled (IntakeService.recallSpooled). Kept apart
   * from the in-flight map, up to as many as it holds (the newest kept): recalling a long
   * outage's spool never pushes out the entry of a request taken since.
   */
  recall(keyHash: string, entry: LocalEntry): void {
    if (this.local.has(keyHash)) return;
    if (this.recalled.size >= this.localMax) {
      const oldest = this.recalled.keys().next().value;
      if (oldest !== undefined) this.recalled.delete(oldest);
    }
    this.recalled.set(keyHash, entry);
  }

  remember(keyHash: string, entry: LocalEntry): void {
    if (this.local.size >= this.localMax) {
      const oldest = this.local.keys().next().value;
      if (oldest !== undefined) this.local.delete(oldest);
    }
    this.local.set(keyHash, entry);
  }

  forgetLocal(keyHash: string): void {
    this.local.delete(keyHash);
    this.recalled.delete(keyHash);
  }

  /** Its complaint reached Redis: from the in-flight map to the small one of recent keys. */
  rememberQueued(keyHash: string, entry: QueuedEntry): void {
    this.local.delete(keyHash);
    if (this.queued.size >= this.queuedMax) {
      const oldest = this.queued.keys().next().value;
      if (oldest !== undefined) this.queued.delete(oldest);
    }
    this.queued.set(keyHash, entry);
  }

  recentlyQueued(keyHash: string): QueuedEntry | undefined {
    return this.queued.get(keyHash);
  }
}
