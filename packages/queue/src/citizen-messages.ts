/**
 * What citizens read on WhatsApp/Instagram when their complaint moves. Bahasa Indonesia,
 * polite and short; no personal data is ever interpolated except the ticket and the OPD name.
 */
export const citizenMessages = {
  routed: (ticket: string, opdName: string) =>
    `Aduan ${ticket} sudah kami teruskan ke ${opdName}. Kami akan kabari lagi bila ada tindak lanjut. Terima kasih.`,
  external: (ticket: string, advice?: string) =>
    `Aduan ${ticket} sudah kami terima. Mohon maaf, masalah ini bukan kewenangan Pemerintah Kota Blitar. ${advice ?? 'Mohon sampaikan juga ke instansi terkait (misalnya PLN, BPJS, atau kepolisian).'} Aduan Anda tetap kami catat.`,
  in_progress: (ticket: string, opdName: string, note?: string) =>
    `Aduan ${ticket} sedang ditindaklanjuti oleh ${opdName}.${note ? ` Catatan: ${note}` : ''}`,
  resolved: (ticket: string, opdName: string, note?: string) =>
    `Aduan ${ticket} telah selesai ditangani oleh ${opdName}.${note ? ` Catatan: ${note}` : ''} Terima kasih atas laporan Anda.`,
  rejected: (ticket: string, opdName: string, note?: string) =>
    `Aduan ${ticket} tidak dapat ditindaklanjuti oleh ${opdName}.${note ? ` Alasan: ${note}` : ''} Silakan hubungi kami bila ada pertanyaan.`,
} as const;
