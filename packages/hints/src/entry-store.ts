import type { Redis } from 'ioredis';
import type { Channel } from '@aduan/schema';
import { LuaScript } from '@aduan/queue';

/** What the desk keeps about each radio call-in: the board's columns and the duplicate-hint index. */
export interface DeskEntry {
  id: string;
  ticket: string;
  /** Absent means radio (entries keyed at the desk); other channels come from the intake indexer. */
  channel?: Channel;
  station?: string;
  program?: string;
  operatorId?: string;
  callTime?: string;
  receivedAt: string;
  category?: string;
  kelurahan?: string;
  kecamatan?: string;
  landmark?: string;
  /**
   * Start of the complaint text, for the board and hints (the full text lives in the complaint).
   * None for a confidential complaint (see deskDescription).
   */
  snippet?: string;
  /** The reporter asked that their identity not leave the city: the desk shows no text. */
  confidential?: boolean;
  /** Content words for similarity (see similarity.ts). */
  words: string[];
}

const DAY_MS = 86_400_000;

/**
 * KEYS: entry, then the time indexes (recent, and the kelurahan's). ARGV: json, ttl, at,
 * oldest, id, onlyIfAbsent. One script instead of a MULTI of up to eight commands: this runs
 * for every complaint, and ioredis' per-command cost dominated the gateway's CPU profile.
 */
const SAVE_ENTRY = new LuaScript(`
if ARGV[6] == '1' then
  if not redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2], 'NX') then return 0 end
else
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
end
for i = 2, #KEYS do
  redis.call('ZADD', KEYS[i], ARGV[3], ARGV[5])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], 0, ARGV[4])
  redis.call('EXPIRE', KEYS[i], ARGV[2])
end
return 1
`);

/**
 * Recent call-ins in Redis: one JSON value per entry, plus time-ordered indexes (all stations,
 * and per kelurahan) that the duplicate-hint search reads. Everything expires after the hint
 * window, so the index stays small whatever the volume.
 */
export class DeskEntryStore {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly keepDays: number;

  constructor(redis: Redis, prefix: string, keepDays: number) {
    this.redis = redis;
    this.prefix = prefix;
    this.keepDays = keepDays;
  }

  private key(...parts: string[]) {
    return `${this.prefix}:desk:${parts.join(':')}`;
  }
  private kelKey(kelurahan: string) {
    return this.key('kel', encodeURIComponent(kelurahan.toLowerCase()));
  }

  /** Saves an entry; with `onlyIfAbsent` an existing one (e.g. the desk's richer entry) is kept. */
  async save(e: DeskEntry, opts: { onlyIfAbsent?: boolean } = {}): Promise<void> {
    const at = Date.parse(e.receivedAt);
    const ttl = (this.keepDays + 1) * 86_400;
    const oldest = at - this.keepDays * DAY_MS;
    const keys = [this.key('entry', e.id), this.key('recent'), ...(e.kelurahan ? [this.kelKey(e.kelurahan)] : [])];
    await SAVE_ENTRY.runBatched(this.redis, keys, [JSON.stringify(e), ttl, at, oldest, e.id, opts.onlyIfAbsent ? '1' : '0']);
  }

  async getMany(ids: string[]): Promise<Map<string, DeskEntry>> {
    const out = new Map<string, DeskEntry>();
    if (!ids.length) return out;
    const values = await this.redis.mget(ids.map((id) => this.key('entry', id)));
    values.forEach((v) => {
      if (!v) return;
      const e = JSON.parse(v) as DeskEntry;
      out.set(e.id, e);
    });
    return out;
  }

  /** Entries received since `sinceMs`: the newest `limit` overall plus every one in the kelurahan. */
  async candidates(sinceMs: number, kelurahan: string | undefined, limit = 300): Promise<DeskEntry[]> {
    const [recent, inKel] = await Promise.all([
      this.redis.zrevrangebyscore(this.key('recent'), '+inf', sinceMs, 'LIMIT', 0, limit),
      kelurahan ? this.redis.zrevrangebyscore(this.kelKey(kelurahan), '+inf', sinceMs, 'LIMIT', 0, limit) : Promise.resolve([] as string[]),
    ]);
    const entries = await this.getMany([...new Set([...inKel, ...recent])]);
    return [...entries.values()];
  }
}
