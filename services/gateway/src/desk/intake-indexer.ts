import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { QueueNames, closeWithin } from '@aduan/queue';
import { Complaint } from '@aduan/schema';
import type { Logger } from '@aduan/telemetry';
import type { DeskEntryStore } from './entry-store.ts';
import { contentWords } from './similarity.ts';

/**
 * Feeds duplicate hints with complaints from every channel (WhatsApp, Instagram, web form, and
 * radio entries that were spooled while Redis was down): listens to `intake`'s "added" events
 * and indexes each new job. Best effort: events that arrive while the listener is disconnected
 * are not replayed, and a hint is a convenience, not a record. Each replica indexes the same
 * job idempotently (SET NX), so running several is harmless.
 */
/** Job names (= channel) of intake jobs that the accepting gateway indexes itself. */
const LOCALLY_INDEXED = new Set(['webform', 'radio']);

/** Adds a complaint of any channel to the duplicate-hint index; keeps an existing (richer desk) entry. */
export async function indexComplaint(entries: DeskEntryStore, c: Complaint): Promise<void> {
  const loc = c.location;
  await entries.save(
    {
      id: c.id,
      ticket: c.ticket,
      channel: c.channel,
      ...(c.intake.station ? { station: c.intake.station } : {}),
      ...(c.intake.program ? { program: c.intake.program } : {}),
      ...(c.intake.operatorId ? { operatorId: c.intake.operatorId } : {}),
      ...(c.intake.callTime ? { callTime: c.intake.callTime } : {}),
      receivedAt: c.receivedAt,
      ...(c.category ? { category: c.category } : {}),
      ...(loc?.kelurahan ? { kelurahan: loc.kelurahan } : {}),
      ...(loc?.kecamatan ? { kecamatan: loc.kecamatan } : {}),
      ...(loc?.description ? { landmark: loc.description } : {}),
      snippet: c.text.slice(0, 160),
      words: contentWords(`${c.text} ${loc?.description ?? ''}`),
    },
    { onlyIfAbsent: true },
  );
}

export function startIntakeIndexer(d: { redis: Redis; prefix: string; entries: DeskEntryStore; logger: Logger }): { close(): Promise<void> } {
  // QueueEvents blocks on XREAD: it needs its own connection without the producer's command timeout.
  const conn = d.redis.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true, commandTimeout: undefined });
  conn.on('error', () => {});
  const events = new QueueEvents(QueueNames.intake, { connection: conn, prefix: d.prefix });
  const queue = new Queue(QueueNames.intake, { connection: d.redis, prefix: d.prefix });
  events.on('error', (err) => d.logger.debug({ err: err.message }, 'intake indexer: events error'));
  queue.on('error', () => {});

  const index = async (jobId: string) => {
    const parsed = Complaint.safeParse((await queue.getJob(jobId))?.data);
    if (parsed.success) await indexComplaint(d.entries, parsed.data);
  };
  events.on('added', ({ jobId, name }) => {
    // Web form and desk complaints are indexed by the gateway that accepted them, from memory.
    if (LOCALLY_INDEXED.has(name)) return;
    index(jobId).catch((err: Error) => d.logger.debug({ err: err.message }, 'intake indexer: could not index a job'));
  });

  return {
    close: async () => {
      conn.disconnect();
      await closeWithin(events);
      await closeWithin(queue);
    },
  };
}
