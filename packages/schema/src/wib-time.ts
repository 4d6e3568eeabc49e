const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'Mei', 'Jun', 'Jul', 'Agu', 'Sep', 'Okt', 'Nov', 'Des'];
/** WIB (Asia/Jakarta) is UTC+7 all year: Indonesia has had no daylight saving since 1964. */
export const WIB_OFFSET_MS = 7 * 3_600_000;
const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A moment as people in Blitar read it, for every citizen- and staff-facing text (web pages,
 * chat replies): "28 Nov 2026, 14.05" in WIB, exactly what `Intl.DateTimeFormat('id-ID',
 * { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Jakarta' })` prints
 * (wib-time.test.ts compares the two). Written out rather than made with Intl: the first Intl
 * formatter a process makes maps ~5 MB of ICU's locale data into it for good, and this one
 * would be made by the first citizen who opens the status page. Throws a RangeError for a
 * string that is not a date.
 */
export function wibDateTime(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new RangeError(`not a date: ${iso}`);
  const d = new Date(t + WIB_OFFSET_MS);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${pad(d.getUTCHours())}.${pad(d.getUTCMinutes())}`;
}
