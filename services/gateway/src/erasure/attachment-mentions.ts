import type { Redis } from 'ioredis';
import { keyPages, keysMatching } from '@aduan/queue';
import { retainedJobs } from './retained-jobs.ts';
import { readSpoolFiles, recordOf } from './spool-files.ts';

/** A text that may name stored attachment files (by their SHA-256), and whose data it is. */
export interface AttachmentMention {
  text: string;
  /** The job's or the spooled record's data (whose complaint it is); undefined for a chat message not filed yet. */
  data: unknown;
}

/**
 * Everything Aduan holds that can still name a stored attachment file (only what contains one of
 * `needles`, when given): each message of the WhatsApp and Instagram conversations open or being
 * closed in Redis (their media are stored when they arrive, before the complaint is filed), each
 * line of the spool directories' record files, the data of every retained job of the contract
 * queues, and every complaint's routed copy (kept while it is open, and 30 days after: ADR 0013).
 * Read in the order a complaint moves (conversation, spool, queue, copy), so one that moves
 * meanwhile is met again further on. Used by complaint:erase (is a photo shared?) and
 * attachments:prune (is an old photo still used?).
 */
export async function* attachmentMentions(redis: Redis, prefix: string, spoolDirs: string[], needles?: string[]): AsyncGenerator<AttachmentMention> {
  const wanted = (text: string) => !needles || needles.some((n) => text.includes(n));
  for (const pattern of ['conv:open:*', 'conv:closing:*']) {
    for await (const key of keysMatching(redis, prefix, pattern)) {
      if ((await redis.type(key)) !== 'list') continue;
      for (const text of await redis.lrange(key, 0, -1)) if (wanted(text)) yield { text, data: undefined };
    }
  }
  for (const dir of spoolDirs) {
    for (const file of await readSpoolFiles(dir)) for (const line of file.lines) if (wanted(line)) yield { text: line, data: recordOf(line)?.data };
  }
  for await (const j of retainedJobs(redis, prefix, needles)) yield { text: j.raw, data: JSON.parse(j.raw) as unknown };
  for await (const keys of keyPages(redis, prefix, 'complaint:*:routed')) {
    for (const text of await redis.mget(keys)) if (text !== null && wanted(text)) yield { text, data: JSON.parse(text) as unknown };
  }
}
