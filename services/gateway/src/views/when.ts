/**
 * Made on first use, not at import: creating an Intl.DateTimeFormat maps ~5 MB of ICU's locale
 * data into the process (RSS), and intake never needs it; only the status and triage pages do.
 */
let wib: Intl.DateTimeFormat | undefined;

/** A moment as people in Blitar read it: "28 Nov 2026, 14.05" in WIB. */
export const when = (iso: string): string => (wib ??= new Intl.DateTimeFormat('id-ID', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Jakarta' })).format(new Date(iso));
