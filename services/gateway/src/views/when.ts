/** A moment as people in Blitar read it: "28 Nov 2026, 14.05" in WIB. */
const WIB = new Intl.DateTimeFormat('id-ID', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Jakarta' });

export const when = (iso: string): string => WIB.format(new Date(iso));
