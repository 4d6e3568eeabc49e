import { deterministicComplaintId, ticketFor, type Complaint } from '@aduan/schema';

let seq = 0;

/**
 * A WhatsApp complaint as the conversation engine files it, from one citizen (Pak Slamet,
 * +62 857-1234-5678) to the city's number: a fresh id and ticket each call, unique under `prefix`.
 */
export function whatsappComplaint(prefix: string, text: string, opts: { attachments?: Complaint['attachments']; confidential?: boolean } = {}): Complaint {
  const at = new Date();
  const n = ++seq;
  const id = deterministicComplaintId(at, 'whatsapp', '6281100000000', `MSG${n}-${prefix}`);
  return {
    schemaVersion: 1, id, ticket: ticketFor(id), channel: 'whatsapp',
    source: { account: '6281100000000', senderId: '6285712345678@s.whatsapp.net', threadId: '6285712345678@s.whatsapp.net', messageIds: [`MSG${n}-${prefix}`] },
    receivedAt: at.toISOString(), submittedAt: at.toISOString(),
    reporter: { name: 'Pak Slamet', phone: '+6285712345678', anonymous: false, confidential: opts.confidential ?? false },
    text, attachments: opts.attachments ?? [], language: 'id', intake: { transport: 'baileys' },
  };
}
