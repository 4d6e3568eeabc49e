import { normalizeTicketCode } from '@aduan/schema';
import type { ChatMessage, MessageKind } from './chat-message.ts';

const words = (list: string) => new Set(list.split(/\s+/));

/** Greetings and "I want to report": an opener that gets the guide. */
const OPENERS = words(
  'halo hallo helo hello hai hi hay hei p pp ping pagi siang sore malam selamat met ' +
    'assalamualaikum assalamu alaikum asalamualaikum assalamualaikom salam askum ass aslm wr wb warahmatullahi wabarakatuh ' +
    'warahmatullah wabarakatu permisi ' +
    'mau ingin pengen pingin saya aku kami sy ak lapor melapor laporan lapor2 aduan adu mengadu pengaduan keluhan ' +
    'ada yang mo bisa boleh tanya nanya tes test testing sugeng enjing dalu sonten',
);

/** Honorifics and particles: they go with an opener or with thanks alike. */
const POLITE = words('maaf mohon pak bu bpk bapak ibu min mimin admin kak kakak mas mbak gan om ya iya dong nih ni donk deh sih kah juga');

/**
 * Thanks, "ok", "Aamiin": what a citizen says after the acknowledgement, a "cek" answer or a
 * "selesai" notice ("Ok terima kasih min", "siap pak", "Alhamdulillah, terima kasih atas respon
 * cepatnya", "semoga segera diperbaiki"). Never worth a guide: they know how it works, they just
 * used it. A message counts only when EVERY word is small talk, so a word here never turns a
 * complaint into thanks ("terima kasih, tapi lampu masih mati" has "tapi", "lampu", "masih",
 * "mati"). Keep words that can carry a complaint out (tapi, belum, masih, mati, rusak, lagi...).
 * Only words that thank, approve or pray are here; what the thanks are for is THANKS_FOR.
 */
const THANKS = words(
  // Thanks, in the ways it is typed; Javanese and Sundanese too.
  'terima kasih terimakasih trimakasih terimaksih trmksh trmkasih makasih makasi makacih mksh mkasih maksih trims tks ' +
    'thanks thank thx tq ty tengkyu nuwun matur suwun maturnuwun maturnuhun hatur nuhun sanget kasih terbantu bermanfaat ' +
    // "ok" and praise.
    'ok oke okey okay okeh oce baik baiklah siap sip mantap mantab mantul keren top good nice jos sae apik nggih njih inggih noted y yup yap oh oalah owh ' +
    // Prayers and blessings.
    'alhamdulillah alhamdulilah hamdalah aamiin aamin amiin amin amien rabbal alamin syukur syukurlah bersyukur puji tuhan ' +
    'masya masyaallah allah subhanallah insya insyaallah inshaallah barakallah barokallah jazakallah jazakumullah khairan khoir syukron ' +
    // Hopes for the complaint just filed, and "it's done".
    'semoga moga mudahan lancar berkah sukses amanah sudah udah sdh sampun selesai beres tuntas',
);

/**
 * What thanks are for, to whom, and what is hoped of the complaint: small talk with a word of
 * THANKS ("terima kasih atas infonya", "semoga segera ditindaklanjuti"), but not thanks without
 * one. "Info min", "Mohon bantuannya pak", "mohon dibantu" ask for something: openers, which the
 * guide answers like "Halo".
 */
const THANKS_FOR = words(
  'you u banyak atas bantuannya bantuan respon respons tanggapan pelayanan layanan info informasi kerjasama kerja sama ' +
    'cepat tanggap sigap sangat sekali banget bgt luar biasa semua kalian petugas tim pemkot pemda pemerintah kota blitar wali walikota ' +
    'mudah segera lekas maju terus ditindaklanjuti tindaklanjuti ditindak lanjuti diproses ditangani diperbaiki dibantu membantu diperhatikan',
);

/** Emoji that thank or approve (🙏 👍 👌 🤝 👏 ❤️ 😊 ✅ 💯 …): such a message alone is thanks. */
const THANKS_EMOJI = /[\u{1F64F}\u{1F44D}\u{1F44C}\u{1F44F}\u{1F64C}\u{1F91D}\u{1FAE1}\u{1F4AA}\u{2764}\u{2665}\u{1F493}\u{1F495}-\u{1F49F}\u{1F9E1}\u{1F90D}\u{1F90E}\u{1F5A4}\u{1F600}-\u{1F60D}\u{1F642}\u{263A}\u{1F917}\u{1F970}\u{1F972}\u{1F973}\u{2705}\u{2714}\u{1F4AF}\u{1F197}\u{270C}\u{1F339}\u{1F490}]/u;

/** Words that carry no complaint on their own. A message made only of these is a 'greeting'. */
const FILLER = new Set([...OPENERS, ...POLITE, ...THANKS, ...THANKS_FOR]);

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

/** The message's words, or null when it is empty or too long to be small talk. */
function smallTalk(text: string): string[] | null {
  const ws = normalizeWords(text).split(' ').filter(Boolean);
  return ws.length === 0 || ws.length > 16 ? null : ws;
}

/** Emoji or punctuation only ("🙏", "👍🏻👍🏻", "?", "..."): no letter or digit in any script, so nothing to act on. */
function isWordless(text: string): boolean {
  return text.trim() !== '' && !/[\p{L}\p{N}]/u.test(text);
}

/**
 * Repeated letters ("haloooo", "okee", "pppp", "aamiinnn") are still the word, and so is the word
 * with "-nya"/"-lah" ("cepatnya", "responnya", "baiklah").
 */
function inSet(set: Set<string>, w: string): boolean {
  if (set.has(w) || set.has(w.replace(/(.)\1+$/, '$1')) || (set === FILLER && /^p+$/.test(w))) return true;
  const stem = w.replace(/(?:nya|lah)$/, '');
  return stem.length >= 3 && stem !== w && set.has(stem);
}

/** Small talk only: greetings, thanks, politeness, emoji. No complaint, whatever else it may be. */
export function isGreetingOnly(text: string): boolean {
  return isWordless(text) || (smallTalk(text)?.every((w) => inSet(FILLER, w)) ?? false);
}

/** Every word thanks, what for, or politeness, and one of them in `need`. */
function thanksWith(ws: string[] | null, need: Set<string>): boolean {
  return !!ws && ws.some((w) => inSet(need, w)) && ws.every((w) => inSet(THANKS, w) || inSet(THANKS_FOR, w) || inSet(POLITE, w));
}

/**
 * Only thanks/ok and politeness ("baik, terima kasih", "siap pak", "Aamiin", "🙏"): no guide,
 * whoever sends it. A word of thanks, ok or prayer must be there: "Info min" is an opener.
 */
export function isThanksOnly(text: string): boolean {
  if (isWordless(text)) return THANKS_EMOJI.test(text);
  return thanksWith(smallTalk(text), THANKS);
}

/**
 * Asking that the OPD not learn who you are, as Indonesians write it: "rahasia", "tolong
 * rahasiakan nama saya", "mohon dijaga kerahasiaan identitas saya", "identitas pelapor mohon
 * dirahasiakan", "nama saya jangan disebut", "saya mau anonim saja", "rahasiakno jenengku".
 * Any form of the word (rahasia, di-/me-rahasiakan, kerahasiaan, -kno, typed "rahsia" or
 * "rahasiaaa") counts when it is about the reporter (a word for name, number, identity or "me"
 * near it), or when the message is the request alone. "Kenapa data penerima BLT dirahasiakan?"
 * and "gudang rahasia penimbunan solar" are complaints, not requests.
 */
const isSecretWord = (w: string) => /ra(ha|h)sia/.test(w.replace(/(.)\1+/g, '$1'));
const isAnonWord = (w: string) => /^anonim/.test(w) || w === 'anonymous' || w === 'privasi';
/** Words for the reporter's identity: with a secret word near them, the request is about the reporter. */
const IDENTITY = words('nama namaku identitas identitasku identitasnya jatidiri jati diri nomor nomorku no hp wa whatsapp pelapor pengadu saya aku sy ak kulo jeneng jenengku nomerku nomer');
/** "jangan disebut" and its kin: with a name or identity word, a request too. */
const NOT_NAMED = words('disebut disebutkan dicantumkan ditulis dibuka dipublikasikan diumumkan dibocorkan');
/** What may go with the request without making it a complaint. */
const REQUEST_WITH = words('tolong mohon harap minta dijaga jaga jangan dong ya saja aja mau ingin pengen karena takut soalnya kerahasiaan tetap dan juga biar agar supaya untuk');

/** Words that open the reason for a request ("karena saya takut ada yang tidak suka"). */
const REASON = words('karena karna krn soalnya sebab takut khawatir kuatir');
/** The longest reason after a request that still leaves it a request: more may be a complaint told after it. */
const REASON_MAX_WORDS = 8;

/**
 * The words ask for confidentiality and tell of no problem: the request alone, or led by its own
 * words ("tolong rahasiakan nomor WA saya") and followed at most by a short reason ("karena saya
 * takut ada yang tidak suka"). "Ada pungli di kelurahan Sentul, mohon nama saya dirahasiakan"
 * asks too, but tells of a problem first: a complaint.
 */
export function isSecretRequestOnly(text: string): boolean {
  if (isConfidentialOnly(text)) return true;
  if (!asksConfidential(text)) return false;
  const ws = normalizeWords(text).split(' ').filter(Boolean);
  const at = ws.findIndex((w, i) => isSecretWord(w) || isAnonWord(w) || (NOT_NAMED.has(w) && ws[i - 1] === 'jangan'));
  const ofRequest = (w: string) => isSecretWord(w) || isAnonWord(w) || NOT_NAMED.has(w) || IDENTITY.has(w) || inSet(FILLER, w) || (REQUEST_WITH.has(w) && !REASON.has(w));
  if (at < 0 || !ws.slice(0, at).every(ofRequest)) return false;
  let end = at + 1;
  while (end < ws.length && ofRequest(ws[end]!)) end++;
  return end === ws.length || (REASON.has(ws[end]!) && ws.length - end <= REASON_MAX_WORDS);
}

function nearIdentity(ws: string[], i: number): boolean {
  for (let j = Math.max(0, i - 4); j <= Math.min(ws.length - 1, i + 4); j++) if (j !== i && IDENTITY.has(ws[j] as string)) return true;
  return false;
}

export function asksConfidential(text: string): boolean {
  const ws = normalizeWords(text).split(' ').filter(Boolean);
  if (isConfidentialOnly(text)) return true;
  return ws.some((w, i) =>
    ((isSecretWord(w) || isAnonWord(w)) && nearIdentity(ws, i)) ||
    (NOT_NAMED.has(w) && ws[i - 1] === 'jangan' && nearIdentity(ws, i)),
  );
}

/** Only the request, however it is put ("rahasia", "mohon identitas saya dirahasiakan ya pak", "nama saya jangan disebut"). */
export function isConfidentialOnly(text: string): boolean {
  const ws = normalizeWords(text).split(' ').filter(Boolean);
  if (ws.length === 0 || ws.length > 16) return false;
  const asks = ws.some((w, i) => isSecretWord(w) || isAnonWord(w) || (NOT_NAMED.has(w) && ws[i - 1] === 'jangan'));
  return asks && ws.every((w) => isSecretWord(w) || isAnonWord(w) || NOT_NAMED.has(w) || IDENTITY.has(w) || REQUEST_WITH.has(w) || inSet(FILLER, w));
}

export function isCloseWord(text: string): boolean {
  return CLOSE_PHRASES.has(normalizeWords(text));
}

const CHECK = /^\s*(cek|check|status)(?:\s+(?:tiket|status|laporan|aduan))?\s*[:#]?\s*(.*)$/is;
/** Separators people type inside a ticket: space, hyphen, dashes, dot, underscore. */
const SEP = String.raw`[\s\-‐-―._]*`;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The ticket at the start of `rest`, with only small talk after it ("ADU 7k3m9q2x pak"). The
 * configured prefix in any case and spacing; another prefix only written out in full
 * ("LPR-7K3M-9Q2X", from before TICKET_PREFIX changed), so words like "parkir liar" are no ticket.
 */
function ticketAt(rest: string, prefix: string): string | null {
  const mine = new RegExp(`^(${escapeRegExp(prefix)})${SEP}([0-9a-z]{4})${SEP}([0-9a-z]{4})(?![0-9a-z])(.*)$`, 'is').exec(rest);
  const full = mine ?? /^([a-z]{2,5})-([0-9a-z]{4})-([0-9a-z]{4})(?![0-9a-z])(.*)$/is.exec(rest);
  if (!full) return null;
  const tail = normalizeWords(full[4] ?? '');
  if (tail !== '' && !isGreetingOnly(tail)) return null;
  const code = normalizeTicketCode(`${full[2]}${full[3]}`);
  return code ? `${(full[1] ?? '').toUpperCase()}-${code}` : null;
}

/**
 * "cek ADU-7K3M-9Q2X", "Cek adu 7k3m 9q2x", "status ADU7K3M9Q2X" -> the ticket; '' for `cek`
 * alone or the ticket prefix with a wrong code ("cek ADU-123"): the citizen gets the usage hint.
 * null when it is not a look-up: "Cek RT 05", "cek jalan2", "cek lokasi ini pak" are complaints,
 * and a look-up would swallow them.
 */
export function parseCheck(typed: string, ticketPrefix = 'ADU'): string | null {
  // "cek *ADU-7K3M-9Q2X*": a ticket copied from a WhatsApp reply keeps its bold marks.
  const text = typed.replace(/[*~`]/g, ' ');
  const m = CHECK.exec(text);
  if (!m) return null;
  const isStatus = m[1]?.toLowerCase() === 'status';
  const rest = (m[2] ?? '').trim();
  if (rest === '') return isStatus ? null : '';
  const ticket = ticketAt(rest, ticketPrefix.toUpperCase());
  if (ticket) return ticket;
  // A mistyped ticket ("ADU-123", "adu 7k3m 9q2"): short, the prefix, then letters and digits.
  const botched = new RegExp(`^${escapeRegExp(ticketPrefix)}${SEP}[0-9a-z][0-9a-z\\s\\-._]*$`, 'i');
  return !isStatus && rest.length <= 20 && rest.split(/\s+/).length <= 3 && /\d/.test(rest) && botched.test(rest) ? '' : null;
}

/** One of our tickets written in full, anywhere in a text (parseLookup, ticketIn). */
const fullTicket = (ticketPrefix: string) => new RegExp(`(?<![0-9a-z])${escapeRegExp(ticketPrefix)}${SEP}[0-9a-z]{4}${SEP}[0-9a-z]{4}(?![0-9a-z])`, 'i');

/** The first of our tickets written in full anywhere in `text` (a quoted acknowledgement), or null. */
export function ticketIn(text: string, ticketPrefix = 'ADU'): string | null {
  const m = fullTicket(ticketPrefix).exec(text.replace(/[*~`]/g, ' '));
  return m ? ticketAt(m[0], ticketPrefix.toUpperCase()) : null;
}

const REOPEN = /^\s*belum(?:\s+selesai)?\s*[:#,]?\s*(.*)$/is;

/**
 * "BELUM ADU-7K3M-9Q2X lampunya masih mati" (how the resolved notice tells a citizen to say it is
 * not solved, ADR 0014) -> the ticket and what follows it, the reason ('' when none). The ticket
 * right after "belum" (or "belum selesai"), the prefix in any case and spacing, bold marks of a
 * copied reply ignored. null when it is not one: "belum ada tindak lanjut, lampu masih mati" names
 * no ticket and stays a complaint.
 */
export function parseReopen(typed: string, ticketPrefix = 'ADU'): { ticket: string; reason: string } | null {
  const m = REOPEN.exec(typed.replace(/[*~`]/g, ' '));
  if (!m) return null;
  const prefix = ticketPrefix.toUpperCase();
  const t = new RegExp(`^(${escapeRegExp(prefix)})${SEP}([0-9a-z]{4})${SEP}([0-9a-z]{4})(?![0-9a-z])\\s*[:,.\\-–]?\\s*(.*)$`, 'is').exec(m[1] ?? '');
  const code = t ? normalizeTicketCode(`${t[2]}${t[3]}`) : null;
  return t && code ? { ticket: `${prefix}-${code}`, reason: (t[4] ?? '').trim() } : null;
}

/** Words that may go with a ticket in a message asking about it ("Min, mau cek status aduan ADU-…"). */
const ASKING = words('cek check status tiket no nomor nomer aduan laporan pengaduan saya aku sy kami gimana bagaimana gmn sudah udah sampai sampe mana perkembangan progres progress kabar info informasi apa nya untuk tentang dengan');

/**
 * A look-up: "cek <ticket>" (parseCheck), or a message whose only substance is one of our
 * tickets written in full ("Min, mau cek status aduan ADU-7K3M-9Q2X", "ADU-7K3M-9Q2X?"): filed
 * as a complaint, it would get a new ticket for a question about the old one. The ticket, or
 * null; '' for the usage hint.
 */
export function parseLookup(typed: string, ticketPrefix = 'ADU'): string | null {
  const check = parseCheck(typed, ticketPrefix);
  if (check !== null) return check;
  const text = typed.replace(/[*~`]/g, ' ');
  const m = fullTicket(ticketPrefix).exec(text);
  if (!m) return null;
  const rest = normalizeWords(`${text.slice(0, m.index)} ${text.slice(m.index + m[0].length)}`).split(' ').filter(Boolean);
  if (rest.length > 12 || !rest.every((w) => ASKING.has(w) || inSet(FILLER, w))) return null;
  return ticketAt(m[0], ticketPrefix.toUpperCase());
}

/**
 * Words that ask how a complaint is going, without its ticket: "sudah ada kabar?", "gimana
 * perkembangan aduan saya min?", "apakah sudah ditindaklanjuti?", "laporan kemarin sampai mana ya".
 * A message is such a question only when one of these is in it and EVERY word is one of these,
 * a word of ASKING or small talk: "belum ada tindak lanjut, lampu masih mati" names a problem
 * ("lampu", "masih", "mati") and stays a complaint.
 */
const PROGRESS = words(
  'kabar kabarnya perkembangan perkembangannya progres progresnya progress update updatenya tindak lanjut tindaklanjut tindaklanjutnya ' +
    'ditindaklanjuti diproses ditangani direspon ditanggapi respon responnya tanggapan tanggapannya balasan jawaban hasil hasilnya ' +
    // "kapan diperbaiki pak?", a reply to the acknowledgement: the work asked after, no new problem.
    'diperbaiki diperbaikinya dibenahi dikerjakan dibetulkan diurus diselesaikan ditertibkan selesai beres',
);
/** What else such a question is made of ("kok belum ada kabar dari dinas ya pak?"). */
const QUESTION = words(
  'apakah apa gimana gmana bagaimana gmn kapan kok kenapa knp belum blm ada masih sudah udah sdh sampai sampe mana ' +
    'dari dinas pihak instansi opd yang yg kemarin kemaren minggu bulan lalu tadi lama soal mengenai atas itu tsb tersebut',
);

/**
 * A question about the sender's own complaints that names no ticket ("sudah ada kabar?"): the
 * engine answers with the status of the sender's latest complaints. Filed as a complaint, it would
 * get a new ticket and an admin's triage for a question about the old one. Thanks ("semoga segera
 * ditindaklanjuti") are not a question.
 */
export function isFollowUp(text: string): boolean {
  const ws = normalizeWords(text).split(' ').filter(Boolean);
  // Thanks, and a plea without them ("mohon segera ditindaklanjuti pak"), are no question.
  if (ws.length === 0 || ws.length > 12 || isThanksOnly(text) || thanksWith(ws, THANKS_FOR)) return false;
  const progress = ws.some((w) => inSet(PROGRESS, w)) || (ws.includes('mana') && (ws.includes('sampai') || ws.includes('sampe')));
  return progress && ws.every((w) => inSet(PROGRESS, w) || inSet(QUESTION, w) || ASKING.has(w) || inSet(FILLER, w));
}

/** `ticketPrefix` (TICKET_PREFIX) tells "cek ADU-…" from a complaint that starts with "cek". */
export function classifyMessage(msg: ChatMessage, ticketPrefix = 'ADU'): MessageKind {
  if (msg.revokes) return 'revoke';
  // A look-up whose typo was corrected ("cek ADU-7K3M-9Q2" edited to "...9Q2X") is answered as one:
  // as an edit it amended nothing (no look-up is part of a complaint) and got no answer.
  if (msg.edits) return parseLookup(msg.text ?? '', ticketPrefix) ? 'check' : 'edit';
  // The adapter knows it is no complaint alone (an Instagram story mention without words).
  if (msg.incidental) return 'greeting';
  const hasMedia = msg.attachments.length > 0 || msg.location !== undefined;
  const text = msg.text?.trim() ?? '';
  if (hasMedia) return 'content';
  if (text === '') return 'content';
  if (parseLookup(text, ticketPrefix) !== null || isFollowUp(text) || parseReopen(text, ticketPrefix)) return 'check';
  if (isCloseWord(text)) return 'close';
  // "rahasia" alone is no complaint: like a greeting, it has no substance (buildComplaint reads the
  // request). Small talk with a complaint of the same burst still goes into its text.
  if (isGreetingOnly(text) || isConfidentialOnly(text)) return 'greeting';
  return 'content';
}
