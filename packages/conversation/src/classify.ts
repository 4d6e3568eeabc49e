import { normalizeTicket } from '@aduan/schema';
import type { ChatMessage, MessageKind } from './chat-message.ts';

/**
 * Words that carry no complaint on their own: greetings, honorifics and "I want to report".
 * A message made only of these ("Pak mau lapor", "Assalamualaikum min") gets the guide, not a ticket.
 */
const FILLER = new Set(
  (
    'halo hallo helo hello hai hi hay hei p pp ping pagi siang sore malam selamat met ' +
    'assalamualaikum assalamu alaikum asalamualaikum assalamualaikom salam askum ass aslm wr wb warahmatullahi wabarakatuh ' +
    'warahmatullah wabarakatu permisi maaf mohon pak bu bpk bapak ibu min mimin admin kak kakak mas mbak gan om ' +
    'mau ingin pengen pingin ingin saya aku kami sy ak lapor melapor laporan lapor2 aduan adu mengadu pengaduan keluhan ' +
    'ada yang mau mo bisa boleh tanya nanya tes test testing ya iya dong nih ni donk deh sih kah ' +
    'terima kasih makasih trims thanks ok oke okey baik siap nggih njih nuwun sugeng enjing dalu sonten'
  ).split(/\s+/),
);

/** Explicit "send it now" words; compared against the whole normalized message. */
const CLOSE_PHRASES = new Set(['kirim', 'selesai', 'kirim laporan', 'kirim aduan', 'sudah selesai', 'udah selesai', 'itu saja', 'sudah itu saja', 'cukup', 'sudah cukup', 'send', 'done']);

/** Lower case, letters and digits only, single spaces. */
export function normalizeWords(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9\s]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function isGreetingOnly(text: string): boolean {
  const words = normalizeWords(text).split(' ').filter(Boolean);
  if (words.length === 0 || words.length > 10) return false;
  // Repeated letters ("haloooo", "pppp") are still greetings.
  return words.every((w) => FILLER.has(w) || FILLER.has(w.replace(/(.)\1+$/, '$1')) || /^p+$/.test(w));
}

export function isCloseWord(text: string): boolean {
  return CLOSE_PHRASES.has(normalizeWords(text));
}

/**
 * "cek ADU-7K3M-9Q2X", "Cek adu 7k3m 9q2x", "status ADU7K3M9Q2X" -> the ticket; '' when the
 * citizen clearly asked for a check but gave no valid ticket; null when it is not a check at all
 * ("cek lokasi ini pak, lampunya mati" is a complaint).
 */
export function parseCheck(text: string): string | null {
  const m = /^\s*(cek|check|status)(?:\s+(?:tiket|status|laporan|aduan))?\s*[:#]?\s*(.*)$/is.exec(text);
  if (!m) return null;
  const rest = (m[2] ?? '').trim();
  const ticket = rest === '' ? null : normalizeTicket(rest);
  if (ticket) return ticket;
  if (m[1]?.toLowerCase() === 'status') return null;
  if (rest === '') return '';
  // Something ticket-like but wrong ("cek ADU-123"): answer with the usage hint.
  return rest.length <= 20 && /\d/.test(rest) && !/\s.*\s/.test(rest) ? '' : null;
}

export function classifyMessage(msg: ChatMessage): MessageKind {
  if (msg.revokes) return 'revoke';
  if (msg.edits) return 'edit';
  const hasMedia = msg.attachments.length > 0 || msg.location !== undefined;
  const text = msg.text?.trim() ?? '';
  if (hasMedia) return 'content';
  if (text === '') return 'content';
  if (parseCheck(text) !== null) return 'check';
  if (isCloseWord(text)) return 'close';
  if (isGreetingOnly(text)) return 'greeting';
  return 'content';
}
