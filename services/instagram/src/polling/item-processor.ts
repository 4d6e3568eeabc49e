import { truncateText, type FailedMedia } from '@aduan/conversation';
import type { Attachment } from '@aduan/schema';
import type { Logger } from '@aduan/telemetry';
import type { Redis } from 'ioredis';
import type { IgThreadItem, IgUser } from '../client/ig-item.ts';
import { MediaDownloadError } from '../errors.ts';
import type { IgKeys } from '../session/keys.ts';
import type { IgMetrics } from '../metrics.ts';
import type { ChatSink, OutgoingChatMessage } from './chat-sink.ts';
import { downloadMedia, type MediaDownloadOptions } from './media-download.ts';
import { normalizeItem, type Normalized } from './normalize.ts';

export interface ItemContext {
  threadId: string;
  /** Our own account's pk in this thread. */
  viewerId: string;
  /** The citizen (the other participant). */
  user: IgUser;
}

export type ItemOutcome = 'ingested' | 'duplicate' | 'skipped';

export interface ItemProcessorOptions {
  redis: Redis;
  keys: IgKeys;
  account: string;
  sink: ChatSink;
  media: MediaDownloadOptions;
  logger: Logger;
  metrics: IgMetrics;
  /** How long a processed item id is remembered (dedupe before media download). */
  seenTtlSeconds?: number;
}

/** Instagram timestamps are microseconds since the epoch, as a string. */
export function itemTime(item: Pick<IgThreadItem, 'timestamp'>): Date {
  return new Date(Number(BigInt(String(item.timestamp)) / 1000n));
}

/**
 * One thread item through the one code path shared by live polling and replay:
 * dedupe -> normalize -> download media -> hand to the conversation engine -> remember.
 * The item id is remembered only after the engine kept the message, so a failure anywhere
 * leaves it to be processed again (the engine dedupes message ids too).
 */
export class ItemProcessor {
  private readonly opts: ItemProcessorOptions;

  constructor(opts: ItemProcessorOptions) {
    this.opts = opts;
  }

  async process(ctx: ItemContext, item: IgThreadItem): Promise<ItemOutcome> {
    const { redis, keys, logger, metrics } = this.opts;
    let n: Normalized;
    try {
      n = normalizeItem(item, ctx.viewerId);
    } catch (err) {
      // normalizeItem is pure: an item it cannot read (the private API changed a shape) would
      // fail the same way on every poll and hold up every thread after it. Skip it, loudly.
      metrics.items.inc({ type: metricType(String(item.item_type)), outcome: 'skipped_unreadable' });
      logger.error({ itemType: String(item.item_type).slice(0, 40), itemId: item.item_id, err: (err as Error).message }, 'instagram item has an unexpected shape; skipped');
      return 'skipped';
    }
    if (n.kind === 'skip') {
      metrics.items.inc({ type: metricType(n.itemType), outcome: `skipped_${n.reason}` });
      // Unknown types are logged by type name only: never the item, which holds personal data.
      if (n.reason === 'unknown_type') logger.warn({ itemType: n.itemType.slice(0, 40), itemId: item.item_id }, 'unknown instagram item type skipped');
      return 'skipped';
    }
    if (await redis.exists(keys.item(item.item_id))) {
      metrics.items.inc({ type: metricType(n.itemType), outcome: 'duplicate' });
      return 'duplicate';
    }
    const attachments: Attachment[] = [];
    // An already-viewed view-once photo, a voice message without its audio: not stored either.
    const failed: FailedMedia[] = [...(n.failed ?? [])];
    for (const ref of n.media.slice(0, 20)) {
      try {
        attachments.push(await downloadMedia(ref, this.opts.media));
        metrics.media.inc({ kind: ref.kind, outcome: 'stored' });
      } catch (err) {
        failed.push({ kind: ref.kind, reason: err instanceof MediaDownloadError ? err.reason : 'download-failed' });
        metrics.media.inc({ kind: ref.kind, outcome: 'failed' });
        logger.warn({ itemId: item.item_id, kind: ref.kind, err: (err as Error).message }, 'instagram media not downloaded; message kept without it');
      }
    }
    await this.opts.sink.ingest(chatMessageFor(n, { ...ctx, account: this.opts.account }, item, attachments, failed));
    await redis.set(keys.item(item.item_id), '1', 'EX', this.opts.seenTtlSeconds ?? 30 * 86_400);
    metrics.items.inc({ type: metricType(n.itemType), outcome: 'ingested' });
    return 'ingested';
  }
}

/**
 * What the conversation engine gets for a normalized item, once its media is stored. Pure.
 * `failed`: the files that were not stored, as data (a note in the text counted as the citizen's words).
 */
export function chatMessageFor(n: Extract<Normalized, { kind: 'message' }>, ctx: ItemContext & { account: string }, item: IgThreadItem, attachments: Attachment[], failed: FailedMedia[] = []): OutgoingChatMessage {
  const textParts = [n.note ? `(${n.note})` : undefined, n.caption ? `Keterangan kiriman: "${n.caption}"` : undefined, n.text].filter(Boolean);
  const msg: OutgoingChatMessage = {
    channel: 'instagram',
    account: ctx.account,
    senderId: String(ctx.user.pk),
    threadId: ctx.threadId,
    messageId: item.item_id,
    at: itemTime(item).toISOString(),
    reporter: reporterOf(ctx.user),
    attachments,
  };
  // Cut between characters: half an emoji would make the complaint unreadable to other systems.
  if (textParts.length) msg.text = truncateText(textParts.join('\n'), 5000);
  if (n.location && (n.location.description || n.location.lat !== undefined)) msg.location = n.location;
  if (failed.length) msg.failedMedia = failed;
  if (n.incidental) msg.incidental = true;
  return msg;
}

function reporterOf(user: IgUser): OutgoingChatMessage['reporter'] {
  const r: OutgoingChatMessage['reporter'] = {};
  if (user.username?.trim()) r.handle = user.username.trim().slice(0, 100);
  if (user.full_name?.trim()) r.name = truncateText(user.full_name.trim(), 120);
  return r;
}

const KNOWN_TYPES = new Set([
  'text', 'link', 'media', 'raven_media', 'visual_media', 'voice_media', 'media_share', 'clip', 'felix_share', 'story_share', 'reel_share', 'location', 'profile',
  'like', 'reaction', 'action_log', 'placeholder', 'animated_media',
  'xma_media_share', 'xma_clip', 'xma_felix_share', 'xma_story_share', 'xma_profile', 'xma_reel_share', 'xma_reel_mention', 'xma_link', 'generic_xma',
]);

/** Metric labels are a closed set: an unknown item type is counted as "other". */
function metricType(t: string): string {
  return KNOWN_TYPES.has(t) ? t : 'other';
}
