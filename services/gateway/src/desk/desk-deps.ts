import type { Redis } from 'ioredis';
import { Queue, QueueNames, type DurableProducer, type StatusStore } from '@aduan/queue';
import type { Logger } from '@aduan/telemetry';
import type { GatewayEnv } from '../config.ts';
import { DeskEntryStore } from '@aduan/hints';
import type { SupporterDeps } from './supporters.ts';

export interface DeskDeps {
  entries: DeskEntryStore;
  supporters: SupporterDeps;
  hintDays: number;
  utcOffsetMinutes: number;
  close(): Promise<void>;
}

export function createDeskDeps(config: GatewayEnv, d: { redis: Redis; prefix: string; producer: DurableProducer; status: StatusStore; logger: Logger }): DeskDeps {
  // Only read (getJob); publishing goes through the durable producer like every other write.
  const routedQueue = new Queue(QueueNames.routed, { connection: d.redis, prefix: d.prefix });
  routedQueue.on('error', () => {});
  const entries = new DeskEntryStore(d.redis, d.prefix, config.DESK_HINT_DAYS);
  return {
    entries,
    supporters: { status: d.status, producer: d.producer, routedQueue, logger: d.logger },
    hintDays: config.DESK_HINT_DAYS,
    utcOffsetMinutes: config.DESK_UTC_OFFSET_MINUTES,
    close: async () => {
      await routedQueue.close().catch(() => {});
    },
  };
}

/** [start, end) of the station's local day containing `nowMs`, in epoch ms. */
export function localDayRange(nowMs: number, utcOffsetMinutes: number): { start: number; end: number; day: string } {
  const offsetMs = utcOffsetMinutes * 60_000;
  const local = nowMs + offsetMs;
  const startLocal = local - (((local % 86_400_000) + 86_400_000) % 86_400_000);
  return { start: startLocal - offsetMs, end: startLocal - offsetMs + 86_400_000, day: new Date(startLocal).toISOString().slice(0, 10) };
}
