/**
 * WhatsApp's formatting marks (*bold* _italic_ ~strike~ ```mono```) and a look-alike that no app
 * reads as one. An OPD writes plain text: "jam 08.00~10.00 dan 13.00~15.00" must not strike out
 * the hours between, nor a lone "*" pair with the bold ticket of a "cek" answer.
 */
const MARK_LOOKALIKES: Record<string, string> = { '*': '\u2217', _: '\u02CD', '~': '\u223C', '`': '\u02CB' };
/** A link, kept as written: a changed character would break it. */
const LINK = /(?:https?:\/\/|www\.)[^\s]+/gi;
const ENDS_WITH_LINK = new RegExp(`${LINK.source}$`, 'i');

/** The note with WhatsApp's formatting marks replaced by look-alikes, links as they are. */
export function withoutChatFormatting(note: string): string {
  let out = '';
  let last = 0;
  const plain = (s: string) => s.replace(/[*_~`]/g, (c) => MARK_LOOKALIKES[c] ?? c);
  for (const m of note.matchAll(LINK)) {
    out += plain(note.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + plain(note.slice(last));
}

/**
 * An OPD's note as the citizen reads it in a chat: a sentence ("Lampu sudah diganti" must not run
 * into the next one), with no chat formatting (withoutChatFormatting). A note that ends with a
 * link gets no full stop, which a chat app could take into the link.
 */
export const asSentence = (note: string) => {
  const t = withoutChatFormatting(note.trim());
  return /[.!?]$/.test(t) || ENDS_WITH_LINK.test(t) ? t : `${t}.`;
};

/**
 * The ticket as a notice names it: bold on WhatsApp, as the conversation's own answers there show
 * it (an acknowledgement, a "cek" answer); Instagram shows the asterisks, so plain there.
 */
export const noticeTicket = (channel: string, ticket: string) => (channel === 'whatsapp' ? `*${ticket}*` : ticket);

/** What a citizen whose complaint is outside the city's remit is told when nobody named who handles it (an admin's decision). */
export const DEFAULT_EXTERNAL_ADVICE = 'Silakan sampaikan ke instansi yang berwenang, atau lewat SP4N-LAPOR! (lapor.go.id).';

/**
 * What citizens read on WhatsApp/Instagram when their complaint moves. Bahasa Indonesia,
 * polite and short; no personal data is ever interpolated except the ticket and the OPD name.
 * `ticket` comes as the channel shows it (noticeTicket).
 */
export const citizenMessages = {
  routed: (ticket: string, opdName: string) =>
    `Aduan ${ticket} sudah kami teruskan ke ${opdName}. Kami akan mengabari Anda lagi bila ada tindak lanjut. Terima kasih.`,
  /** An addition (a photo sent after complaint `earlier` was filed) routed with it: the citizen knows it as a "kiriman tambahan". */
  routedAddition: (ticket: string, earlier: string, opdName: string) =>
    `Kiriman tambahan Anda untuk aduan ${earlier} (nomor tiket ${ticket}) sudah kami teruskan ke ${opdName}, bersama aduan itu. Terima kasih.`,
  external: (ticket: string, advice?: string) =>
    `Mohon maaf, aduan ${ticket} berada di luar kewenangan Pemerintah Kota Blitar. ${advice ?? DEFAULT_EXTERNAL_ADVICE} Aduan Anda tetap kami catat.`,
  in_progress: (ticket: string, opdName: string, note?: string) =>
    `Aduan ${ticket} sedang ditindaklanjuti oleh ${opdName}.${note ? ` Catatan: ${asSentence(note)}` : ''}`,
  /** Ends with how to say it is not solved (ADR 0014): the chat's reply the conversation reads (parseReopen). */
  resolved: (ticket: string, opdName: string, note?: string) =>
    `Aduan ${ticket} telah selesai ditangani oleh ${opdName}.${note ? ` Catatan: ${asSentence(note)}` : ''} Terima kasih atas aduan Anda. Bila masalahnya belum selesai, balas dengan: BELUM ${ticket} lalu keadaannya.`,
  /** The citizen said the resolution did not solve it: the same OPD has it again. */
  reopened: (ticket: string, opdName: string) =>
    `Aduan ${ticket} kami teruskan kembali ke ${opdName} beserta keterangan Anda, agar ditindaklanjuti lagi. Kami akan mengabari Anda bila ada perkembangan. Terima kasih.`,
  rejected: (ticket: string, opdName: string, note?: string) =>
    `Aduan ${ticket} tidak dapat ditindaklanjuti oleh ${opdName}.${note ? ` Alasan: ${asSentence(note)}` : ''} Terima kasih atas aduan Anda.`,
} as const;
