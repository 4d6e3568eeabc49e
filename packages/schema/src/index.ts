export * from './complaint.ts';
export * from './routed.ts';
export * from './status.ts';
export * from './ids.ts';
export { jsonSchemas } from './json-schemas.ts';
export { displayPhone, normalizePhone } from './phone.ts';
export { wibDateTime, WIB_OFFSET_MS } from './wib-time.ts';
export { HolidaysFileError, ResponseDeadline, parseHolidays } from './working-days.ts';
