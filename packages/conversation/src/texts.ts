import { EXTERNAL_OPD, asSentence, type ReopenRefusal } from '@aduan/queue';
import { wibDateTime, type StatusView } from '@aduan/schema';
import type { LeftOut } from './build-complaint.ts';
import type { ChatChannel, FailedMedia } from './chat-message.ts';
import { countedWord, groupFailed, type FailedGroup } from './failed-media.ts';

/**
 * What the citizen reads. Bahasa Indonesia, polite and short. `em` marks the ticket and `kw` a
 * word to type (kirim, cek): WhatsApp shows *x* as bold; Instagram shows the asterisks, so it
 * quotes the words to type instead. Each channel passes its own. A whole command to copy
 * ("cek ADU-…") stays unmarked at the end of its message, so a copied one works as it is.
 */
export interface ConversationTexts {
  guide(): string;
  /** Said at once to a message that tells of an emergency happening now (mentionsEmergency). */
  emergency(): string;
  /**
   * `confidential`: the citizen asked that the OPD not learn who they are, and it will not.
   * `leftOut`: attachments past the limit that the complaint does not carry.
   */
  ack(ticket: string, confidential?: boolean, leftOut?: LeftOut | null): string;
  /**
   * `ticket` filed for photos, videos... without words, sent soon after `earlier` was acknowledged:
   * recorded as an addition to it, under its own ticket.
   */
  addendumAck(ticket: string, earlier: string, confidential?: boolean, leftOut?: LeftOut | null): string;
  /** A close word ("kirim") after the complaint was already filed: it is in, nothing to resend. */
  alreadyReceived(ticket: string): string;
  /** "rahasia" after the complaint was filed with the citizen's identity: too late, said plainly. */
  tooLateConfidential(ticket: string): string;
  /** "rahasia" again, for a complaint that already went without the citizen's identity. */
  alreadyConfidential(ticket: string): string;
  /** An edit of a message already filed in `ticket`: the complaint keeps the old words. */
  editTooLate(ticket: string): string;
  /** A message deleted ("hapus untuk semua orang") after it was filed in `ticket`: it stays in the complaint. */
  deletedTooLate(ticket: string): string;
  /** Contact cards alone: kept, and the citizen is asked what the complaint is. */
  cardsAlone(): string;
  /**
   * Photos, videos... of a burst that could not be stored: which, and what to do. `ticket`: the
   * complaint a resend without words is filed as an addition to (this burst's, or the one
   * acknowledged moments ago); none: the citizen is asked for the words too.
   */
  failedMedia(failed: FailedMedia[], ticket?: string): string;
  checkUsage(): string;
  /**
   * `cek` for a ticket that does not exist or that this sender did not file (the same answer, so
   * it tells a stranger nothing). `channel` names what the sender is known by: on WhatsApp their
   * number, on Instagram their account.
   */
  checkNotFound(ticket: string, channel?: ChatChannel): string;
  checkStatus(view: StatusView): string;
  /** After a `cek` on WhatsApp of a web form or radio complaint: its news comes to this chat from now on. */
  following(): string;
  /** "belum <ticket>" without saying what is still wrong: how to (ADR 0014). */
  reopenUsage(ticket: string): string;
  /** "belum <ticket> <reason>" taken: the router's notice that it went back to its OPD follows. */
  reopenTaken(ticket: string): string;
  /** "belum <ticket> <reason>" refused, and why. */
  reopenRefused(ticket: string, why: ReopenRefusal | 'too_long'): string;
}

const STATE_LABEL: Record<StatusView['state'], string> = {
  received: 'sudah diterima dan menunggu diteruskan',
  triage: 'sedang diperiksa petugas untuk menentukan instansi yang menanganinya',
  routed: 'sudah diteruskan',
  in_progress: 'sedang ditindaklanjuti',
  resolved: 'sudah selesai ditangani',
  rejected: 'tidak dapat ditindaklanjuti',
  external: 'berada di luar kewenangan Pemerintah Kota Blitar',
};

/** "28 Nov 2026, 14.05 WIB"; a value that is not a date is shown as it is. */
function formatDate(iso: string): string {
  try {
    return `${wibDateTime(iso)} WIB`;
  } catch {
    return iso;
  }
}

export interface TextOptions {
  em?: (s: string) => string;
  /** How a word to type is marked; defaults to `em`. */
  kw?: (s: string) => string;
  serviceName?: string;
  /** The conversation's quiet period (CONVERSATION_QUIET): after it, a complaint is filed without "kirim". */
  quietMs?: number;
  /** TICKET_PREFIX, for the example ticket. */
  ticketPrefix?: string;
}

/** "3 menit"; "90 detik" when it is no whole number of minutes. */
function duration(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} menit` : `${Math.round(ms / 1000)} detik`;
}

/**
 * Sent again without words right away, they are filed as an addition to this complaint (the
 * engine's ackMemoryMs), which is what the citizen is told to do.
 */
function leftOutLine(l: LeftOut | null | undefined): string {
  return l ? `Sebanyak ${l.count} ${l.what} terakhir tidak ikut tercatat (batas ${l.limit} lampiran per aduan). Bila perlu, kirim ulang sekarang tanpa keterangan agar kami catat sebagai tambahan untuk aduan ini. ` : '';
}

/** "a", "a dan b", "a, b, dan c". */
function series(parts: string[]): string {
  return parts.length <= 2 ? parts.join(' dan ') : `${parts.slice(0, -1).join(', ')}, dan ${parts.at(-1)}`;
}

/** "foto", "foto dan video", "2 foto, video, dan dokumen". */
const listed = (groups: FailedGroup[]) => series(groups.map(countedWord));

/** What went wrong, said to the citizen: "video Anda terlalu besar". */
const FAILURE: Record<FailedMedia['reason'], (what: string) => string> = {
  'too-big': (what) => `${what} Anda terlalu besar`,
  'download-failed': (what) => `${what} Anda tidak dapat kami unduh`,
  unreadable: (what) => `${what} Anda rusak dan tidak dapat kami buka`,
  unsupported: (what) => `format ${what} Anda tidak dapat kami terima`,
};

/** What to send instead. Too big: a shorter video, or a photo (a phone's photo is never that big). */
const REMEDY: Record<FailedMedia['reason'], (groups: FailedGroup[]) => string> = {
  'too-big': (groups) => `kirim ${groups.some((g) => g.kind === 'video') ? 'video yang lebih pendek' : `${listed(groups)} yang lebih kecil`} atau foto`,
  'download-failed': (groups) => `kirim ulang ${listed(groups)} tersebut`,
  unreadable: (groups) => `kirim ulang ${listed(groups)} tersebut`,
  unsupported: (groups) => `kirim ${listed(groups)} tersebut sebagai foto biasa (JPG atau PNG)`,
};

/** "Maaf, video Anda terlalu besar …. Mohon kirim video yang lebih pendek atau foto…": one notice for every failure of a burst. */
function failedMediaText(failed: FailedMedia[], tail: string): string {
  const byReason = Map.groupBy(groupFailed(failed), (g) => g.reason);
  const failures = [...byReason].map(([reason, groups]) => FAILURE[reason](listed(groups)));
  const remedies = [...new Set([...byReason].map(([reason, groups]) => REMEDY[reason](groups)))];
  return `Maaf, ${series(failures)} sehingga tidak ikut tercatat. Mohon ${series(remedies)}${tail}`;
}

export function createTexts(opts: TextOptions = {}): ConversationTexts {
  const em = opts.em ?? ((s: string) => s);
  const kw = opts.kw ?? em;
  const service = opts.serviceName ?? 'layanan pengaduan Pemerintah Kota Blitar';
  const quiet = duration(opts.quietMs ?? 180_000);
  const example = `${opts.ticketPrefix ?? 'ADU'}-7K3M-9Q2X`;
  return {
    guide: () =>
      `Terima kasih telah menghubungi ${service}. Silakan tuliskan aduan Anda: apa masalahnya dan di mana lokasinya. ` +
      `Foto, video, atau titik lokasi boleh dikirim juga. Bila ingin identitas Anda dirahasiakan dari instansi yang menangani, tulis juga ${kw('rahasia')}. ` +
      `Bila sudah lengkap, ketik ${kw('kirim')} (atau tunggu saja: aduan terkirim otomatis setelah ${quiet} tanpa pesan baru).`,
    emergency: () =>
      'Bila ini keadaan darurat yang sedang terjadi, jangan menunggu tindak lanjut aduan: segera telepon 112 (gratis, 24 jam). Pesan Anda tetap kami catat sebagai aduan.',
    // A message after this starts a new complaint: said here, where the citizen reads it.
    ack: (ticket, confidential, leftOut) =>
      `Terima kasih, aduan Anda sudah kami terima dengan nomor tiket ${em(ticket)}. ` +
      (confidential ? 'Sesuai permintaan Anda, aduan akan kami teruskan ke instansi terkait tanpa identitas Anda. ' : 'Aduan akan kami teruskan ke instansi terkait. ') +
      `Pesan Anda berikutnya akan kami catat sebagai aduan baru. ` +
      leftOutLine(leftOut) +
      `Untuk melihat perkembangannya, ketik: cek ${ticket}`,
    addendumAck: (ticket, earlier, confidential, leftOut) =>
      `Terima kasih, kiriman Anda sudah kami terima dengan nomor tiket ${em(ticket)} dan kami catat sebagai tambahan untuk aduan ${em(earlier)}. ` +
      (confidential ? 'Sesuai permintaan Anda, kiriman ini akan kami teruskan ke instansi terkait tanpa identitas Anda. ' : '') +
      leftOutLine(leftOut) +
      `Untuk melihat perkembangannya, ketik: cek ${ticket}`,
    alreadyReceived: (ticket) =>
      `Aduan Anda sudah kami terima dengan nomor tiket ${em(ticket)}, tidak perlu dikirim ulang. ` +
      `Untuk melihat perkembangannya, ketik: cek ${ticket}`,
    tooLateConfidential: (ticket) =>
      `Mohon maaf, aduan ${em(ticket)} telanjur tercatat beserta identitas Anda, sehingga permintaan rahasia untuk aduan itu tidak dapat kami penuhi lagi. ` +
      `Untuk aduan berikutnya, tulis ${kw('rahasia')} sebelum aduan terkirim.`,
    // Not "sudah diteruskan": it may still wait for its OPD (received, triage) when this is asked.
    alreadyConfidential: (ticket) => `Aduan ${em(ticket)} memang diteruskan ke instansi terkait tanpa identitas Anda.`,
    editTooLate: (ticket) =>
      `Mohon maaf, aduan ${em(ticket)} sudah terkirim sebelum pesan Anda diubah, sehingga perubahannya tidak ikut tercatat. ` +
      `Bila ada koreksi, silakan kirim sebagai pesan baru dengan menyebut nomor tiket ${ticket}.`,
    deletedTooLate: (ticket) =>
      `Pesan yang Anda hapus sudah tercatat dalam aduan ${em(ticket)} sebelum dihapus, sehingga tetap kami teruskan ke instansi terkait. ` +
      `Bila ada koreksi, silakan kirim sebagai pesan baru dengan menyebut nomor tiket ${ticket}.`,
    cardsAlone: () =>
      'Terima kasih, kontak yang Anda kirim sudah kami terima. Mohon tuliskan juga aduan Anda: apa masalahnya dan di mana lokasinya. ' +
      'Kontak tersebut akan kami sertakan bersama aduan Anda.',
    // Sent again without words right away, they are filed as an addition (the engine's ackMemoryMs).
    failedMedia: (failed, ticket) =>
      failedMediaText(failed, ticket ? ` sekarang tanpa keterangan, agar kami catat sebagai tambahan untuk aduan ${em(ticket)}.` : ', beserta keterangan apa masalahnya dan di mana lokasinya.'),
    checkUsage: () => `Untuk melihat status aduan, ketik ${kw('cek')} diikuti nomor tiket Anda, contoh: cek ${example}`,
    checkNotFound: (ticket, channel) =>
      `Maaf, tiket ${ticket} tidak ditemukan untuk ${channel === 'whatsapp' ? 'nomor WhatsApp' : 'akun Instagram'} Anda. Mohon periksa kembali penulisan tiketnya.`,
    checkStatus: (view) => {
      // "external" is no agency: its name ("Di luar kewenangan ...") already is the state's words.
      const agency = view.opd && view.opd.code !== EXTERNAL_OPD ? view.opd : undefined;
      const opd = agency && (view.state === 'routed' || view.state === 'in_progress' || view.state === 'resolved') ? ` ke ${agency.name}` : '';
      const routedTo = view.state === 'routed' ? opd : agency && view.state !== 'received' && view.state !== 'triage' ? ` oleh ${agency.name}` : '';
      // The note of the current step only: an earlier step's ("sedang dikerjakan") would contradict it.
      const last = view.history.at(-1);
      const note = last?.state === view.state ? last.message : undefined;
      const label = view.state === 'rejected' ? 'Alasan' : 'Catatan';
      return `Aduan ${em(view.ticket)} ${STATE_LABEL[view.state]}${routedTo}. Terakhir diperbarui ${formatDate(view.updatedAt)}.${note ? ` ${label}: ${asSentence(note)}` : ''}`;
    },
    following: () => 'Kabar baru tentang aduan ini akan kami kirimkan ke WhatsApp ini.',
    reopenUsage: (ticket) => `Bila masalah aduan ${em(ticket)} belum selesai, ceritakan keadaannya sekarang setelah nomor tiket, contoh: BELUM ${ticket} lubangnya masih ada`,
    reopenTaken: (ticket) => `Terima kasih, keterangan Anda untuk aduan ${em(ticket)} sudah kami terima.`,
    reopenRefused: (ticket, why) =>
      ({
        not_resolved: `Aduan ${em(ticket)} tidak sedang berstatus selesai, jadi tidak perlu dibuka kembali. Untuk melihat statusnya, ketik: cek ${ticket}`,
        reopen_window_closed: `Mohon maaf, aduan ${em(ticket)} sudah terlalu lama selesai untuk dibuka kembali. Silakan kirim aduan baru tentang keadaannya sekarang.`,
        reopen_limit_reached: `Mohon maaf, aduan ${em(ticket)} sudah dibuka kembali sebanyak batas yang berlaku. Silakan kirim aduan baru tentang keadaannya sekarang.`,
        too_long: `Mohon maaf, keterangan untuk aduan ${em(ticket)} terlalu panjang (paling banyak 1000 karakter). Silakan kirim lebih singkat.`,
      })[why],
  };
}
