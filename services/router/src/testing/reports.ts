import type { Queue } from 'bullmq';
import { QueueNames, type StatusStore } from '@aduan/queue';
import { deterministicComplaintId, ticketFor, type Complaint } from '@aduan/schema';
import { waitFor } from '@aduan/testkit';

/** The router's tests on real Redis: a citizen's WhatsApp complaint, and reports on it from OPDs. */

/** A complaint the directory gives to dishub. */
export const JUKIR = 'Jukir liar di depan Pasar Legi minta uang parkir lebih, tidak pakai karcis';

/** A WhatsApp complaint as the adapter queues it, received ten minutes ago; `tag` and `prefix` make its id a test file's own. */
export function chatComplaint(tag: string, prefix: string, n: number, text = JUKIR): Complaint {
  const at = new Date(Date.now() - 10 * 60_000);
  const id = deterministicComplaintId(at, 'whatsapp', '6281100000000', `${tag}${n}-${prefix}`);
  return {
    schemaVersion: 1, id, ticket: ticketFor(id), channel: 'whatsapp',
    source: { account: '6281100000000', senderId: '6285712345678@s.whatsapp.net', threadId: '6285712345678@s.whatsapp.net', messageIds: [`${tag}${n}`] },
    receivedAt: at.toISOString(), submittedAt: at.toISOString(),
    reporter: { name: 'Pak Slamet', phone: '+6285712345678', anonymous: false, confidential: false },
    text, attachments: [], language: 'id', intake: { transport: 'baileys' },
  };
}

/** A `StatusUpdate` as an OPD's system adds it to `status`, dated now unless `extra.at` says otherwise. */
export const statusUpdate = (c: Complaint, opd: string, state: string, updateId: string, extra: { message?: string; at?: string } = {}) => ({ schemaVersion: 1, complaintId: c.id, opd, state, at: new Date().toISOString(), updateId, ...extra });

/** One test file's helpers over its queues (`q`) and status store. */
export function reportKit(opts: { q: (name: string) => Queue; status: StatusStore; tag: string; prefix: string }) {
  const { q, status } = opts;
  return {
    /** Files a complaint on `intake` and waits until the router gave it to dishub. */
    async routedToDishub(n: number): Promise<Complaint> {
      const c = chatComplaint(opts.tag, opts.prefix, n);
      await q(QueueNames.intake).add('intake', c, { jobId: c.id });
      await waitFor(async () => ((await status.get(c.id))?.opd === 'dishub' ? true : null), { what: 'routed to dishub' });
      return c;
    },
    /** Adds a report; `jobId` differs from the updateId for a job BullMQ runs again (a stalled job of a router that died). */
    report: (c: Complaint, opd: string, state: string, updateId: string, extra: { message?: string; at?: string } = {}, jobId = updateId) =>
      q(QueueNames.status).add('status', statusUpdate(c, opd, state, updateId, extra), { jobId }),
    /** Waits until the status job is done (completed or failed). */
    finished: (jobId: string) =>
      waitFor(async () => {
        const job = await q(QueueNames.status).getJob(jobId);
        return job?.finishedOn ? job : null;
      }, { what: `status job ${jobId} done` }),
  };
}
