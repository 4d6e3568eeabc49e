import type { Redis } from 'ioredis';
import { QueueNames, type DurableProducer, type StatusStore } from '@aduan/queue';
import { WIB_OFFSET_MS, type Notification, type ResponseDeadline } from '@aduan/schema';
import type { Logger } from '@aduan/telemetry';
import type { UserStore } from '../auth/index.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** How long after its time a digest is still sent (a gateway that was down at 07:30 and up at 09:00): past that, the day's next time, or tomorrow's. */
export const DIGEST_GRACE_MS = 3 * 3_600_000;
/**
 * The start of every digest's jobId (`opd-digest.<time>.<username>`): /metrics counts the failed
 * digests by it, apart from the citizens' notices (aduan_queue_notices_failed_last_hour).
 */
export const DIGEST_JOB_ID_PREFIX = 'opd-digest.';
/** How long a staff member's claim on one digest is kept: well past its grace. */
const CLAIM_SECONDS = 2 * 86_400;

/**
 * The digest time due at `nowMs`: the latest of `times` (HH:MM, WIB) that passed less than
 * DIGEST_GRACE_MS ago on a working day; null otherwise. As ms. Yesterday's times count too: a
 * 22:30 digest keeps its three hours past midnight (and a Friday's, into Saturday).
 */
export function dueDigest(times: readonly string[], nowMs: number, isWorkingDay: (ms: number) => boolean): number | null {
  const today = Math.floor((nowMs + WIB_OFFSET_MS) / DAY_MS) * DAY_MS - WIB_OFFSET_MS;
  let due: number | null = null;
  for (const dayStart of [today - DAY_MS, today]) {
    for (const t of times) {
      const [h, m] = t.split(':').map(Number) as [number, number];
      const at = dayStart + (h * 60 + m) * MINUTE_MS;
      if (at <= nowMs && nowMs - at < DIGEST_GRACE_MS && (due === null || at > due) && isWorkingDay(at)) due = at;
    }
  }
  return due;
}

/** Monday to Friday in WIB: the working days when the city has turned deadlines (and so its holidays file) off. */
export const weekday = (ms: number) => {
  const d = new Date(ms + WIB_OFFSET_MS).getUTCDay();
  return d !== 0 && d !== 6;
};

/** "pagi" before 11.00 WIB, "siang" before 15.00, "sore" before 18.00, then "malam". */
function partOfDay(ms: number): string {
  const hour = new Date(ms + WIB_OFFSET_MS).getUTCHours();
  return hour < 11 ? 'pagi' : hour < 15 ? 'siang' : hour < 18 ? 'sore' : 'malam';
}

/** The digest's words (Bahasa Indonesia): how many complaints wait for the OPD, how many are late, and where to answer them. */
export function digestText(o: { atMs: number; opdName: string; awaiting: number; overdue: number; inboxUrl?: string | undefined }): string {
  const late = o.overdue === 0 ? '' : o.overdue >= o.awaiting ? ' (semuanya sudah melewati batas waktu)' : ` (${o.overdue} di antaranya sudah melewati batas waktu)`;
  const where = o.inboxUrl ? `Silakan buka kotak masuk Aduan: ${o.inboxUrl}` : 'Silakan buka kotak masuk Aduan (halaman /opd).';
  return `Selamat ${partOfDay(o.atMs)}. Ada ${o.awaiting} aduan warga yang menunggu tanggapan ${o.opdName}${late}. ${where}\n\nPesan otomatis dari Aduan Kota Blitar; mohon tidak membalas pesan ini.`;
}

export interface OpdDigestOptions {
  redis: Redis;
  prefix: string;
  status: StatusStore;
  users: UserStore;
  producer: DurableProducer;
  logger: Logger;
  /** OPD code -> its name, as the directory writes it. */
  opdNames: ReadonlyMap<string, string>;
  /** OPD_DIGEST_TIMES: HH:MM in WIB. */
  times: readonly string[];
  /** WHATSAPP_PUBLIC_NUMBER: the WhatsApp account the digest is sent from. */
  account: string;
  /** PUBLIC_URL, for the link to /opd. */
  publicUrl?: string | undefined;
  deadline: ResponseDeadline | undefined;
}

/**
 * The OPD inbox's digest on WhatsApp: at each OPD_DIGEST_TIMES time of a working day, every
 * active OPD account given a number (`user:whatsapp`) whose OPD has complaints waiting for its
 * answer gets one message saying how many (and how many are late), with the link to /opd. Sent
 * as a `staff` notice on `notify.whatsapp` from the city's number, after every citizen's notice
 * (priority 3); the WhatsApp service drops one over 6 hours old (an outage) unsent.
 * Each gateway checks every minute; a claim per account and time in Redis makes one of them send
 * it, once, also after a restart within the time's grace.
 */
export class OpdDigest {
  private readonly o: OpdDigestOptions;

  constructor(opts: OpdDigestOptions) {
    this.o = opts;
  }

  /** Sends the digest due at `nowMs`, if any and not sent yet: how many notices were queued. */
  async tick(nowMs = Date.now()): Promise<number> {
    const { o } = this;
    const due = dueDigest(o.times, nowMs, (ms) => (o.deadline ? o.deadline.isWorkingDayAt(ms) : weekday(ms)));
    if (due === null) return 0;
    const staff = (await o.users.list()).filter((u) => u.role === 'opd' && !u.disabled && u.whatsapp && u.opd);
    if (staff.length === 0) return 0;
    const overdue = o.deadline ? await o.status.overdueCounts(o.deadline.overdueBefore(nowMs), nowMs) : new Map<string, number>();
    const waiting = new Map<string, number>();
    for (const opd of new Set(staff.map((u) => u.opd))) waiting.set(opd, (await o.status.awaitingOf(opd, nowMs, 0)).total);
    const slot = new Date(due).toISOString().slice(0, 16).replace(/[-:]/g, '');
    let queued = 0;
    for (const u of staff) {
      const awaiting = waiting.get(u.opd) ?? 0;
      if (awaiting === 0) continue;
      // One gateway sends it, once: the first to claim this account's digest of this time.
      const claim = `${o.prefix}:opd-digest:${slot}:${u.username}`;
      const claimed = await o.redis.set(claim, '1', 'EX', CLAIM_SECONDS, 'NX');
      if (claimed !== 'OK') continue;
      const notice: Notification = {
        schemaVersion: 1,
        channel: 'whatsapp',
        account: o.account,
        to: `${u.whatsapp!.slice(1)}@s.whatsapp.net`,
        kind: 'staff',
        text: digestText({ atMs: nowMs, opdName: o.opdNames.get(u.opd) ?? u.opd, awaiting, overdue: overdue.get(u.opd) ?? 0, inboxUrl: o.publicUrl ? `${o.publicUrl}/opd` : undefined }),
        createdAt: new Date(nowMs).toISOString(),
      };
      let outcome;
      try {
        ({ outcome } = await o.producer.add(QueueNames.notify('whatsapp'), `${DIGEST_JOB_ID_PREFIX}${slot}.${u.username}`, notice));
      } catch (err) {
        // Neither queued nor spooled: the claim goes, so that the next minute's check sends it.
        await o.redis.del(claim).catch(() => {});
        throw err;
      }
      o.logger.info({ staff: u.username, opd: u.opd, awaiting, outcome }, 'opd inbox digest queued');
      queued++;
    }
    return queued;
  }

  /** Checks every minute until stopped; a failed check (Redis away) is logged and tried again the next minute. */
  start(): { stop: () => Promise<void> } {
    let running: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => {
      running = this.tick().catch((err: Error) => this.o.logger.warn({ err: err.message }, 'opd inbox digest not sent yet: trying again in a minute'));
    }, MINUTE_MS);
    timer.unref();
    return {
      stop: async () => {
        clearInterval(timer);
        await running;
      },
    };
  }
}
