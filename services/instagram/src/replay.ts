import { z } from 'zod';
import { jsonLinesOf } from '@aduan/config';
import type { Complaint, Notification } from '@aduan/schema';
import type { Logger } from '@aduan/telemetry';
import type { IgThreadItem } from './client/ig-item.ts';
import type { InstagramCommonEnv } from './env.ts';
import { ReplayLineError } from './errors.ts';
import { createIntakePipeline } from './intake-pipeline.ts';
import type { IgMetrics } from './metrics.ts';
import type { ItemOutcome } from './polling/item-processor.ts';

const id = z.union([z.string().min(1).max(200), z.number().int().nonnegative()]).transform(String);

/** One line of a replay file: a direct message as polling sees it (see README, "Replay format"). */
export const ReplayLine = z.object({
  thread_id: z.string().min(1).max(200),
  viewer_id: id,
  user: z.object({ pk: id, username: z.string().max(100).default(''), full_name: z.string().max(200).default('') }),
  item: z.looseObject({
    item_id: z.string().min(1).max(200),
    user_id: id,
    timestamp: z.union([z.string().regex(/^\d{10,19}$/), z.number().int().positive()]).transform(String),
    item_type: z.string().min(1).max(100),
  }),
});

export interface ReplayResult {
  lines: number;
  badLines: number;
  items: Record<ItemOutcome, number>;
  complaints: { complaint: Complaint; outcome: 'queued' | 'spooled' }[];
  notifications: Notification[];
}

export interface ReplayOptions {
  file: string;
  env: Readonly<InstagramCommonEnv>;
  redisUrl: string;
  account: string;
  logger: Logger;
  metrics: IgMetrics;
  /** Called for each bad line (the CLI prints it to stderr). */
  onBadLine?: (err: ReplayLineError) => void;
}

/**
 * Feeds a JSON-lines file of direct messages through the same item processor as live
 * polling (normalize, media download, conversation engine, intake/notify queues), then
 * closes every conversation left open and reports what was queued.
 */
export async function runReplay(opts: ReplayOptions): Promise<ReplayResult> {
  const result: ReplayResult = { lines: 0, badLines: 0, items: { ingested: 0, duplicate: 0, skipped: 0 }, complaints: [], notifications: [] };
  const pipeline = await createIntakePipeline({
    env: opts.env,
    redisUrl: opts.redisUrl,
    account: opts.account,
    transport: 'replay',
    logger: opts.logger,
    metrics: opts.metrics,
    sweep: false,
    onComplaint: (complaint, outcome) => result.complaints.push({ complaint, outcome }),
    onNotification: (n) => result.notifications.push(n),
  });
  try {
    for await (const raw of jsonLinesOf(opts.file)) {
      result.lines++;
      if (!raw.trim()) continue;
      let parsed: z.infer<typeof ReplayLine>;
      try {
        const r = ReplayLine.safeParse(JSON.parse(raw));
        if (!r.success) throw new ReplayLineError(result.lines, r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
        parsed = r.data;
      } catch (err) {
        result.badLines++;
        opts.onBadLine?.(err instanceof ReplayLineError ? err : new ReplayLineError(result.lines, 'not JSON'));
        continue;
      }
      const item = parsed.item as unknown as IgThreadItem;
      const outcome = await pipeline.processor.process({ threadId: parsed.thread_id, viewerId: parsed.viewer_id, user: { pk: Number(parsed.user.pk), username: parsed.user.username, full_name: parsed.user.full_name } }, item);
      result.items[outcome]++;
    }
    await pipeline.inbox.drain();
    await pipeline.engine.closeAll({ channel: 'instagram', account: opts.account });
    return result;
  } finally {
    await pipeline.close();
  }
}
