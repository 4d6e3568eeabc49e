/** An OPD's note as a sentence: "Lampu sudah diganti" must not run into the next one. */
export const asSentence = (note: string) => {
  const t = note.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
};

/**
 * What citizens read on WhatsApp/Instagram when their complaint moves. Bahasa Indonesia,
 * polite and short; no personal data is ever interpolated except the ticket and the OPD name.
 */
export const citizenMessages = {
  routed: (ticket: string, opdName: string) =>
    `Aduan ${ticket} sudah kami teruskan ke ${opdName}. Kami akan kabari lagi bila ada tindak lanjut. Terima kasih.`,
  external: (ticket: string, advice?: string) =>
    `Aduan ${ticket} sudah kami terima. Mohon maaf, masalah ini bukan kewenangan Pemerintah Kota Blitar. ${advice ?? 'Silakan sampaikan ke instansi yang berwenang, atau lewat SP4N-LAPOR! (lapor.go.id).'} Aduan Anda tetap kami catat.`,
  in_progress: (ticket: string, opdName: string, note?: string) =>
    `Aduan ${ticket} sedang ditindaklanjuti oleh ${opdName}.${note ? ` Catatan: ${asSentence(note)}` : ''}`,
  resolved: (ticket: string, opdName: string, note?: string) =>
    `Aduan ${ticket} telah selesai ditangani oleh ${opdName}.${note ? ` Catatan: ${asSentence(note)}` : ''} Terima kasih atas aduan Anda.`,
  rejected: (ticket: string, opdName: string, note?: string) =>
    `Aduan ${ticket} tidak dapat ditindaklanjuti oleh ${opdName}.${note ? ` Alasan: ${asSentence(note)}` : ''} Terima kasih atas aduan Anda.`,
} as const;
